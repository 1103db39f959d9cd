import Foundation
import Testing

/// `compare --scale/--tuning/--fixed-sigma` set c as `fit` does for every loss that has a scale, and leave
/// l1 and adaptive alone; the general loss without a 95 %-efficiency k says so.
@Suite("robustfit compare --scale/--tuning and the general-α tuning warning")
struct CompareScaleTests {
  /// The fits of `compare ... --format json`, by loss label order.
  func compareFits(_ arguments: [String], in dir: TempDirectory) throws -> [[String: Any]] {
    let result = try CLI.run(["compare", "line.csv", "--format", "json"] + arguments, in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try parseObject(result.stdout)["fits"] as? [[String: Any]])
  }

  func fitJSON(_ arguments: [String], in dir: TempDirectory) throws -> [String: Any] {
    let result = try CLI.run(["line.csv", "--format", "json"] + arguments, in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    return try parseObject(result.stdout)
  }

  @Test("--tuning K: each loss with a scale equals fit --tuning K; l1 and adaptive are as without it")
  func tuning() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let tuned = try compareFits(["--losses", "cauchy,welsch,l1,adaptive", "--tuning", "3"], in: dir)
    let plain = try compareFits(["--losses", "cauchy,welsch,l1,adaptive"], in: dir)
    for (k, loss) in ["cauchy", "welsch"].enumerated() {
      let single = try fitJSON(["--loss", loss, "--tuning", "3"], in: dir)
      #expect(tuned[k]["tuning"] as? Double == 3)
      #expect(tuned[k]["coefficients"] as? [String: Double] == single["coefficients"] as? [String: Double])
      #expect(tuned[k]["scale"] as? Double == single["scale"] as? Double)
      #expect(tuned[k]["coefficients"] as? [String: Double] != plain[k]["coefficients"] as? [String: Double])
    }
    for k in 2...3 {
      #expect(tuned[k]["coefficients"] as? [String: Double] == plain[k]["coefficients"] as? [String: Double])
    }
  }

  @Test("--scale C fixes c of every loss with a scale, as fit --scale C; --fixed-sigma as fit --fixed-sigma")
  func scaleAndFixedSigma() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let fixed = try compareFits(["--losses", "welsch,huber", "--scale", "1.5"], in: dir)
    for (k, loss) in ["welsch", "huber"].enumerated() {
      let single = try fitJSON(["--loss", loss, "--scale", "1.5"], in: dir)
      #expect(fixed[k]["scale"] as? Double == 1.5)
      #expect(fixed[k]["tuning"] is NSNull)
      #expect(fixed[k]["coefficients"] as? [String: Double] == single["coefficients"] as? [String: Double])
    }
    let held = try compareFits(["--losses", "cauchy", "--fixed-sigma"], in: dir)
    let single = try fitJSON(["--loss", "cauchy", "--fixed-sigma"], in: dir)
    #expect(held[0]["coefficients"] as? [String: Double] == single["coefficients"] as? [String: Double])
  }

  @Test("Contradictory or useless scale options are exit 64")
  func badScaleOptions() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let cases: [([String], String)] = [
      (["--scale", "1", "--tuning", "2"], "--scale fixes c and --tuning sets c = k·σ̂: give one of them"),
      (["--scale", "1", "--fixed-sigma"], "--fixed-sigma holds σ̂ in c = k·σ̂, but --scale fixes c without σ̂: "
        + "give one of them"),
      (["--losses", "l1,adaptive", "--tuning", "2"],
       "--tuning applies to no loss in the list (l1 has no scale, adaptive estimates c)"),
      (["--tuning", "0"], "--tuning must be a positive number, not 0.0"),
      (["--scale=-1"], "--scale must be a positive number, not -1.0"),
    ]
    for (arguments, message) in cases {
      let result = try CLI.run(["compare", "line.csv"] + arguments, in: dir.url)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.stderr == "robustfit: error: \(message) (see 'robustfit --help')\n", "\(arguments)")
    }
  }

  static let warningText = "no 95 %-efficiency tuning constant k exists for α = 1.8 (every k is more efficient); "
    + "using k = 1, so c = σ̂; pass --tuning K or --scale C to choose c"

  @Test("--loss general --alpha 1.8 (no 95 %-efficiency k): fits with k = 1 and warns on stderr, text and JSON")
  func generalWithoutEfficientTuning() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let text = try CLI.run(["line.csv", "--loss", "general", "--alpha", "1.8"], in: dir.url)
    #expect(text.status == 0)
    #expect(text.stderr == "robustfit: warning: \(Self.warningText)\n")
    #expect(text.stdout.contains("Warnings           \(Self.warningText)"))
    #expect(text.stdout.contains("(k = 1 × σ̂)"))
    let json = try fitJSON(["--loss", "general", "--alpha", "1.8"], in: dir)
    #expect(json["tuning"] as? Double == 1)
    #expect(json["warnings"] as? [String] == [Self.warningText])
    // The same fit as an explicit k = 1, which does not warn.
    let explicit = try CLI.run(["line.csv", "--loss", "general", "--alpha", "1.8", "--tuning", "1", "--format",
                                "json"], in: dir.url)
    #expect(explicit.stderr.isEmpty)
    let explicitJSON = try parseObject(explicit.stdout)
    #expect(explicitJSON["coefficients"] as? [String: Double] == json["coefficients"] as? [String: Double])
    #expect(explicitJSON["warnings"] as? [String] == [])
  }

  @Test("The warning is only where no k exists: not for α = 1.5, 2, 2.6 (Docs/spec.md: the gap is (1.5788, 2.5184))",
        arguments: ["1.5", "2", "2.6", "-2", "inf"])
  func noWarningOutsideTheGap(alpha: String) throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--loss", "general", "--alpha", alpha, "--format", "json"], in: dir.url)
    #expect(result.status == 0)
    #expect(!result.stderr.contains("tuning constant"))
    let tuning = try parseObject(result.stdout)["tuning"] as? Double
    if alpha != "2" { #expect(tuning != nil && tuning != 1) }
  }

  @Test("compare with general:2.4 warns once with the loss's label; --tuning silences it")
  func compareWarning() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["compare", "line.csv", "--losses", "l2,general:2.4"], in: dir.url)
    #expect(result.status == 0)
    #expect(result.stderr == "robustfit: warning: general (α = 2.4): no 95 %-efficiency tuning constant k "
      + "exists for α = 2.4 (every k is more efficient); using k = 1, so c = σ̂; pass --tuning K or --scale C "
      + "to choose c\n")
    let tuned = try CLI.run(["compare", "line.csv", "--losses", "l2,general:2.4", "--tuning", "1.5"], in: dir.url)
    #expect(tuned.stderr.isEmpty)
  }
}
