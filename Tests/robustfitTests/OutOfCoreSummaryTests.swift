import Foundation
import Testing

/// The out-of-core report's residual quantiles, outlier count and R² (``DistributedResidualSummary``,
/// passes over the column file after the fit) against the fit in memory's report of the same file: to
/// 1e-12 relative (the residuals differ only as far as β̂ does), the outlier count and threshold exactly.
@Suite("robustfit --out-of-core: residual quantiles, outliers and R²")
struct OutOfCoreSummaryTests {
  /// The summary's keys of `a` against `b`'s; quantiles relative to the largest |quantile|.
  static func expectSameSummary(_ a: [String: Any], _ b: [String: Any], _ label: String) throws {
    let qa = try #require(a["residual_quantiles"] as? [String: Double], "\(label)")
    let qb = try #require(b["residual_quantiles"] as? [String: Double], "\(label)")
    #expect(qa.keys.sorted() == ["max", "median", "min", "q1", "q3"], "\(label)")
    let size = qb.values.map(abs).max() ?? 0
    for (key, value) in qb {
      #expect(abs(qa[key]! - value) <= 1e-12 * size, "\(label) \(key): \(qa[key]!) vs \(value)")
    }
    #expect(integer(a["outlier_count"]) == integer(b["outlier_count"]), "\(label) outliers")
    #expect(try number(a["outlier_threshold"]) == number(b["outlier_threshold"]), "\(label)")
    for key in ["r_squared", "adj_r_squared"] {
      if b[key] is NSNull {
        #expect(a[key] is NSNull, "\(label) \(key)")
      } else {
        let va = try number(a[key]), vb = try number(b[key])
        #expect(abs(va - vb) <= 1e-12 * abs(vb), "\(label) \(key): \(va) vs \(vb)")
      }
    }
    #expect(a["r_squared_kind"] as? String == b["r_squared_kind"] as? String, "\(label)")
  }

  static func compare(_ arguments: [String], in directory: URL? = nil, _ label: String) throws -> [String: Any] {
    let inMemory = try CLI.run(arguments + ["--format", "json"], in: directory)
    let outOfCore = try CLI.run(arguments + ["--format", "json", "--out-of-core"], in: directory)
    #expect(inMemory.status == 0 && outOfCore.status == 0, "\(label): \(inMemory.stderr) \(outOfCore.stderr)")
    let a = try parseObject(outOfCore.stdout)
    try expectSameSummary(a, try parseObject(inMemory.stdout), label)
    return a
  }

  @Test("the fixtures with l2, huber and adaptive, and --outlier-threshold",
        arguments: OutOfCoreCLITests.fixtures)
  func fixtures(_ name: String) throws {
    let path = CLI.repoRoot.appendingPathComponent("Fixtures/\(name).csv").path
    for loss in [["--loss", "l2"], ["--loss", "huber"], ["--loss", "adaptive"], ["--loss", "huber", "--outlier-threshold", "1.5"]] {
      let a = try Self.compare([path] + loss, "\(name) \(loss)")
      let passes = try #require((a["out_of_core"] as? [String: Any])?["passes"] as? [String: Any])
      #expect(integer(passes["residualHistogram"]) == 1 && integer(passes["residualValues"]) == 1, "\(passes)")
    }
  }

  @Test("case weights (whole numbers, zeros included): huber and l2 as the fit in memory with the weights",
        arguments: ["l2", "huber"])
  func weighted(loss: String) throws {
    let dir = try TempDirectory()
    try dir.write("w.csv", WeightsCLITests.weighted)
    _ = try Self.compare(["w.csv", "--x", "x", "--y", "y", "--weights", "w", "--loss", loss], in: dir.url, "weighted \(loss)")
  }

  @Test("three row groups (several batches) and data that need a change of units and origin")
  func largeAndConditioned() throws {
    let dir = try OutOfCoreCLITests.largeFile()
    for loss in ["l2", "huber"] {
      _ = try Self.compare(["large.csv", "--drop-missing", "--loss", loss, "--spill-dir", dir.url.path], in: dir.url,
                           "large \(loss)")
    }
    let text = OutOfCoreCLITests.conditionedText
    try dir.write("conditioned.csv", text)
    for loss in ["l2", "huber"] {
      _ = try Self.compare(["conditioned.csv", "--loss", loss], in: dir.url, "conditioned \(loss)")
    }
  }

  @Test("the text report has the Residuals block, the outliers and R² rows")
  func text() throws {
    let path = CLI.repoRoot.appendingPathComponent("Fixtures/line_outliers.csv").path
    let l2 = try CLI.run([path, "--out-of-core", "--loss", "l2"])
    let huber = try CLI.run([path, "--out-of-core", "--loss", "huber"])
    #expect(l2.status == 0 && huber.status == 0)
    for run in [l2, huber] {
      #expect(run.stdout.contains("Residuals:\n  Min") && run.stdout.contains("Outliers "), "\(run.stdout)")
    }
    #expect(l2.stdout.contains("R²                 0.6195, adjusted 0.6129"), "\(l2.stdout)")
    #expect(huber.stdout.contains("13 of 60 with |r|/σ̂ > 2.5"), "\(huber.stdout)")
  }
}
