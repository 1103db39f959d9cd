import Foundation
import Testing

@testable import SVGPlot

@Test func gridPlacesChartsRowByRowWithTheirOwnClipPaths() throws {
  let a = Chart(title: "ρ(u)", width: 400, height: 300, series: [.curve(x: [0, 1], y: [0, 1], label: "a")])
  let b = Chart(title: "w(u)", width: 400, height: 300, series: [.curve(x: [0, 1], y: [1, 0], label: "b")])
  let c = Chart(width: 400, height: 300)
  let grid = ChartGrid(charts: [a, b, c], columns: 2, title: "Family")
  #expect(grid.rows == 2)
  let elements = try #require(parseSVG(grid.svg()))
  let root = try #require(elements.first)
  let band = grid.titleBandHeight
  #expect(root.number("width") == 800)
  #expect(root.number("height") == band + 600)
  #expect(root.attributes["viewBox"] == "0 0 800 \(SVGText.number(band + 600))")
  let ids = elements.filter { $0.name == "clipPath" }.compactMap { $0.attributes["id"] }
  #expect(ids.count == 3 && Set(ids).count == 3)
  let transforms = elements.compactMap { $0.attributes["transform"] }.filter { $0.hasPrefix("translate") && !$0.contains("rotate") }
  #expect(transforms == [
    "translate(0,\(SVGText.number(band)))", "translate(400,\(SVGText.number(band)))",
    "translate(0,\(SVGText.number(band + 300)))",
  ])
  #expect(grid.cellOrigin(3) == (400, band + 300))
}

@Test func emptyGridIsStillValid() throws {
  let grid = ChartGrid(charts: [], columns: 0)
  let root = try #require(parseSVG(grid.svg())?.first)
  #expect(root.name == "svg" && root.number("width") == 720)
}
