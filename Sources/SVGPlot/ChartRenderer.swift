/// Draws one chart's elements (everything inside the `<svg>` root) for a computed `PlotFrame`.
struct ChartRenderer {
  let chart: Chart
  let layout: ChartLayout
  var frame: PlotFrame { layout.frame }
  /// Prefix for element ids, unique per chart within one document (clip paths).
  let idPrefix: String

  private let n = SVGText.number
  private var ink: String { ChartStyle.inkColor.hex }

  /// All elements: clip path, gridlines, series (clipped to the plot area), frame, ticks, labels, title,
  /// legend.
  func body() -> String {
    let f = frame
    let clipID = "\(idPrefix)-plot"
    var out = "<defs><clipPath id=\"\(clipID)\"><rect x=\"\(n(f.left))\" y=\"\(n(f.top))\" "
      + "width=\"\(n(f.width))\" height=\"\(n(f.height))\"/></clipPath></defs>\n"
    out += gridlines()
    let colors = chart.resolvedColors()
    var drawn: [DrawnPoint] = []  // not needed here: the layout placed the legend already
    out += "<g clip-path=\"url(#\(clipID))\">\n"
    for (series, color) in zip(chart.series, colors) {
      out += draw(series, color: color, recording: &drawn)
    }
    out += "</g>\n"
    out += pointLabels(recording: &drawn)
    out += "<rect x=\"\(n(f.left))\" y=\"\(n(f.top))\" width=\"\(n(f.width))\" height=\"\(n(f.height))\" "
      + "fill=\"none\" stroke=\"\(ink)\" stroke-width=\"1\"/>\n"
    out += ticks()
    out += texts()
    if let legend = layout.legend { out += legend.svg(x: layout.legendOrigin.x, y: layout.legendOrigin.y) }
    return out
  }

  /// Pixel positions of everything the series draw: scatter markers and samples every ~3 px along lines
  /// (a marker costs `DrawnPoint.markerCost` line samples).
  func drawnPoints() -> [DrawnPoint] {
    var drawn: [DrawnPoint] = []
    for (series, color) in zip(chart.series, chart.resolvedColors()) {
      _ = draw(series, color: color, recording: &drawn)
    }
    _ = pointLabels(recording: &drawn)
    return drawn
  }

  /// The chart's point labels, in the order given (the most important first): each goes to the first of
  /// four places beside its point (above right, above left, below right, below left) that stays inside
  /// the plot area and overlaps no label placed before it; a label with no such place is left out. Each
  /// records samples over its text box so the automatic legend avoids it.
  private func pointLabels(recording drawn: inout [DrawnPoint]) -> String {
    guard !chart.pointLabels.isEmpty else { return "" }
    let f = frame
    let size = ChartStyle.tickFontSize
    let gap = 4.0
    var placed: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []
    var out = "<g class=\"point-labels\" font-size=\"\(n(size))\" fill=\"\(ink)\">\n"
    for label in chart.pointLabels {
      guard label.x.isFinite, label.y.isFinite, label.x >= f.xLower, label.x <= f.xUpper,
            label.y >= f.yLower, label.y <= f.yUpper else { continue }
      let px = f.pixelX(label.x), py = f.pixelY(label.y)
      let width = SVGText.width(label.text, fontSize: size)
      let candidates = [(px + gap, py - gap), (px - gap - width, py - gap),
                        (px + gap, py + gap + 0.8 * size), (px - gap - width, py + gap + 0.8 * size)]
      let boxes = candidates.map { x, baseline in (x0: x, y0: baseline - 0.8 * size, x1: x + width, y1: baseline + 0.2 * size) }
      guard let box = boxes.first(where: { b in
        b.x0 >= f.left && b.x1 <= f.right && b.y0 >= f.top && b.y1 <= f.bottom
          && !placed.contains { b.x0 < $0.x1 + 1 && $0.x0 < b.x1 + 1 && b.y0 < $0.y1 + 1 && $0.y0 < b.y1 + 1 }
      }) else { continue }
      placed.append(box)
      let steps = max(Int(width / 6), 1)
      for k in 0...steps {
        drawn.append(DrawnPoint(x: box.x0 + Double(k) * width / Double(steps), y: (box.y0 + box.y1) / 2,
                                cost: DrawnPoint.markerCost))
      }
      out += "<text x=\"\(n(box.x0))\" y=\"\(n(box.y0 + 0.8 * size))\">\(SVGText.escape(label.text))</text>\n"
    }
    return out + "</g>\n"
  }

  // MARK: - Axes

  private func gridlines() -> String {
    let f = frame
    var out = "<g stroke=\"\(ChartStyle.gridColor.hex)\" stroke-width=\"1\">\n"
    for x in f.xTicks.values {
      let px = f.pixelX(x)
      out += "<line x1=\"\(n(px))\" y1=\"\(n(f.top))\" x2=\"\(n(px))\" y2=\"\(n(f.bottom))\"/>\n"
    }
    for y in f.yTicks.values {
      let py = f.pixelY(y)
      out += "<line x1=\"\(n(f.left))\" y1=\"\(n(py))\" x2=\"\(n(f.right))\" y2=\"\(n(py))\"/>\n"
    }
    return out + "</g>\n"
  }

  private func ticks() -> String {
    let f = frame
    let s = ChartStyle.self
    var out = "<g stroke=\"\(ink)\" stroke-width=\"1\">\n"
    for x in f.xTicks.values {
      let px = f.pixelX(x)
      out += "<line x1=\"\(n(px))\" y1=\"\(n(f.bottom))\" x2=\"\(n(px))\" y2=\"\(n(f.bottom + s.tickLength))\"/>\n"
    }
    for y in f.yTicks.values {
      let py = f.pixelY(y)
      out += "<line x1=\"\(n(f.left - s.tickLength))\" y1=\"\(n(py))\" x2=\"\(n(f.left))\" y2=\"\(n(py))\"/>\n"
    }
    out += "</g>\n"
    out += "<g font-size=\"\(n(s.tickFontSize))\" fill=\"\(ink)\">\n"
    let xBaseline = f.bottom + s.tickLength + s.gap + 0.8 * s.tickFontSize
    for (x, label) in zip(f.xTicks.values, f.xTicks.labels) {
      out += "<text x=\"\(n(f.pixelX(x)))\" y=\"\(n(xBaseline))\" text-anchor=\"middle\">"
        + "\(SVGText.escape(SVGText.typographicMinus(label)))</text>\n"
    }
    let yRight = f.left - s.tickLength - s.gap
    for (y, label) in zip(f.yTicks.values, f.yTicks.labels) {
      out += "<text x=\"\(n(yRight))\" y=\"\(n(f.pixelY(y)))\" dy=\"0.35em\" text-anchor=\"end\">"
        + "\(SVGText.escape(SVGText.typographicMinus(label)))</text>\n"
    }
    return out + "</g>\n"
  }

  private func texts() -> String {
    let f = frame
    let s = ChartStyle.self
    var out = ""
    if !chart.title.isEmpty {
      let size = chart.titleFontSize
      let textWidth = SVGText.width(chart.title, fontSize: size)
      var cx = f.left + f.width / 2
      if cx - textWidth / 2 < s.outerMargin || cx + textWidth / 2 > f.figureWidth - s.outerMargin {
        cx = f.figureWidth / 2
      }
      out += "<text x=\"\(n(cx))\" y=\"\(n(s.outerMargin + 0.8 * size))\" text-anchor=\"middle\" "
        + "font-size=\"\(n(size))\" font-weight=\"bold\" fill=\"\(ink)\">\(SVGText.escape(chart.title))</text>\n"
    }
    if !chart.xLabel.isEmpty {
      out += "<text x=\"\(n(f.left + f.width / 2))\" y=\"\(n(f.figureHeight - s.outerMargin - 2))\" "
        + "text-anchor=\"middle\" font-size=\"\(n(s.labelFontSize))\" fill=\"\(ink)\">"
        + "\(SVGText.escape(chart.xLabel))</text>\n"
    }
    if !chart.yLabel.isEmpty {
      let x = s.outerMargin + 0.8 * s.labelFontSize
      let y = f.top + f.height / 2
      out += "<text transform=\"translate(\(n(x)),\(n(y))) rotate(-90)\" text-anchor=\"middle\" "
        + "font-size=\"\(n(s.labelFontSize))\" fill=\"\(ink)\">\(SVGText.escape(chart.yLabel))</text>\n"
    }
    return out
  }

  // MARK: - Series

  private func draw(_ series: Series, color: Color, recording drawn: inout [DrawnPoint]) -> String {
    let f = frame
    switch series.kind {
    case .scatter(_, _, let shade):
      return scatter(series, color: color, shaded: shade != nil, recording: &drawn)
    case let .curve(x, y):
      return polyline(series.curvePoints(x: x, y: y), series: series, color: color, recording: &drawn)
    case let .line(a, b):
      guard a.isFinite, b.isFinite else { return "" }
      let y0 = AxisRange.clampToLimit(a + b * f.xLower)
      let y1 = AxisRange.clampToLimit(a + b * f.xUpper)
      guard y0.isFinite, y1.isFinite else { return "" }
      return polyline([(f.xLower, y0), (f.xUpper, y1)], series: series, color: color, recording: &drawn)
    case let .horizontal(y):
      guard y.isFinite else { return "" }
      return polyline([(f.xLower, y), (f.xUpper, y)], series: series, color: color, recording: &drawn)
    case let .vertical(x):
      guard x.isFinite else { return "" }
      return polyline([(x, f.yLower), (x, f.yUpper)], series: series, color: color, recording: &drawn)
    }
  }

  private func scatter(_ series: Series, color: Color, shaded: Bool,
                       recording drawn: inout [DrawnPoint]) -> String {
    let f = frame
    let r = max(series.markerRadius, 0.5)
    // Points farther outside than a marker radius are invisible; skipping them in data units keeps far-away
    // values from becoming huge pixel coordinates.
    let xTol = (f.xUpper - f.xLower) * (r + 1) / f.width
    let yTol = (f.yUpper - f.yLower) * (r + 1) / f.height
    var out = "<g fill=\"\(color.hex)\" stroke=\"\(color.hex)\" stroke-width=\"1.2\">\n"
    for p in series.finitePoints {
      guard p.x >= f.xLower - xTol, p.x <= f.xUpper + xTol, p.y >= f.yLower - yTol, p.y <= f.yUpper + yTol
      else { continue }
      let px = f.pixelX(p.x)
      let py = f.pixelY(p.y)
      drawn.append(DrawnPoint(x: px, y: py, cost: DrawnPoint.markerCost))
      let opacity = shaded && p.shade < 1 ? " fill-opacity=\"\(n(p.shade))\"" : ""
      out += "<circle cx=\"\(n(px))\" cy=\"\(n(py))\" r=\"\(n(r))\"\(opacity)/>\n"
    }
    return out + "</g>\n"
  }

  /// A path through `points` (data coordinates, `nil` = gap), clipped to the axis ranges segment by segment.
  private func polyline(_ points: [(x: Double, y: Double)?], series: Series, color: Color,
                        recording drawn: inout [DrawnPoint]) -> String {
    let f = frame
    var d = ""
    var pen: (x: Double, y: Double)?  // last pixel point of the current sub-path
    var previous: (x: Double, y: Double)?
    func sample(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) {
      let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
      let steps = min(Int(length / 3), 2000)
      for i in 0...steps {
        let t = steps == 0 ? 0 : Double(i) / Double(steps)
        drawn.append(DrawnPoint(x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y), cost: 1))
      }
    }
    for point in points {
      guard let point else {
        previous = nil
        pen = nil
        continue
      }
      defer { previous = point }
      guard let start = previous else { continue }
      guard let c = Clipping.segment(start.x, start.y, point.x, point.y, xmin: f.xLower, xmax: f.xUpper,
                                     ymin: f.yLower, ymax: f.yUpper)
      else {
        pen = nil
        continue
      }
      let a = (x: f.pixelX(c.x0), y: f.pixelY(c.y0))
      let b = (x: f.pixelX(c.x1), y: f.pixelY(c.y1))
      if pen == nil || c.startClipped {
        d += "M\(n(a.x)) \(n(a.y))"
      }
      d += "L\(n(b.x)) \(n(b.y))"
      pen = c.endClipped ? nil : b
      sample(a, b)
    }
    guard !d.isEmpty else { return "" }
    var dash = ""
    if let array = series.dash.dashArray(width: series.lineWidth) { dash = " stroke-dasharray=\"\(array)\"" }
    return "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color.hex)\" stroke-width=\"\(n(series.lineWidth))\" "
      + "stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dash)/>\n"
  }
}

/// A drawn pixel position the legend should avoid, and how much covering it costs.
struct DrawnPoint {
  /// Cost of hiding a scatter marker, in line samples (~3 px of line each): a hidden point is worse than a
  /// line passing under the legend's corner.
  static let markerCost = 4
  var x: Double
  var y: Double
  var cost: Int
}
