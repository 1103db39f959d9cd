import Foundation
import Testing

/// `--weights COL` (issue 15, item 1): a file with case weights fits as the file with each row repeated.
@Suite("robustfit --weights: case weights from a column")
struct WeightsCLITests {
  /// A line with two outliers and weights 0–3, and the same rows repeated by their weights.
  static let rows: [(x: Double, y: Double, w: Int)] = (0..<24).map { i in
    let x = Double(i) * 0.5
    var y = 1 + 2 * x + 0.3 * sin(Double(i) * 1.3)
    if i == 5 { y += 12 }
    if i == 17 { y -= 9 }
    return (x, y, [1, 2, 3, 0][i % 4])
  }
  static var weighted: String { "x,y,w\n" + rows.map { "\($0.x),\($0.y),\($0.w)\n" }.joined() }
  static var repeated: String {
    "x,y\n" + rows.flatMap { r in Array(repeating: "\(r.x),\(r.y)\n", count: r.w) }.joined()
  }

  @Test("coefficients, standard errors, scales and df equal the repeated file's", arguments: ["l2", "huber", "l1", "adaptive", "tukey"])
  func repetition(loss: String) throws {
    let dir = try TempDirectory()
    try dir.write("w.csv", Self.weighted)
    try dir.write("r.csv", Self.repeated)
    // Tukey and adaptive start from the S-estimate, whose random subsets differ between the two files:
    // a common start (Huber) makes the comparison exact.
    let start = ["tukey", "adaptive"].contains(loss) ? ["--start", "huber"] : []
    let a = try CLI.run(["w.csv", "--x", "x", "--y", "y", "--weights", "w", "--loss", loss, "--format", "json"] + start, in: dir.url)
    let b = try CLI.run(["r.csv", "--loss", loss, "--format", "json"] + start, in: dir.url)
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    let ja = try parseObject(a.stdout), jb = try parseObject(b.stdout)
    for key in ["coefficients", "standard_errors"] {
      let ca = try #require(ja[key] as? [String: Double]), cb = try #require(jb[key] as? [String: Double])
      for (name, value) in cb { #expect(abs(ca[name]! - value) <= 1e-7 * max(1, abs(value)), "\(loss) \(key) \(name)") }
    }
    #expect(ja["degrees_of_freedom"] as? Int == jb["degrees_of_freedom"] as? Int)
    let sum = try number(ja["weights_sum"]), oa = try number(ja["objective"]), ob = try number(jb["objective"])
    #expect(ja["weights"] as? String == "w" && sum == 36)
    #expect(abs(oa - ob) <= 1e-7 * max(1, abs(ob)), "\(loss) objective \(oa) vs \(ob)")
  }

  @Test("bad weights: negative (row and column named), the response or a predictor, and the default response skips them")
  func errors() throws {
    let dir = try TempDirectory()
    try dir.write("w.csv", Self.weighted.replacingOccurrences(of: ",3\n", with: ",-3\n"))
    let negative = try CLI.run(["w.csv", "--y", "y", "--x", "x", "--weights", "w"], in: dir.url)
    #expect(negative.status == 65)
    #expect(negative.stderr.contains("row 4, column 3 (\"w\"): the case weight -3 is negative"))
    try dir.write("ok.csv", Self.weighted)
    let both = try CLI.run(["ok.csv", "--y", "w", "--weights", "w"], in: dir.url)
    #expect(both.status == 64 && both.stderr.contains("is both the response and the case weights"))
    let predictor = try CLI.run(["ok.csv", "--x", "x,w", "--weights", "w"], in: dir.url)
    #expect(predictor.status == 64 && predictor.stderr.contains("is both a predictor and the case weights"))
    let defaults = try CLI.run(["ok.csv", "--weights", "w", "--format", "json"], in: dir.url)
    let json = try parseObject(defaults.stdout)
    #expect(json["y"] as? String == "y" && (json["coefficients"] as? [String: Double])?.keys.sorted() == ["intercept", "x"])
  }
}
