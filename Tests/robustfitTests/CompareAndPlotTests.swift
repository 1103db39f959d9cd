import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Whether `text` is well-formed XML (what a browser needs to open an SVG).
func isWellFormedXML(_ text: String) -> Bool {
  XMLParser(data: Data(text.utf8)).parse()
}

@Suite("robustfit compare and --plot")
struct CompareAndPlotTests {
  @Test("compare --format json: one object per listed loss, in order, each equal to robustfit fit's JSON")
  func compareJSONMatchesFit() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["compare", "line.csv", "--losses", "l2,cauchy,general:-inf,adaptive",
                              "--format", "json"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try parseObject(result.stdout)
    let fits = try #require(json["fits"] as? [[String: Any]])
    #expect(fits.map { $0["loss"] as? String } == ["l2", "cauchy", "general", "adaptive"])
    let single: [[String]] = [["--loss", "l2"], ["--loss", "cauchy"], ["--loss", "general", "--alpha", "-inf"],
                              ["--loss", "adaptive"]]
    for (k, args) in single.enumerated() {
      let one = try parseObject(try CLI.run(["line.csv", "--format", "json"] + args, in: dir.url).stdout)
      #expect(fits[k]["coefficients"] as? [String: Double] == one["coefficients"] as? [String: Double])
      #expect(fits[k]["objective"] as? Double == one["objective"] as? Double)
    }
  }

  @Test("compare text: one row per loss, the default list is the eight named losses and adaptive")
  func compareTextDefaultList() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["compare", "line.csv"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let firstCells = result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    for loss in ["l2", "l1", "huber", "pseudo-huber", "cauchy", "geman-mcclure", "welsch", "tukey", "adaptive"] {
      #expect(firstCells.contains(loss), "\(loss)")
    }
  }

  @Test("compare --losses with an unknown name or a general without α is exit 64")
  func compareBadList() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let unknown = try CLI.run(["compare", "line.csv", "--losses", "l2,nope"], in: dir.url)
    #expect(unknown.status == 64)
    #expect(unknown.stderr.hasPrefix("robustfit: error: unknown loss 'nope' in --losses"))
    let general = try CLI.run(["compare", "line.csv", "--losses", "general"], in: dir.url)
    #expect(general.status == 64)
  }

  @Test("fit --plot with one predictor: an SVG with the points, the line and the weight legend")
  func plotOnePredictor() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--loss", "cauchy", "--plot", "fit.svg"], in: dir.url)
    #expect(result.status == 0)
    let svg = try String(contentsOfFile: dir.path("fit.svg"), encoding: .utf8)
    #expect(svg.contains("<svg"))
    #expect(isWellFormedXML(svg))
    #expect(svg.contains("IRLS weight"))
    #expect(svg.components(separatedBy: "<circle").count - 1 >= 20)
  }

  @Test("compare --plot: one line per loss with a legend; the adaptive one labelled with its α")
  func comparePlotLegend() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["compare", "line.csv", "--losses", "l2,l1,cauchy,adaptive", "--plot", "cmp.svg"],
                             in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let svg = try String(contentsOfFile: dir.path("cmp.svg"), encoding: .utf8)
    #expect(isWellFormedXML(svg))
    for label in ["l2", "l1", "cauchy", "adaptive (α = "] {
      #expect(svg.contains(">" + label), "\(label)")
    }
  }

  @Test("--plot with several predictors: residuals against fitted values")
  func plotResiduals() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let result = try CLI.run(["stackloss.csv", "--plot", "res.svg"], in: dir.url)
    #expect(result.status == 0)
    let svg = try String(contentsOfFile: dir.path("res.svg"), encoding: .utf8)
    #expect(isWellFormedXML(svg))
    #expect(svg.contains(">residual<"))
    #expect(svg.contains("fitted stack.loss"))
  }
}
