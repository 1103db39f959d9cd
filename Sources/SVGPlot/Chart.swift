import Foundation

/// One figure: a plot area with axes, ticks, gridlines, any number of series and a legend.
///
/// ```swift
/// var chart = Chart(title: "Fit", xLabel: "x", yLabel: "y")
/// chart.series.append(.scatter(x: xs, y: ys, shade: weights, shadeLabel: "IRLS weight 0 … 1"))
/// chart.series.append(.line(intercept: 1, slope: 2, label: "L2"))
/// try chart.write(to: "fit.svg")
/// ```
///
/// Axis ranges not fixed by `xRange`/`yRange` come from the data (scatter points, curve vertices, reference
/// lines; straight lines only when there is nothing else) with 5 % padding each side. Colours not given are
/// assigned in series order: curves and straight lines take the palette (`Color.palette`) in turn; scatter points are
/// dark grey and reference lines grey. Non-finite data are skipped and degenerate ranges widened, so any input
/// gives a finite, valid SVG.
public struct Chart: Sendable {
  /// Title above the plot; empty for none.
  public var title: String
  /// x-axis label; empty for none.
  public var xLabel: String
  /// y-axis label; empty for none.
  public var yLabel: String
  /// Figure width in pixels (at least 80).
  public var width: Double
  /// Figure height in pixels (at least 80).
  public var height: Double
  /// Fixed x-axis range; `nil` computes it from the data.
  public var xRange: ClosedRange<Double>?
  /// Fixed y-axis range; `nil` computes it from the data.
  public var yRange: ClosedRange<Double>?
  /// What is drawn, in drawing order (later series on top).
  public var series: [Series]
  /// Legend placement; only series with a label (and shaded scatters with a shade label) appear.
  public var legend: LegendPosition
  /// Short texts beside data points (observation numbers of flagged points), drawn on top of the series at
  /// the tick font size; a label whose point lies outside the axis ranges is not drawn. The automatic
  /// legend avoids them.
  public var pointLabels: [PointLabel] = []
  /// How the SVG's `width` and `height` map to a printed size (see `PrintScale`).
  public var printScale: PrintScale = .pixels

  /// A chart; every argument has a default, so `Chart()` followed by `series.append(...)` works.
  public init(title: String = "", xLabel: String = "", yLabel: String = "", width: Double = 720,
              height: Double = 480, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
              legend: LegendPosition = .auto, series: [Series] = []) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.width = width
    self.height = height
    self.xRange = xRange
    self.yRange = yRange
    self.legend = legend
    self.series = series
  }

  /// The computed layout: plot rectangle, axis ranges, ticks, and the data-to-pixel mapping.
  public func frame() -> PlotFrame {
    ChartLayout.make(for: self).frame
  }

  /// The chart as a standalone SVG document (with `xmlns`, `width`, `height` and `viewBox`).
  public func svg() -> String {
    let layout = ChartLayout.make(for: self)
    return SVGDocument.wrap(width: layout.frame.figureWidth, height: layout.frame.figureHeight,
                            scale: printScale, body: ChartRenderer(chart: self, layout: layout, idPrefix: "c0").body())
  }

  /// Writes `svg()` to `path` (UTF-8, replacing any existing file).
  public func write(to path: String) throws {
    try svg().write(toFile: path, atomically: true, encoding: .utf8)
  }

  /// The colour each series is drawn with (explicit, else automatic as described on `Chart`).
  public func resolvedColors() -> [Color] {
    var next = 0
    return series.map { s in
      if let c = s.color { return c }
      switch s.kind {
      case .scatter: return .darkGrey
      case .horizontal, .vertical: return .grey
      case .curve, .line:
        defer { next += 1 }
        return Color.palette(next)
      }
    }
  }

  /// Title font size: `ChartStyle.titleFontSize`, shrunk (not below the tick font size) to fit the width.
  var titleFontSize: Double {
    let room = max(width, 2 * ChartStyle.minimumPlotSide) - 2 * ChartStyle.outerMargin
    let needed = SVGText.width(title, fontSize: ChartStyle.titleFontSize)
    guard needed > room, needed > 0 else { return ChartStyle.titleFontSize }
    return max(ChartStyle.tickFontSize, ChartStyle.titleFontSize * room / needed)
  }

  /// x values that set the automatic x-range.
  var xData: [Double] {
    series.flatMap { s -> [Double] in
      switch s.kind {
      case .scatter, .curve: return s.finitePoints.map(\.x)
      case let .vertical(x): return [x]
      case .line, .horizontal: return []
      }
    }
  }

  /// y values that set the automatic y-range; straight lines count (at the x-range ends) only if nothing
  /// else gives y data.
  func yData(xLower: Double, xUpper: Double) -> [Double] {
    let direct = series.flatMap { s -> [Double] in
      switch s.kind {
      case .scatter, .curve: return s.finitePoints.map(\.y)
      case let .horizontal(y): return [y]
      case .line, .vertical: return []
      }
    }
    if !direct.contains(where: \.isFinite) {
      return series.flatMap { s -> [Double] in
        guard case let .line(a, b) = s.kind else { return [] }
        return [a + b * xLower, a + b * xUpper]
      }
    }
    return direct
  }
}
