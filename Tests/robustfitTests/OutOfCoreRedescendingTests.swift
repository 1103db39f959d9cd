import Foundation
import Testing

/// The redescending losses out of core above the distributed fit's driver limit (the S-estimate of all
/// rows as the start, then IRLS with c = k·σ̂ as passes): the fit in memory's numbers to 1e-10.
extension OutOfCoreCLITests {
  /// 80 000 rows (two row groups) of y = 1 + 0.5a − 0.25b + 2c + noise with 10 % outliers in y and 5 %
  /// bad leverage points (a ≈ 12, y ≈ −30); with `weights`, a column w of whole numbers 0–3.
  static func leverageFile(weights: Bool) throws -> TempDirectory {
    var state: UInt64 = 0x1E7E
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    var text = weights ? "a,b,c,y,w\n" : "a,b,c,y\n"
    for i in 0..<80_000 {
      var a = uniform() * 4 - 2
      let b = uniform() * 10, c = uniform() - 0.5
      var y = 1 + 0.5 * a - 0.25 * b + 2 * c + (uniform() - 0.5) * 0.6
      if i % 20 == 3 {
        a = 12 + uniform()
        y = -30 + uniform()
      } else if i % 10 == 0 {
        y += 15 + uniform() * 10
      }
      text += "\(a),\(b),\(c),\(y)" + (weights ? ",\(Int(uniform() * 4))\n" : "\n")
    }
    let dir = try TempDirectory()
    try dir.write("leverage.csv", text)
    return dir
  }

  @Test("redescending losses above the driver limit, with --tuning and --weights: the fit in memory's numbers to 1e-10",
        arguments: [["--loss", "cauchy"], ["--loss", "geman-mcclure"], ["--loss", "welsch"], ["--loss", "tukey"],
                    ["--loss", "general", "--alpha", "0.5"], ["--loss", "general", "--alpha", "-4"],
                    ["--loss", "cauchy", "--tuning", "3"], ["--loss", "tukey", "--weights", "w"]])
  func redescendingAboveTheDriverLimit(_ loss: [String]) throws {
    let dir = try Self.leverageFile(weights: loss.contains("--weights"))
    let base = ["leverage.csv", "--format", "json"] + loss
    let inMemory = try CLI.run(base, in: dir.url)
    let outOfCore = try CLI.run(base + ["--out-of-core", "--spill-dir", dir.url.path], in: dir.url)
    #expect(inMemory.status == 0 && outOfCore.status == 0, "\(loss): \(inMemory.stderr) \(outOfCore.stderr)")
    let a = try parseObject(outOfCore.stdout), b = try parseObject(inMemory.stdout)
    try Self.expectSame(a, b, tolerance: 1e-10, "\(loss)")
    let passes = try #require((a["out_of_core"] as? [String: Any])?["passes"] as? [String: Any])
    #expect(passes["sampleRows"] != nil && passes["sRefinement"] != nil && passes["rows"] == nil, "\(passes)")
    // Resistant to the leverage points: the slope of a within 0.05 of 0.5.
    let slope = try #require((a["coefficients"] as? [String: Double])?["a"])
    #expect(abs(slope - 0.5) < 0.05, "\(loss): \(slope)")
  }

  @Test("redescending losses out of core: --start ols and, above the driver limit, --scale are refused in one line")
  func redescendingRefusals() throws {
    let dir = try Self.leverageFile(weights: false)
    let cases: [([String], Int32, String)] = [
      (["--loss", "cauchy", "--start", "ols"], 64, "--start ols does not run out of core with --loss cauchy"),
      (["--loss", "welsch", "--scale", "2"], 65, "a fixed scale for the welsch fit of 80000 rows"),
    ]
    for (arguments, status, message) in cases {
      let run = try CLI.run(["leverage.csv", "--out-of-core", "--spill-dir", dir.url.path] + arguments, in: dir.url)
      #expect(run.status == status, "\(arguments): \(run.status) \(run.stderr)")
      #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
      #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "\(arguments): \(run.stderr)")
    }
  }
}
