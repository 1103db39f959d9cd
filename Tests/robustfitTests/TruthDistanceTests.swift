import Foundation
import Testing

/// `compare` against the true coefficients: `--truth`, the `DATA.truth.json` found beside the data, the
/// distance column and key. Distances are recomputed here from the data file, the truth file and the
/// printed coefficients: √(mean over rows of ((a − a₀) + (b − b₀)·x)²).
@Suite("robustfit compare: distance to the true line")
struct TruthDistanceTests {
  static let fixture = CLI.repoRoot.appendingPathComponent("Fixtures/line_outliers.csv").path
  static let truthFile = CLI.repoRoot.appendingPathComponent("Fixtures/line_outliers.truth.json").path

  /// x and y of a two-column CSV with a header.
  static func columns(_ path: String) throws -> (x: [Double], y: [Double]) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var x: [Double] = [], y: [Double] = []
    for line in text.split(whereSeparator: \.isNewline).dropFirst() {
      let cells = line.split(separator: ",")
      x.append(try #require(Double(cells[0])))
      y.append(try #require(Double(cells[1])))
    }
    return (x, y)
  }

  /// The true intercept and slope recorded by the fixture generator.
  static func recordedTruth() throws -> (intercept: Double, slope: Double) {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truthFile)))
    let json = try #require(object as? [String: Any])
    return (try number(json["intercept"]), try number(json["x"]))
  }

  /// √(mean((Δa + Δb·x)²)).
  static func rmsGap(intercept: Double, slope: Double, truth: (intercept: Double, slope: Double),
                     x: [Double]) -> Double {
    let squares = x.map { xi -> Double in
      let gap = (intercept - truth.intercept) + (slope - truth.slope) * xi
      return gap * gap
    }
    return (squares.reduce(0, +) / Double(x.count)).squareRoot()
  }

  static let storyLosses = "l2,l1,pseudo-huber,welsch,geman-mcclure,cauchy,adaptive"

  @Test("The truth file beside the data is used, with a note; each fit's distance_to_truth is the RMS gap")
  func automaticTruthJSON() throws {
    let result = try CLI.run(["compare", Self.fixture, "--losses", Self.storyLosses, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("robustfit: distances to the true coefficients in \(Self.truthFile) "
      + "(found beside the data"))
    let json = try parseObject(result.stdout)
    let truth = try Self.recordedTruth()
    let truthObject = try #require(json["truth"] as? [String: Any])
    #expect(truthObject["source"] as? String == Self.truthFile)
    #expect(truthObject["coefficients"] as? [String: Double] == ["intercept": truth.intercept, "x": truth.slope])
    let x = try Self.columns(Self.fixture).x
    let fits = try #require(json["fits"] as? [[String: Any]])
    #expect(fits.count == 7)
    var distance: [String: Double] = [:]
    for fit in fits {
      let beta = try #require(fit["coefficients"] as? [String: Double])
      let expected = Self.rmsGap(intercept: try #require(beta["intercept"]), slope: try #require(beta["x"]),
                                 truth: truth, x: x)
      let printed = try number(fit["distance_to_truth"])
      #expect(abs(printed - expected) <= 1e-12 * expected, "\(fit["loss"] ?? "")")
      distance[try #require(fit["loss"] as? String)] = printed
    }
    // The story of the video (Docs/reproduction.md), from the recorded truth: L2 is the farthest, the redescending
    // losses beat L1, and the adaptive fit is within 10 % of the best fixed loss.
    let l2 = try #require(distance["l2"])
    #expect(distance.values.allSatisfy { $0 <= l2 })
    for loss in ["welsch", "geman-mcclure", "cauchy"] {
      #expect(try #require(distance[loss]) < (try #require(distance["l1"])), "\(loss)")
    }
    let bestFixed = distance.filter { $0.key != "adaptive" }.values.min()!
    #expect(try #require(distance["adaptive"]) <= 1.1 * bestFixed)
  }

  @Test("--truth with numbers gives the same distances; the text table has a distance column and a footnote")
  func explicitTruthText() throws {
    let truth = try Self.recordedTruth()
    let numbers = "\(truth.intercept),\(truth.slope)"
    let text = try CLI.run(["compare", Self.fixture, "--losses", "l2,cauchy", "--truth", numbers])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(!text.stderr.contains("found beside the data"))
    let lines = text.stdout.split(separator: "\n").map(String.init)
    let header = try #require(lines.first { $0.hasPrefix("loss ") })
    #expect(header.split(separator: " ").map(String.init).prefix(4) == ["loss", "intercept", "x", "distance"])
    #expect(text.stdout.contains("distance: RMS over the rows of X(β − β₀), units of y; β₀ from --truth:"))
    let json = try parseObject(try CLI.run(["compare", Self.fixture, "--losses", "l2,cauchy", "--truth", numbers,
                                            "--format", "json"]).stdout)
    let auto = try parseObject(try CLI.run(["compare", Self.fixture, "--losses", "l2,cauchy",
                                            "--format", "json"]).stdout)
    let a = try #require(json["fits"] as? [[String: Any]]).map { $0["distance_to_truth"] as? Double }
    let b = try #require(auto["fits"] as? [[String: Any]]).map { $0["distance_to_truth"] as? Double }
    #expect(a == b)
    #expect(a.allSatisfy { $0 != nil })
    // The row's distance cell is the JSON value rounded to four significant digits.
    let l2Row = try #require(lines.first { $0.hasPrefix("l2 ") }).split(separator: " ").map(String.init)
    #expect(l2Row[3] == String(format: "%.4g", try #require(a[0])))
  }

  @Test("--truth FILE reads a truth JSON (extra keys such as generation are ignored)")
  func truthFile() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    try dir.write("t.json", #"{"intercept": 1, "x": 2, "generation": {"seed": 1}, "note": "y = 1 + 2x"}"#)
    let result = try CLI.run(["compare", "line.csv", "--losses", "l2", "--truth", "t.json", "--format", "json"],
                             in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try parseObject(result.stdout)
    let fit = try #require((json["fits"] as? [[String: Any]])?.first)
    let beta = try #require(fit["coefficients"] as? [String: Double])
    let expected = Self.rmsGap(intercept: beta["intercept"]!, slope: beta["x"]!, truth: (1, 2), x: TestData.line.x)
    #expect(abs(try number(fit["distance_to_truth"]) - expected) <= 1e-12 * expected)
  }

  @Test("Without a truth there is no distance column and truth is null; --no-truth skips the file beside the data")
  func noTruth() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let plain = try CLI.run(["compare", "line.csv", "--losses", "l2", "--format", "json"], in: dir.url)
    #expect(try parseObject(plain.stdout)["truth"] is NSNull)
    let skipped = try CLI.run(["compare", Self.fixture, "--losses", "l2", "--no-truth"])
    #expect(skipped.status == 0)
    #expect(!skipped.stdout.contains("distance"))
    #expect(skipped.stderr.isEmpty)
  }

  @Test("Bad truths: wrong count (64), missing file (1), a file without the model's keys (65), contradictions (64)")
  func badTruth() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    try dir.write("wrong.json", #"{"intercept": 1, "slope": 2}"#)
    try dir.write("list.json", "[1, 2]")
    let count = try CLI.run(["compare", "line.csv", "--truth", "1,2,3"], in: dir.url)
    #expect(count.status == 64)
    #expect(count.stderr == "robustfit: error: --truth has 3 numbers but the model has 2 coefficients "
      + "(intercept, x)\n")
    let missing = try CLI.run(["compare", "line.csv", "--truth", "nope.json"], in: dir.url)
    #expect(missing.status == 1)
    #expect(missing.stderr.hasPrefix("robustfit: error: nope.json: no such file"))
    let wrong = try CLI.run(["compare", "line.csv", "--truth", "wrong.json"], in: dir.url)
    #expect(wrong.status == 65)
    #expect(wrong.stderr == "robustfit: error: wrong.json: no true coefficient for \"x\"\n")
    let list = try CLI.run(["compare", "line.csv", "--truth", "list.json"], in: dir.url)
    #expect(list.status == 65)
    #expect(list.stderr.hasPrefix("robustfit: error: list.json: expected a JSON object"))
    let both = try CLI.run(["compare", "line.csv", "--truth", "1,2", "--no-truth"], in: dir.url)
    #expect(both.status == 64)
    let infinite = try CLI.run(["compare", "line.csv", "--truth", "1,inf"], in: dir.url)
    #expect(infinite.status == 64)
  }

  @Test("A truth file beside the data that does not fit the model is skipped with a warning")
  func mismatchedCompanion() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    try dir.write("line.truth.json", #"{"intercept": 1, "x1": 2}"#)
    let result = try CLI.run(["compare", "line.csv", "--losses", "l2"], in: dir.url)
    #expect(result.status == 0)
    #expect(result.stderr.contains("robustfit: warning: not using line.truth.json"))
    #expect(!result.stdout.contains("distance"))
  }

  @Test("compare --plot with a truth draws the true line and puts each distance in the legend")
  func plotWithTruth() throws {
    let dir = try TempDirectory()
    let result = try CLI.run(["compare", Self.fixture, "--losses", "l2,cauchy,adaptive", "--plot", "p.svg"],
                             in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let svg = try String(contentsOfFile: dir.path("p.svg"), encoding: .utf8)
    #expect(isWellFormedXML(svg))
    #expect(svg.contains(">true line<"))
    #expect(svg.contains(">l2: distance "))
    #expect(svg.contains(">adaptive (α = "))
  }
}
