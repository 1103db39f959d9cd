import Foundation

/// Several charts laid out row by row in one SVG (small multiples), e.g. ρ(u) and w(u) side by side.
///
/// Every cell has the size of the largest chart; each chart keeps its own axes, ranges and legend.
public struct ChartGrid: Sendable {
  /// The charts, filled into the grid row by row.
  public var charts: [Chart]
  /// Number of columns (at least 1); the number of rows follows from the chart count.
  public var columns: Int
  /// Overall title above the grid; empty for none.
  public var title: String
  /// How the SVG's `width` and `height` map to a printed size (the charts' own settings are ignored).
  public var printScale: PrintScale = .pixels

  /// A grid of `charts` in `columns` columns.
  public init(charts: [Chart], columns: Int, title: String = "") {
    self.charts = charts
    self.columns = columns
    self.title = title
  }

  /// Number of rows: ⌈charts / columns⌉ (at least 1).
  public var rows: Int {
    let c = max(columns, 1)
    return max((charts.count + c - 1) / c, 1)
  }

  /// Height of the band holding the overall title (0 without one).
  public var titleBandHeight: Double {
    title.isEmpty ? 0 : ChartStyle.titleFontSize + 2 * ChartStyle.outerMargin
  }

  /// Size of one cell: the largest chart width and height (720 × 480 when there are no charts).
  public var cellSize: (width: Double, height: Double) {
    let frames = charts.map { $0.frame() }
    return (frames.map(\.figureWidth).max() ?? 720, frames.map(\.figureHeight).max() ?? 480)
  }

  /// Top-left corner of cell `index` (row-major) in the grid's SVG.
  public func cellOrigin(_ index: Int) -> (x: Double, y: Double) {
    let c = max(columns, 1)
    let cell = cellSize
    return (Double(index % c) * cell.width, titleBandHeight + Double(index / c) * cell.height)
  }

  /// The grid as a standalone SVG document.
  public func svg() -> String {
    let c = max(columns, 1)
    let cell = cellSize
    let width = Double(min(c, max(charts.count, 1))) * cell.width
    let height = titleBandHeight + Double(rows) * cell.height
    var body = ""
    if !title.isEmpty {
      let size = ChartStyle.titleFontSize
      body += "<text x=\"\(SVGText.number(width / 2))\" y=\"\(SVGText.number(ChartStyle.outerMargin + 0.8 * size + 4))\" "
        + "text-anchor=\"middle\" font-size=\"\(SVGText.number(size))\" font-weight=\"bold\" "
        + "fill=\"\(ChartStyle.inkColor.hex)\">\(SVGText.escape(title))</text>\n"
    }
    for (i, chart) in charts.enumerated() {
      let o = cellOrigin(i)
      let renderer = ChartRenderer(chart: chart, layout: ChartLayout.make(for: chart), idPrefix: "c\(i)")
      body += "<g transform=\"translate(\(SVGText.number(o.x)),\(SVGText.number(o.y)))\">\n"
        + renderer.body() + "</g>\n"
    }
    return SVGDocument.wrap(width: width, height: height, scale: printScale, body: body)
  }

  /// Writes `svg()` to `path` (UTF-8, replacing any existing file).
  public func write(to path: String) throws {
    try svg().write(toFile: path, atomically: true, encoding: .utf8)
  }
}
