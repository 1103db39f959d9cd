import Foundation
import Testing

/// The figures of issue 15: `--diagnostics`, `compare --plot` with several predictors, one colour per loss,
/// Unicode minus signs on the ticks, and `--figure-size`.
@Suite("Diagnostics figure, per-loss panels, colours and sizes")
struct DiagnosticsFigureTests {
  /// The texts inside the `<g class="point-labels">` groups, one array per group.
  static func pointLabels(_ svg: String) -> [[String]] {
    svg.components(separatedBy: "<g class=\"point-labels\"").dropFirst().map { group in
      let body = group.components(separatedBy: "</g>")[0]
      return body.components(separatedBy: "<text").dropFirst().compactMap { text in
        text.split(separator: ">", maxSplits: 1).last.map { String($0.prefix { $0 != "<" }) }
      }
    }
  }

  /// The number of grid cells (`<g transform="translate(...)">`).
  static func panels(_ svg: String) -> Int {
    svg.components(separatedBy: "<g transform=\"translate(").count - 1
  }

  /// The texts of all `<text>` elements.
  static func texts(_ svg: String) -> [String] {
    svg.components(separatedBy: "<text").dropFirst().compactMap { text in
      text.split(separator: ">", maxSplits: 1).last.map { String($0.prefix { $0 != "<" }) }
    }
  }

  @Test("--diagnostics: a valid SVG with four panels, the flagged observations labelled by number")
  func diagnosticsFigure() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let result = try CLI.run(["stackloss.csv", "--diagnostics", "d.svg", "--format", "json"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let flagged = try #require(try parseObject(result.stdout)["outliers"] as? [Double]).map { Int($0) }
    #expect(flagged == [4, 21])
    let svg = try String(contentsOfFile: dir.path("d.svg"), encoding: .utf8)
    #expect(isWellFormedXML(svg))
    #expect(Self.panels(svg) == 4)
    let texts = Self.texts(svg)
    for title in ["Residuals vs fitted", "Normal Q–Q", "Weights", "Outlier map",
                  "leverage hᵢ of the final weighted fit", "±2.5σ̂: outlier threshold", "line through the quartiles"] {
      #expect(texts.contains(title), "\(title)")
    }
    // Every panel labels exactly the flagged observations (observation numbers, not file lines 5 and 22).
    let labels = Self.pointLabels(svg)
    #expect(labels.count == 4)
    for group in labels { #expect(Set(group) == Set(flagged.map(String.init)), "\(group)") }
  }

  @Test("--diagnostics with many outliers labels at most eight per panel, the largest |r|/σ̂ first")
  func diagnosticsLabelsAtMostEight() throws {
    let dir = try TempDirectory()
    let file = CLI.repoRoot.appendingPathComponent("Fixtures/line_outliers.csv").path
    let result = try CLI.run([file, "--loss", "cauchy", "--diagnostics", "d.svg", "--format", "json"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try parseObject(result.stdout)
    let flagged = try #require(json["outliers"] as? [Double]).map { Int($0) }
    #expect(flagged.count > 8)
    let svg = try String(contentsOfFile: dir.path("d.svg"), encoding: .utf8)
    for group in Self.pointLabels(svg) {
      #expect(!group.isEmpty && group.count <= 8)
      #expect(Set(group).isSubset(of: Set(flagged.map(String.init))))
    }
  }

  @Test("compare --plot with p > 1: one residuals-vs-fitted panel per loss, titled by loss, no 'fitted line'")
  func comparePanelsPerLoss() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let result = try CLI.run(["compare", "stackloss.csv", "--losses", "l2,huber,tukey", "--plot", "c.svg"],
                             in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let svg = try String(contentsOfFile: dir.path("c.svg"), encoding: .utf8)
    #expect(isWellFormedXML(svg))
    #expect(Self.panels(svg) == 3)
    let texts = Self.texts(svg)
    for loss in ["l2", "huber", "tukey"] { #expect(texts.contains(loss), "\(loss)") }
    #expect(texts.contains("stackloss.csv: residuals against fitted values, one panel per loss"))
    #expect(!svg.contains("fitted line"))
    // One predictor keeps the single figure with one line per loss, and says so.
    try dir.write("line.csv", TestData.lineCSV)
    #expect(try CLI.run(["compare", "line.csv", "--losses", "l2,huber", "--plot", "l.svg"], in: dir.url).status == 0)
    let line = try String(contentsOfFile: dir.path("l.svg"), encoding: .utf8)
    #expect(Self.panels(line) == 0)
    #expect(Self.texts(line).contains("line.csv: one fitted line per loss"))
  }

  @Test("The default ten-loss compare: no two losses share a colour and dash, in either figure")
  func oneStylePerLoss() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    try dir.write("stackloss.csv", TestData.stackloss)
    #expect(try CLI.run(["compare", "line.csv", "--plot", "l.svg"], in: dir.url).status == 0)
    let line = try String(contentsOfFile: dir.path("l.svg"), encoding: .utf8)
    // The legend's line swatches: one per loss (no truth file here).
    let legend = line.components(separatedBy: "<g class=\"legend\">")[1].components(separatedBy: "</g>")[0]
    let swatches = legend.components(separatedBy: "<line ").dropFirst().map { element -> String in
      let attributes = element.prefix { $0 != ">" }
      let stroke = attributes.components(separatedBy: "stroke=\"")[1].prefix { $0 != "\"" }
      let dash = attributes.components(separatedBy: "stroke-dasharray=\"").dropFirst().first?.prefix { $0 != "\"" }
      return "\(stroke) \(dash ?? "solid")"
    }
    #expect(swatches.count == 10)
    #expect(Set(swatches).count == 10, "\(swatches)")
    #expect(Set(swatches.map { $0.prefix(7) }).count == 10, "ten colours: \(swatches)")
    // The per-loss panels: each loss's points in its own colour.
    #expect(try CLI.run(["compare", "stackloss.csv", "--plot", "s.svg"], in: dir.url).status == 0)
    let panels = try String(contentsOfFile: dir.path("s.svg"), encoding: .utf8)
    #expect(Self.panels(panels) == 10)
    let fills = panels.components(separatedBy: "<g fill=\"").dropFirst().map { String($0.prefix(7)) }
    #expect(fills.count == 10 && Set(fills).count == 10, "\(fills)")
  }

  @Test("Tick labels use the minus sign U+2212, never a hyphen")
  func unicodeMinusOnTicks() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    #expect(try CLI.run(["stackloss.csv", "--plot", "r.svg"], in: dir.url).status == 0)
    let svg = try String(contentsOfFile: dir.path("r.svg"), encoding: .utf8)
    let numbers = Self.texts(svg).filter { $0.first.map { $0.isNumber || $0 == "-" || $0 == "\u{2212}" } ?? false }
    #expect(numbers.contains { $0.hasPrefix("\u{2212}") }, "residuals below 0 have negative ticks: \(numbers)")
    #expect(!numbers.contains { $0.contains("-") }, "\(numbers)")
  }

  @Test("--figure-size WxH (points, or inches with 'in'): width and height in pt, the viewBox 1.5× in units")
  func figureSize() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let plain = try CLI.run(["stackloss.csv", "--plot", "a.svg"], in: dir.url)
    #expect(plain.status == 0)
    #expect(try String(contentsOfFile: dir.path("a.svg"), encoding: .utf8).contains("width=\"720\" height=\"480\""))
    for size in ["252x180", "3.5x2.5in", "252×180pt"] {
      let result = try CLI.run(["stackloss.csv", "--plot", "b.svg", "--figure-size", size], in: dir.url)
      #expect(result.status == 0, "\(size): \(result.stderr)")
      let svg = try String(contentsOfFile: dir.path("b.svg"), encoding: .utf8)
      #expect(svg.contains("width=\"252pt\" height=\"180pt\" viewBox=\"0 0 378 270\""), "\(size)")
      #expect(svg.contains("font-size=\"12\""), "the 12-unit tick text prints at 8 pt")
    }
    // The diagnostics grid and the compare panels take the size as a whole.
    let grid = try CLI.run(["stackloss.csv", "--diagnostics", "d.svg", "--figure-size", "504x400"], in: dir.url)
    #expect(grid.status == 0)
    #expect(try String(contentsOfFile: dir.path("d.svg"), encoding: .utf8)
      .contains("width=\"504pt\" height=\"400pt\" viewBox=\"0 0 756 600\""))
    let compare = try CLI.run(["compare", "stackloss.csv", "--losses", "l2,huber", "--plot", "c.svg",
                               "--figure-size", "7x3in"], in: dir.url)
    #expect(compare.status == 0)
    #expect(try String(contentsOfFile: dir.path("c.svg"), encoding: .utf8).contains("width=\"504pt\" height=\"216pt\""))
    // Refused: too small, malformed, and without a figure to size.
    for (arguments, message) in [
      (["--plot", "b.svg", "--figure-size", "50x50"], "each side must lie within 100 to 5000 pt"),
      (["--plot", "b.svg", "--figure-size", "252"], "expected WIDTHxHEIGHT"),
      (["--figure-size", "252x180"], "--figure-size applies only with --plot, --diagnostics or --profile-plot"),
    ] {
      let result = try CLI.run(["stackloss.csv"] + arguments, in: dir.url)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.stderr.contains(message), "\(result.stderr)")
    }
  }

  @Test("--diagnostics and --plot naming the same file is exit 64")
  func sameFile() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let result = try CLI.run(["stackloss.csv", "--plot", "a.svg", "--diagnostics", "a.svg"], in: dir.url)
    #expect(result.status == 64)
    #expect(result.stderr.contains("--plot and --diagnostics name the same file"))
  }
}
