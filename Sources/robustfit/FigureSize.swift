import ArgumentParser
import Foundation
import SVGPlot

/// `--figure-size WxH`: the size a figure prints at, in points (1/72 in), or in inches with an `in` suffix
/// (`252x180`, `3.5x2.5in`).
///
/// With it the SVG's `width` and `height` are written in points and the drawing is laid out in a viewBox of
/// 1.5·W × 1.5·H user units (`PrintScale.print`), so that the smallest text (tick labels, point labels and
/// legends: 12 units) prints at 8 pt and the axis labels at 9.3 pt when the figure is placed at W × H —
/// 252 pt (3.5 in) is a journal column. Without it figures keep their screen sizes in CSS pixels.
struct FigureSize: Equatable, Sendable {
  /// Printed width and height in points.
  let width: Double
  let height: Double

  /// The smallest and largest side accepted, in points: below 100 pt (1.4 in) 8-pt text leaves no room for
  /// the data; 5000 pt is about 1.8 m.
  static let sides: ClosedRange<Double> = 100...5000

  /// Parses `WxH`, `WxHpt` or `WxHin` (`×` also separates).
  static func parse(_ text: String) throws -> FigureSize {
    var body = text.trimmingCharacters(in: .whitespaces).lowercased()
    var factor = 1.0
    if body.hasSuffix("in") {
      factor = 72
      body.removeLast(2)
    } else if body.hasSuffix("pt") {
      body.removeLast(2)
    }
    let parts = body.split(omittingEmptySubsequences: false) { $0 == "x" || $0 == "×" }
    guard parts.count == 2, let w = Double(parts[0]), let h = Double(parts[1]), w.isFinite, h.isFinite else {
      throw ValidationError("expected WIDTHxHEIGHT in points (e.g. 252x180) or inches (3.5x2.5in)")
    }
    let size = FigureSize(width: w * factor, height: h * factor)
    guard sides.contains(size.width), sides.contains(size.height) else {
      throw ValidationError("each side must lie within 100 to 5000 pt (1.4 to 69 in); got "
        + "\(NumberText.significant(size.width, 4)) × \(NumberText.significant(size.height, 4)) pt")
    }
    return size
  }

  /// The scale every sized figure uses.
  var scale: PrintScale { .print }

  /// Width and height in user units.
  var units: (width: Double, height: Double) {
    (scale.units(forPoints: width), scale.units(forPoints: height))
  }

  /// `chart` laid out to print at this size.
  func apply(to chart: Chart) -> Chart {
    var chart = chart
    (chart.width, chart.height) = units
    chart.printScale = scale
    return chart
  }
}

/// A figure of one chart or of a grid of charts, written as SVG.
enum Figure {
  case single(Chart)
  case grid(ChartGrid)

  var svg: String {
    switch self {
    case .single(let chart): return chart.svg()
    case .grid(let grid): return grid.svg()
    }
  }

  /// A grid of `charts` in `columns` columns with the overall `title`: each cell `cell` (user units,
  /// CSS pixels) without a size, else the size divided among the cells.
  static func grid(_ charts: [Chart], columns: Int, title: String, cell: (width: Double, height: Double),
                   size: FigureSize?) -> ChartGrid {
    var grid = ChartGrid(charts: charts, columns: columns, title: title)
    var cellSize = cell
    if let size {
      let units = size.units
      let rows = Double(grid.rows)
      let used = Double(min(columns, max(charts.count, 1)))
      cellSize = (units.width / used, (units.height - grid.titleBandHeight) / rows)
      grid.printScale = size.scale
    }
    grid.charts = charts.map {
      var chart = $0
      (chart.width, chart.height) = cellSize
      return chart
    }
    return grid
  }
}
