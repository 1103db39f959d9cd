import Foundation
import Testing

@testable import SVGPlot

@Test func paletteColoursAreAssignedInOrderToLinesOnly() throws {
  let chart = Chart(series: [
    .scatter(x: [0, 1], y: [0, 1]),
    .line(intercept: 0, slope: 1),
    .curve(x: [0, 1], y: [1, 0], color: Color(hex: "#123456")),
    .line(intercept: 1, slope: 0),
    .horizontalLine(y: 0),
    .curve(x: [0, 1], y: [0.5, 0.5]),
  ])
  let expected: [Color] = [.darkGrey, Color.palette[0], Color(hex: "123456")!, Color.palette[1], .grey,
                           Color.palette[2]]
  #expect(chart.resolvedColors() == expected)
  let strokes = try #require(parseSVG(chart.svg())).filter { $0.name == "path" }.map { $0.attributes["stroke"] }
  #expect(strokes == [Color.palette[0].hex, "#123456", Color.palette[1].hex, Color.grey.hex, Color.palette[2].hex])
}

@Test func paletteIsElevenDistinctColours() {
  #expect(Color.palette.count == 11)
  #expect(Set(Color.palette).count == 11)
  #expect(Color.palette.contains(Color(hex: "#E69F00")!) && Color.palette.contains(Color(hex: "#0072B2")!))
  #expect(Color.palette.last == Color(hex: "#F0E442"), "yellow, faint on white, comes last")
  #expect(Color.palette(11) == Color.palette(0))
  let styles = (0..<33).map { Color.style($0) }
  #expect(Set(styles.map { "\($0.color.hex) \($0.dash)" }).count == 33)
  #expect(!styles.contains { $0.dash == .dashed })
  #expect(Color(hex: "#0072b2")?.hex == "#0072b2")
  #expect(Color(hex: "12345") == nil && Color(hex: "#zzzzzz") == nil)
}

@Test func shadingSetsFillOpacityFromHollowToSolid() throws {
  let chart = Chart(series: [.scatter(x: [0, 1, 2, 3], y: [0, 1, 2, 3], shade: [0, 0.25, 1, 7])])
  let circles = try #require(parseSVG(chart.svg())).filter { $0.name == "circle" }
  // Weight 1 (and values clamped to 1) draw fully opaque: no fill-opacity attribute.
  #expect(circles.map { $0.attributes["fill-opacity"] } == ["0", "0.25", nil, nil])
}

@Test func shadeLabelAddsARampToTheLegend() throws {
  let chart = Chart(series: [
    .scatter(x: [0, 1], y: [0, 1], shade: [1, 0], label: "data", shadeLabel: "weight 0 … 1"),
  ])
  let elements = try #require(parseSVG(chart.svg()))
  let legend = elements.filter { $0.ancestors.contains("g") && $0.name == "text" }.map(\.text)
  #expect(legend.contains("data") && legend.contains("weight 0 … 1"))
  // Two data points + one legend marker + three ramp markers (hollow, half, solid).
  let circles = elements.filter { $0.name == "circle" }
  #expect(circles.count == 6)
  #expect(circles.suffix(3).map { $0.attributes["fill-opacity"] } == ["0", "0.5", "1"])
}

/// The legend's background rectangle (the first rect inside the legend group).
func legendBox(_ elements: [ParsedElement]) -> ParsedElement? {
  guard let i = elements.firstIndex(where: { $0.attributes["class"] == "legend" }) else { return nil }
  return elements[(i + 1)...].first { $0.name == "rect" }
}

@Test func legendBoxIsWideEnoughForItsText() throws {
  let label = "adaptive (α = −0.42, c = 1.234)"
  let chart = Chart(series: [.line(intercept: 0, slope: 1, label: label), .line(intercept: 1, slope: 1, label: "L2")])
  let elements = try #require(parseSVG(chart.svg()))
  let box = try #require(legendBox(elements))
  let boxLeft = try #require(box.number("x"))
  let boxWidth = try #require(box.number("width"))
  let boxRight = boxLeft + boxWidth
  let text = try #require(elements.first { $0.name == "text" && $0.text == label })
  let textLeft = try #require(text.number("x"))
  #expect(textLeft > boxLeft)
  // At 0.6 em per character the text ends inside the box.
  #expect(textLeft + 0.6 * ChartStyle.legendFontSize * Double(label.count) <= boxRight)
  // Legend text is at least 12 px.
  #expect(ChartStyle.legendFontSize >= 12 && ChartStyle.tickFontSize >= 12)
}

@Test(arguments: [(1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)])
func automaticLegendAvoidsTheCrowdedCorner(quadrant: (Double, Double)) throws {
  // A dense cloud in one quadrant plus one point in the opposite corner: the legend must cover no point.
  var xs: [Double] = [], ys: [Double] = []
  for i in 0..<20 {
    for j in 0..<20 {
      xs.append(quadrant.0 * Double(i) / 19)
      ys.append(quadrant.1 * Double(j) / 19)
    }
  }
  xs.append(-quadrant.0)
  ys.append(-quadrant.1)
  let chart = Chart(series: [.scatter(x: xs, y: ys, label: "points"), .line(intercept: 0, slope: 0, label: "zero")])
  let elements = try #require(parseSVG(chart.svg()))
  let box = try #require(legendBox(elements))
  let (bx, by) = (try #require(box.number("x")), try #require(box.number("y")))
  let (bw, bh) = (try #require(box.number("width")), try #require(box.number("height")))
  let f = chart.frame()
  #expect(bx >= f.left && by >= f.top && bx + bw <= f.right && by + bh <= f.bottom)
  let circles = elements.filter { $0.name == "circle" && $0.ancestors.last == "g" && $0.attributes["cx"] != nil }
    .dropLast()  // the legend's own marker comes last
  for c in circles {
    let (cx, cy) = (c.number("cx")!, c.number("cy")!)
    #expect(!(cx >= bx && cx <= bx + bw && cy >= by && cy <= by + bh), "legend covers (\(cx), \(cy))")
  }
}

@Test func explicitLegendPositionIsHonoured() throws {
  let chart = Chart(legend: .bottomLeft, series: [.line(intercept: 0, slope: 1, label: "fit")])
  let elements = try #require(parseSVG(chart.svg()))
  let box = try #require(legendBox(elements))
  let f = chart.frame()
  let (x, y, h) = (box.number("x") ?? .nan, box.number("y") ?? .nan, box.number("height") ?? .nan)
  #expect(abs(x - (f.left + Legend.inset)) < 0.006)
  #expect(abs(y + h - (f.bottom - Legend.inset)) < 0.006)
  let none = Chart(legend: .none, series: [.line(intercept: 0, slope: 1, label: "fit")])
  let noneElements = try #require(parseSVG(none.svg()))
  #expect(legendBox(noneElements) == nil)
}

@Test func tickLabelsStayInsideTheFigure() throws {
  // Wide labels on both axes: the margins grow so no label leaves the figure (0.6 em per character).
  let chart = Chart(xLabel: "x", yLabel: "y", series: [.scatter(x: [1e9, 1e9 + 1e3], y: [-123456.7, 98765.4])])
  let elements = try #require(parseSVG(chart.svg()))
  let f = chart.frame()
  for t in elements where t.name == "text" && t.attributes["transform"] == nil {
    let x = try #require(t.number("x"))
    let w = 0.6 * ChartStyle.tickFontSize * Double(t.text.count)
    switch t.attributes["text-anchor"] {
    case "middle": #expect(x - w / 2 >= 0 && x + w / 2 <= f.figureWidth, "\(t.text)")
    case "end": #expect(x - w >= 0, "\(t.text)")
    default: #expect(x >= 0 && x + w <= f.figureWidth, "\(t.text)")
    }
  }
}

/// Points filling the whole data rectangle: no place inside is free for a legend.
func denseCloud(label: String = "cloud") -> Series {
  let grid = (0..<900).map { (Double($0 % 30), Double($0 / 30)) }
  return .scatter(x: grid.map(\.0), y: grid.map(\.1), label: label)
}

@Test func legendMovesOutsideWhenNoPlaceInsideIsFree() throws {
  let chart = Chart(series: [denseCloud(), .line(intercept: 0, slope: 1, label: "a fitted line")])
  let elements = try #require(parseSVG(chart.svg()))
  let box = try #require(legendBox(elements))
  let f = chart.frame()
  let x = box.number("x") ?? .nan
  let w = box.number("width") ?? .nan
  #expect(x > f.right && x + w <= f.figureWidth)
  // The plot area gave up the room: it is narrower than with no legend at all.
  var bare = chart
  bare.legend = .none
  #expect(f.width <= bare.frame().width - w + 1e-9)
}

@Test func smallPanelsKeepTheLegendInside() throws {
  // Outside, this legend would leave the plot less than 60 % of its width.
  let chart = Chart(width: 300, height: 240, series: [denseCloud(label: "a long legend label")])
  let elements = try #require(parseSVG(chart.svg()))
  let box = try #require(legendBox(elements))
  let f = chart.frame()
  let x = box.number("x") ?? .nan
  let w = box.number("width") ?? .nan
  #expect(x >= f.left && x + w <= f.right)
}
