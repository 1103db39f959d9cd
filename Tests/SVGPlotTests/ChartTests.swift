import Foundation
import Testing

@testable import SVGPlot

@Test func svgIsWellFormedStandaloneXML() throws {
  var chart = Chart(title: "t", xLabel: "x", yLabel: "y")
  chart.series.append(.scatter(x: [1, 2, 3], y: [3, 1, 2], label: "pts"))
  chart.series.append(.line(intercept: 0, slope: 1, label: "fit"))
  let svg = chart.svg()
  let elements = try #require(parseSVG(svg))
  let root = try #require(elements.first)
  #expect(root.name == "svg")
  #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
  #expect(root.attributes["width"] == "720" && root.attributes["height"] == "480")
  #expect(root.attributes["viewBox"] == "0 0 720 480")
  #expect(root.attributes["font-family"] == "DejaVu Sans, Helvetica, Arial, sans-serif")
  // The data group is clipped to a clipPath that exists.
  let clip = try #require(elements.first { $0.name == "clipPath" })
  let id = try #require(clip.attributes["id"])
  #expect(elements.contains { $0.attributes["clip-path"] == "url(#\(id))" })
}

@Test(arguments: [0, 1, 7, 250])
func scatterDrawsOneCirclePerPoint(count: Int) throws {
  let xs = (0..<count).map { Double($0) }
  let ys = xs.map { $0 * $0 }
  // No label: no legend, so every circle is a data point.
  let chart = Chart(series: [.scatter(x: xs, y: ys)])
  let elements = try #require(parseSVG(chart.svg()))
  #expect(elements.filter { $0.name == "circle" }.count == count)
}

@Test func knownPointLandsAtTheExpectedPixel() throws {
  let chart = Chart(xLabel: "x", yLabel: "y", width: 600, height: 400, xRange: -2...8, yRange: 10...30,
                    series: [.scatter(x: [3], y: [15])])
  let f = chart.frame()
  // The frame is inside the figure and leaves room for labels on the left and bottom.
  #expect(f.left > 0 && f.top > 0 && f.right < 600 && f.bottom < 400)
  #expect(f.xLower == -2 && f.xUpper == 8 && f.yLower == 10 && f.yUpper == 30)
  // x = 3 is half way across [-2, 8]; y = 15 is a quarter of the way up [10, 30].
  let expectedX = f.left + 0.5 * f.width
  let expectedY = f.top + 0.75 * f.height
  let circle = try #require(parseSVG(chart.svg())?.first { $0.name == "circle" })
  let cx = try #require(circle.number("cx"))
  let cy = try #require(circle.number("cy"))
  #expect(abs(cx - expectedX) < 0.006)
  #expect(abs(cy - expectedY) < 0.006)
}

@Test func automaticRangePadsTheDataAndTicksCoverIt() {
  let chart = Chart(series: [.scatter(x: [0, 10], y: [-5, 5])])
  let f = chart.frame()
  // 5 % of the span on each side.
  #expect(abs(f.xLower - -0.5) < 1e-12 && abs(f.xUpper - 10.5) < 1e-12)
  #expect(abs(f.yLower - -5.5) < 1e-12 && abs(f.yUpper - 5.5) < 1e-12)
  // Ticks cover the data: neither end of it is more than a step from a tick.
  #expect(f.xTicks.values.first! <= 0 + f.xTicks.step && f.xTicks.values.last! >= 10 - f.xTicks.step)
  #expect(f.yTicks.values.first! <= -5 + f.yTicks.step && f.yTicks.values.last! >= 5 - f.yTicks.step)
}

@Test func titleAndLabelsAreEscaped() throws {
  let chart = Chart(title: "a <&> b \"q\"", xLabel: "x < 1 & y", yLabel: "ρ'", series: [
    .line(intercept: 0, slope: 1, label: "<fit & more>"),
  ])
  let svg = chart.svg()
  #expect(!svg.contains("<&>"))
  #expect(svg.contains("a &lt;&amp;&gt; b &quot;q&quot;"))
  let texts = try #require(parseSVG(svg)).filter { $0.name == "text" }.map(\.text)
  #expect(texts.contains("a <&> b \"q\""))
  #expect(texts.contains("x < 1 & y"))
  #expect(texts.contains("ρ'"))
  #expect(texts.contains("<fit & more>"))
}

@Test func controlCharactersDoNotBreakTheXML() throws {
  let chart = Chart(title: "bell\u{07} null\u{0} tab\tok")
  let texts = try #require(parseSVG(chart.svg())).filter { $0.name == "text" }.map(\.text)
  #expect(texts.contains("bell\u{FFFD} null\u{FFFD} tab\tok"))
}

/// Inputs that once were (or could be) trouble for a layout.
let degenerateCharts: [(String, Chart)] = [
  ("empty chart", Chart()),
  ("empty series", Chart(series: [.scatter(x: [], y: []), .curve(x: [], y: [])])),
  ("single point", Chart(series: [.scatter(x: [2], y: [3])])),
  ("single zero point", Chart(series: [.scatter(x: [0], y: [0])])),
  ("all x equal", Chart(series: [.scatter(x: [4, 4, 4], y: [1, 2, 3])])),
  ("all y equal", Chart(series: [.curve(x: [1, 2, 3], y: [-7, -7, -7])])),
  ("nan and inf", Chart(series: [
    .scatter(x: [.nan, 1, .infinity, 2, 3], y: [1, .nan, 2, -.infinity, 4], shade: [.nan, 2, -1, 0.5, .nan]),
    .curve(x: [0, .nan, 2, 3], y: [1, 2, .infinity, 4]),
    .line(intercept: .nan, slope: 1), .line(intercept: 0, slope: .infinity),
    .horizontalLine(y: .nan), .verticalLine(x: .infinity),
  ])),
  ("only non-finite", Chart(series: [.scatter(x: [.nan, .infinity], y: [1, 2])])),
  ("mismatched lengths", Chart(series: [.scatter(x: [1, 2, 3], y: [1], shade: []), .curve(x: [1], y: [1, 2])])),
  ("huge values", Chart(series: [.scatter(x: [-1e308, 1e308], y: [1e308, -1e308]),
                                 .line(intercept: 1e308, slope: 1e308)])),
  ("tiny span", Chart(series: [.scatter(x: [1, 1 + 1e-15], y: [1e-300, 2e-300])])),
  ("subnormal", Chart(series: [.scatter(x: [.leastNonzeroMagnitude, 2000 * .leastNonzeroMagnitude], y: [0, .leastNonzeroMagnitude])])),
  ("only a line", Chart(series: [.line(intercept: 2, slope: -3, label: "l")])),
  ("only a steep line", Chart(series: [.line(intercept: 0, slope: 1e200)])),
  ("degenerate fixed ranges", Chart(xRange: 2...2, yRange: -0.0...0.0, series: [.scatter(x: [2], y: [0])])),
  ("tiny figure", Chart(title: "a very long title that cannot possibly fit", width: 1, height: 1,
                        series: [.scatter(x: [1, 2], y: [3, 4], label: "a long legend label")])),
  ("data far outside fixed range", Chart(xRange: 0...1, yRange: 0...1, series: [
    .scatter(x: [1e300, -5], y: [0.5, 1e300]), .curve(x: [-1e300, 1e300], y: [1e300, -1e300]),
  ])),
]

@Test(arguments: degenerateCharts.indices)
func degenerateInputGivesFiniteValidSVG(index: Int) throws {
  let (name, chart) = degenerateCharts[index]
  let svg = chart.svg()
  let elements = try #require(parseSVG(svg), "\(name): not well-formed")
  let lowered = svg.lowercased()
  #expect(!lowered.contains("nan") && !lowered.contains("inf"), "\(name): non-finite text in SVG")
  let f = chart.frame()
  for v in [f.left, f.top, f.width, f.height, f.xLower, f.xUpper, f.yLower, f.yUpper] {
    #expect(v.isFinite, "\(name)")
  }
  #expect(f.xUpper > f.xLower && f.yUpper > f.yLower, "\(name)")
  // Every geometric attribute is a finite number.
  let keys = ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"]
  for e in elements {
    for key in keys {
      guard let raw = e.attributes[key] else { continue }
      let v = try #require(Double(raw), "\(name): \(e.name).\(key) = \(raw)")
      #expect(v.isFinite, "\(name)")
    }
    if let d = e.attributes["d"] {
      #expect(pathPoints(d).allSatisfy { $0.x.isFinite && $0.y.isFinite }, "\(name)")
    }
  }
}

@Test func degenerateDataGetsASensibleRangeAroundIt() {
  // One point: the range is centred on it (±10 %), and contains it strictly.
  let f = Chart(series: [.scatter(x: [2], y: [-40])]).frame()
  #expect(abs(f.xLower - 1.8) < 1e-12 && abs(f.xUpper - 2.2) < 1e-12)
  #expect(abs(f.yLower - -44) < 1e-12 && abs(f.yUpper - -36) < 1e-12)
  // Zero: ±1.
  let z = Chart(series: [.scatter(x: [0], y: [0])]).frame()
  #expect(z.xLower == -1 && z.xUpper == 1)
  // No data at all: [0, 1].
  let e = Chart().frame()
  #expect(e.xLower == 0 && e.xUpper == 1 && e.yLower == 0 && e.yUpper == 1)
}

@Test func straightLineIsClippedToThePlotRectangle() throws {
  // y = 2x on [0, 10] × [0, 10] is visible from (0, 0) to (5, 10), where it leaves through the top edge.
  let chart = Chart(xRange: 0...10, yRange: 0...10, series: [.line(intercept: 0, slope: 2)])
  let f = chart.frame()
  let path = try #require(parseSVG(chart.svg())?.first { $0.name == "path" })
  let points = pathPoints(try #require(path.attributes["d"]))
  #expect(points.count == 2)
  let start = try #require(points.first)
  let end = try #require(points.last)
  #expect(abs(start.x - f.left) < 0.006 && abs(start.y - f.bottom) < 0.006)
  #expect(abs(end.x - (f.left + f.width / 2)) < 0.006 && abs(end.y - f.top) < 0.006)
}

@Test(arguments: [(-50.0, 0.3), (5, -4), (-3, 100), (0.5, 0), (1e6, 1e6), (20, 0)])
func everyLineVertexIsInsideThePlotRectangle(line: (Double, Double)) throws {
  let chart = Chart(xRange: -5...5, yRange: -2...8, series: [
    .line(intercept: line.0, slope: line.1),
    .curve(x: [-100, 0, 3, 100], y: [50, 1, -60, 7]),
  ])
  let f = chart.frame()
  let paths = try #require(parseSVG(chart.svg())).filter { $0.name == "path" }
  for p in paths {
    for v in pathPoints(p.attributes["d"] ?? "") {
      #expect(v.x >= f.left - 0.006 && v.x <= f.right + 0.006)
      #expect(v.y >= f.top - 0.006 && v.y <= f.bottom + 0.006)
    }
  }
  // The line is drawn exactly when it crosses the visible y-range somewhere on [-5, 5].
  let yAtEnds = [line.0 - 5 * line.1, line.0 + 5 * line.1]
  let visible = yAtEnds.max()! >= -2 && yAtEnds.min()! <= 8
  #expect(paths.count == (visible ? 2 : 1))
}

@Test func clippingMatchesTheClosedForm() {
  // Segment from (-1, -1) to (3, 3) against the unit square: the part on the diagonal from (0, 0) to (1, 1).
  let c = Clipping.segment(-1, -1, 3, 3, xmin: 0, xmax: 1, ymin: 0, ymax: 1)
  #expect(c?.x0 == 0 && c?.y0 == 0 && c?.x1 == 1 && c?.y1 == 1)
  #expect(c?.startClipped == true && c?.endClipped == true)
  // Entirely inside: unchanged; entirely outside: nil.
  let inside = Clipping.segment(0.2, 0.3, 0.4, 0.5, xmin: 0, xmax: 1, ymin: 0, ymax: 1)
  #expect(inside?.x0 == 0.2 && inside?.y1 == 0.5 && inside?.startClipped == false && inside?.endClipped == false)
  #expect(Clipping.segment(2, 0, 3, 1, xmin: 0, xmax: 1, ymin: 0, ymax: 1) == nil)
  #expect(Clipping.segment(-1, 2, 2, 5, xmin: 0, xmax: 1, ymin: 0, ymax: 1) == nil)
}

@Test func curveBreaksAtNonFiniteValues() throws {
  let chart = Chart(series: [.curve(x: [0, 1, 2, 3, 4], y: [0, 1, .nan, 3, 4])])
  let path = try #require(parseSVG(chart.svg())?.first { $0.name == "path" })
  let d = try #require(path.attributes["d"])
  // Two pieces: 0–1 and 3–4.
  #expect(d.filter { $0 == "M" }.count == 2)
  #expect(pathPoints(d).count == 4)
}
