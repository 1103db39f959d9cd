import Foundation
import Testing
@testable import TabularIO

/// The out-of-core fit (issue 17, item 4; Docs/scaling.md): the same coefficients, standard errors and
/// scales as the fit in memory, on the fixtures and on a file of several row groups read on every core;
/// the automatic choice and its note; the options it refuses, each with a one-line reason.
@Suite("robustfit --out-of-core")
struct OutOfCoreCLITests {
  static let fixtures = ["line_outliers", "gaussian_line", "heavy_tailed", "multi_outliers", "seventy_thirty", "stackloss"]
  static let losses: [[String]] = [["--loss", "l2"], ["--loss", "huber"], ["--loss", "pseudo-huber"],
                                   ["--loss", "general", "--alpha", "1.5"], ["--loss", "general", "--alpha", "3"], ["--loss", "huber", "--scale", "0.8"],
                                   ["--loss", "huber", "--tuning", "2"]]

  /// The JSON keys both reports share, compared to `tolerance` relative.
  static func expectSame(_ a: [String: Any], _ b: [String: Any], tolerance: Double, _ label: String,
                         keys: [String] = ["coefficients", "standard_errors", "t_values", "p_values"]) throws {
    for key in keys {
      let ca = try #require(a[key] as? [String: Double], "\(label) \(key)")
      let cb = try #require(b[key] as? [String: Double], "\(label) \(key)")
      #expect(ca.keys.sorted() == cb.keys.sorted(), "\(label) \(key)")
      for (name, value) in cb {
        let scale = key == "p_values" ? max(abs(value), 1e-300) : max(abs(value), 1e-12)
        #expect(abs(ca[name]! - value) <= tolerance * scale, "\(label) \(key) \(name): \(ca[name]!) vs \(value)")
      }
    }
    for key in ["scale", "sigma", "objective"] {
      let va = try number(a[key]), vb = try number(b[key])
      #expect(abs(va - vb) <= tolerance * max(abs(vb), 1e-300), "\(label) \(key): \(va) vs \(vb)")
    }
    for key in ["n", "p", "degrees_of_freedom", "iterations"] {
      #expect(integer(a[key]) == integer(b[key]), "\(label) \(key)")
    }
    #expect(a["termination"] as? String == b["termination"] as? String, "\(label) termination")
  }

  @Test("the fixtures: the fit in memory's numbers to 1e-10", arguments: fixtures)
  func fixtureParity(_ name: String) throws {
    let path = CLI.repoRoot.appendingPathComponent("Fixtures/\(name).csv").path
    for loss in Self.losses {
      let inMemory = try CLI.run([path, "--format", "json"] + loss)
      let outOfCore = try CLI.run([path, "--format", "json", "--out-of-core"] + loss)
      #expect(inMemory.status == 0 && outOfCore.status == 0, "\(name) \(loss): \(inMemory.stderr) \(outOfCore.stderr)")
      let a = try parseObject(outOfCore.stdout)
      try Self.expectSame(a, try parseObject(inMemory.stdout), tolerance: 1e-10, "\(name) \(loss)")
      let extra = try #require(a["out_of_core"] as? [String: Any])
      #expect(integer(extra["bytes"]) ?? 0 > 0 && (extra["passes"] as? [String: Any])?["run"] != nil)
    }
  }

  /// A file of 150 000 rows (three row groups of 65 536, the last partial) with outliers and rows with a
  /// missing cell, read in pieces on every core.
  static func largeFile() throws -> TempDirectory {
    var state: UInt64 = 0x5EED
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    var text = "a,b,c,y\n"
    for i in 0..<150_000 {
      let a = uniform() * 4 - 2, b = uniform() * 10, c = uniform() - 0.5
      var y = 1 + 0.5 * a - 0.25 * b + 2 * c + (uniform() - 0.5) * 0.6
      if i % 37 == 0 { y += 15 + uniform() * 10 }
      text += i % 10_007 == 5 ? "\(a),NA,\(c),\(y)\n" : "\(a),\(b),\(c),\(y)\n"
    }
    let dir = try TempDirectory()
    try dir.write("large.csv", text)
    return dir
  }

  @Test("several row groups, dropped rows and standard input: the fit in memory's numbers to 1e-10")
  func largeParity() throws {
    let dir = try Self.largeFile()
    for loss in [["--loss", "huber"], ["--loss", "general", "--alpha", "1"]] {
      let base = ["--drop-missing", "--format", "json"] + loss
      let inMemory = try CLI.run(["large.csv"] + base, in: dir.url)
      let outOfCore = try CLI.run(["large.csv", "--out-of-core", "--spill-dir", dir.url.path] + base, in: dir.url)
      #expect(inMemory.status == 0 && outOfCore.status == 0, "\(inMemory.stderr) \(outOfCore.stderr)")
      #expect(outOfCore.stderr.contains("dropped 15 rows with missing or non-numeric values"), "\(outOfCore.stderr)")
      let a = try parseObject(outOfCore.stdout)
      try Self.expectSame(a, try parseObject(inMemory.stdout), tolerance: 1e-10, "large \(loss)")
      #expect(integer(a["dropped_rows"]) == 15 && integer(a["n"]) == 149_985)
      #expect(integer((a["out_of_core"] as? [String: Any])?["bytes"]) == 149_985 * 4 * 8)
    }
    let text = try Data(contentsOf: dir.url.appendingPathComponent("large.csv"))
    let piped = try CLI.run(["-", "--out-of-core", "--drop-missing", "--format", "json"], in: dir.url, stdin: text)
    let file = try CLI.run(["large.csv", "--drop-missing", "--format", "json"], in: dir.url)
    #expect(piped.status == 0, "\(piped.stderr)")
    try Self.expectSame(try parseObject(piped.stdout), try parseObject(file.stdout), tolerance: 1e-10, "stdin")
    // The column file is unlinked at once: nothing is left in the spill directory.
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasPrefix("robustfit-columns") }
    #expect(left.isEmpty)
  }

  /// 5000 rows that need a change of units and origin: an epoch timestamp t, b, and y in units of 1e-200
  /// (every 37th row an outlier).
  static var conditionedText: String {
    var state: UInt64 = 0xC0FFEE
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    var text = "t,b,y\n"
    for i in 0..<5_000 {
      let t = 1.7e9 + (uniform() * 1e5).rounded(), b = uniform() * 10
      var y = 1 + 3e-5 * (t - 1.7e9) - 0.25 * b + (uniform() - 0.5) * 0.6
      if i % 37 == 0 { y += 15 + uniform() * 10 }
      text += "\(t),\(b),\(y * 1e-200)\n"
    }
    return text
  }

  @Test("data that need a change of units or origin (an epoch timestamp, y in units of 1e-200): the fit in memory's numbers to 1e-10")
  func conditionedParity() throws {
    let text = Self.conditionedText
    let dir = try TempDirectory()
    try dir.write("conditioned.csv", text)
    for loss in [["--loss", "l2"], ["--loss", "huber"], ["--loss", "general", "--alpha", "1.5"], ["--loss", "general", "--alpha", "3"], ["--loss", "tukey"]] {
      let base = ["conditioned.csv", "--format", "json"] + loss
      let inMemory = try CLI.run(base, in: dir.url)
      let outOfCore = try CLI.run(base + ["--out-of-core"], in: dir.url)
      #expect(inMemory.status == 0 && outOfCore.status == 0, "\(loss): \(inMemory.stderr) \(outOfCore.stderr)")
      try Self.expectSame(try parseObject(outOfCore.stdout), try parseObject(inMemory.stdout), tolerance: 1e-10,
                          "conditioned \(loss)")
    }
  }

  /// MM on the fixtures goes through the distributed fit's driver route (every row on the driver, in a
  /// canonical order independent of the partitioning): fast-S draws its subsets over that order, not the
  /// file's, so the S-estimate agrees to its refinement tolerance and the MM fit from it to about 1e-8.
  @Test("MM and S on the fixtures: the fit in memory's to 1e-6", arguments: fixtures)
  func highBreakdownFixtures(_ name: String) throws {
    let path = CLI.repoRoot.appendingPathComponent("Fixtures/\(name).csv").path
    for loss in ["mm", "s"] {
      let inMemory = try CLI.run([path, "--format", "json", "--loss", loss])
      let outOfCore = try CLI.run([path, "--format", "json", "--loss", loss, "--out-of-core"])
      #expect(inMemory.status == 0 && outOfCore.status == 0, "\(name) \(loss): \(inMemory.stderr) \(outOfCore.stderr)")
      try Self.expectSame(try parseObject(outOfCore.stdout), try parseObject(inMemory.stdout), tolerance: 1e-6,
                          "\(name) \(loss)", keys: ["coefficients", "standard_errors", "t_values"])
    }
  }

  @Test("MM above the distributed fit's driver limit (fast-S on a keyed sample, the rest over all rows): the fit in memory's MM to 1e-8")
  func mmAboveTheDriverLimit() throws {
    let dir = try Self.largeFile()
    let base = ["large.csv", "--drop-missing", "--format", "json", "--loss", "mm"]
    let inMemory = try CLI.run(base, in: dir.url), outOfCore = try CLI.run(base + ["--out-of-core"], in: dir.url)
    #expect(inMemory.status == 0 && outOfCore.status == 0, "\(inMemory.stderr) \(outOfCore.stderr)")
    let a = try parseObject(outOfCore.stdout)
    // The S start comes from another sample than the fit in memory's subsets: the S-estimate agrees to its
    // refinement tolerance, the MM fit from it to far less (DistributedFitTests bound it at 1e-9).
    try Self.expectSame(a, try parseObject(inMemory.stdout), tolerance: 1e-8, "mm large")
    let passes = try #require((a["out_of_core"] as? [String: Any])?["passes"] as? [String: Any])
    #expect(passes["sampleRows"] != nil && passes["mmCovariance"] != nil, "\(passes)")
  }

  /// The adaptive fit's own keys (α, its standard error, se(c), the interval's ends) to `tolerance`.
  static func expectSameShape(_ a: [String: Any], _ b: [String: Any], tolerance: Double, _ label: String) throws {
    for key in ["alpha", "alpha_se", "scale_se"] {
      // null (a parameter on its bound has no standard error) in both, or numbers that agree.
      #expect((a[key] is NSNull) == (b[key] is NSNull), "\(label) \(key)")
      guard !(b[key] is NSNull) else { continue }
      let va = try number(a[key]), vb = try number(b[key])
      #expect(abs(va - vb) <= tolerance * max(abs(vb), 1), "\(label) \(key): \(va) vs \(vb)")
    }
    let ia = try #require(a["alpha_interval"] as? [Double]), ib = try #require(b["alpha_interval"] as? [Double])
    #expect(zip(ia, ib).allSatisfy { abs($0 - $1) <= 1e-8 }, "\(label) interval \(ia) vs \(ib)")
    #expect(a["alpha_on_bound"] as? Bool == b["alpha_on_bound"] as? Bool)
  }

  /// Adaptive above the driver's limit (Docs/scaling.md): the start on the keyed sample — the rows the fit
  /// in memory scans too — and the descent, information and interval as passes over the column file.
  @Test("adaptive: the fit in memory's numbers to 1e-10 on the fixtures, above the driver limit, and with case weights")
  func adaptive() throws {
    for name in Self.fixtures {
      let path = CLI.repoRoot.appendingPathComponent("Fixtures/\(name).csv").path
      let inMemory = try CLI.run([path, "--format", "json", "--loss", "adaptive"])
      let outOfCore = try CLI.run([path, "--format", "json", "--loss", "adaptive", "--out-of-core"])
      #expect(inMemory.status == 0 && outOfCore.status == 0, "\(name): \(inMemory.stderr) \(outOfCore.stderr)")
      let a = try parseObject(outOfCore.stdout), b = try parseObject(inMemory.stdout)
      // (p-values below 1e-30 leave out: their relative error is t² times the t value's.)
      try Self.expectSame(a, b, tolerance: 1e-10, "adaptive \(name)", keys: ["coefficients", "standard_errors", "t_values"])
      try Self.expectSameShape(a, b, tolerance: 1e-10, "adaptive \(name)")
    }
    let dir = try Self.largeFile()
    let base = ["large.csv", "--drop-missing", "--format", "json", "--loss", "adaptive"]
    let inMemory = try CLI.run(base, in: dir.url), outOfCore = try CLI.run(base + ["--out-of-core"], in: dir.url)
    #expect(inMemory.status == 0 && outOfCore.status == 0, "\(inMemory.stderr) \(outOfCore.stderr)")
    let a = try parseObject(outOfCore.stdout), b = try parseObject(inMemory.stdout)
    try Self.expectSame(a, b, tolerance: 1e-10, "adaptive large")
    try Self.expectSameShape(a, b, tolerance: 1e-10, "adaptive large")
    let passes = try #require((a["out_of_core"] as? [String: Any])?["passes"] as? [String: Any])
    #expect(passes["sampleRows"] != nil && passes["barronShape"] != nil && passes["information"] != nil, "\(passes)")
    let text = try CLI.run(Array(base.dropLast(4)) + ["--loss", "adaptive", "--out-of-core"], in: dir.url)
    #expect(text.stdout.contains("Shape α") && text.stdout.contains("profile likelihood"), "\(text.stdout)")
    #expect(text.stdout.contains("Standard errors: observed information of the NLL."), "\(text.stdout)")
    // Case weights 0–3 on 30 000 rows with outliers.
    var state: UInt64 = 0xADA9
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    var weighted = "a,b,y,w\n"
    for i in 0..<30_000 {
      let a = uniform() * 4 - 2, b = uniform() * 10
      var y = 1 + 0.5 * a - 0.25 * b + (uniform() - 0.5) * 0.6
      if i % 23 == 0 { y += 15 + uniform() * 10 }
      weighted += "\(a),\(b),\(y),\(i % 4)\n"
    }
    try dir.write("weighted.csv", weighted)
    let wbase = ["weighted.csv", "--y", "y", "--weights", "w", "--format", "json", "--loss", "adaptive"]
    let wMemory = try CLI.run(wbase, in: dir.url), wCore = try CLI.run(wbase + ["--out-of-core"], in: dir.url)
    #expect(wMemory.status == 0 && wCore.status == 0, "\(wMemory.stderr) \(wCore.stderr)")
    let wa = try parseObject(wCore.stdout), wb = try parseObject(wMemory.stdout)
    try Self.expectSame(wa, wb, tolerance: 1e-10, "adaptive weighted")
    try Self.expectSameShape(wa, wb, tolerance: 1e-10, "adaptive weighted")
  }

  @Test("case weights: the weighted fit in memory's numbers to 1e-10; a negative weight named by row and column",
        arguments: [["--loss", "l2"], ["--loss", "huber"], ["--loss", "general", "--alpha", "1.5"]])
  func weights(_ loss: [String]) throws {
    let dir = try TempDirectory()
    try dir.write("w.csv", WeightsCLITests.weighted)
    let base = ["w.csv", "--x", "x", "--y", "y", "--weights", "w", "--format", "json"] + loss
    let inMemory = try CLI.run(base, in: dir.url), outOfCore = try CLI.run(base + ["--out-of-core"], in: dir.url)
    #expect(inMemory.status == 0 && outOfCore.status == 0, "\(inMemory.stderr) \(outOfCore.stderr)")
    let a = try parseObject(outOfCore.stdout), b = try parseObject(inMemory.stdout)
    try Self.expectSame(a, b, tolerance: 1e-10, "weighted \(loss)")
    let sum = try number(a["weights_sum"])
    #expect(a["weights"] as? String == "w" && sum == 36)
    let text = try CLI.run(Array(base.dropLast(2 + loss.count)) + loss + ["--out-of-core"], in: dir.url)
    #expect(text.stdout.contains("Weights       column \"w\": case weights, row i counts w_i times (Σw = 36)"), "\(text.stdout)")
    try dir.write("neg.csv", WeightsCLITests.weighted.replacingOccurrences(of: ",3\n", with: ",-3\n"))
    let negative = try CLI.run(["neg.csv", "--y", "y", "--x", "x", "--weights", "w", "--out-of-core"] + loss, in: dir.url)
    #expect(negative.status == 65)
    #expect(negative.stderr.contains("row 4, column 3 (\"w\"): the case weight -3 is negative"), "\(negative.stderr)")
  }

  @Test("the automatic choice: a file larger than --memory-limit goes out of core and says so")
  func automatic() throws {
    let path = CLI.repoRoot.appendingPathComponent("Fixtures/line_outliers.csv").path
    let small = try CLI.run([path, "--memory-limit", "1k"])
    #expect(small.status == 0)
    #expect(small.stderr.contains("a fit in memory needs about") && small.stderr.contains("more than the 1.0 kB of --memory-limit: fitting out of core"),
            "\(small.stderr)")
    #expect(small.stdout.contains("Out of core   binary column file of 960 B in "), "\(small.stdout)")
    let roomy = try CLI.run([path, "--memory-limit", "1G"])
    #expect(roomy.status == 0 && roomy.stderr.isEmpty && roomy.stdout.contains("Residuals:"))
    let forced = try CLI.run([path, "--memory-limit", "1k", "--no-out-of-core"])
    #expect(forced.status == 0 && forced.stderr.isEmpty && forced.stdout.contains("Residuals:"))
    let refused = try CLI.run([path, "--memory-limit", "1k", "--loss", "l1"])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("--loss l1 does not run out of core yet") && refused.stderr.contains("use --no-out-of-core"),
            "\(refused.stderr)")
  }

  @Test("refusals and errors: one line each, with the exit status of their kind")
  func errors() throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", "x,y\n1,2\n2,3.5\n3,3\n4,5.5\n5,20\n")
    try dir.write("constant.csv", "x,y\n1,2\n1,3.5\n1,3\n1,5.5\n")
    try dir.write("short.csv", "x,y\n1,2\n")
    let cases: [([String], Int32, String)] = [
      (["d.csv", "--out-of-core", "--loss", "l1"], 64, "--loss l1 does not run out of core yet"),
      (["d.csv", "--out-of-core", "--loss", "mm", "--seed", "7"], 64, "--seed does not apply to an out-of-core fit"),
      (["d.csv", "--out-of-core", "--loss", "adaptive", "--criterion", "variance"], 64,
       "--loss adaptive with --criterion variance does not run out of core yet"),
      (["d.csv", "--out-of-core", "--plot", "p.svg"], 64, "--plot does not apply to an out-of-core fit"),
      (["d.csv", "--out-of-core", "--history"], 64, "--history does not apply to an out-of-core fit"),
      (["d.csv", "--out-of-core", "--format", "csv"], 64, "--format csv does not apply"),
      (["d.csv", "--out-of-core", "--spill-dir", "/nonexistent/dir"], 1,
       "cannot create the binary column file in /nonexistent/dir: No such file or directory"),
      (["constant.csv", "--out-of-core"], 65, "column 1 (\"x\") is constant"),
      (["short.csv", "--out-of-core"], 65, "too few rows: n = 1 data row for p = 2"),
      (["d.csv", "--memory-limit", "lots"], 64, "--memory-limit takes a size such as 8G"),
    ]
    for (arguments, status, message) in cases {
      let run = try CLI.run(arguments, in: dir.url)
      #expect(run.status == status, "\(arguments): \(run.status) \(run.stderr)")
      #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
      #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "\(arguments): \(run.stderr)")
    }
  }
}

/// The binary column file itself: its groups, the last one partial, the ranges, and no file left behind.
@Suite("ColumnFile")
struct ColumnFileTests {
  @Test("rows come back by group, column by column, for groups of several sizes", arguments: [1, 7, 64, 1000])
  func groups(groupRows: Int) throws {
    let dir = try TempDirectory()
    let file = try ColumnFile(columns: 3, directory: dir.url.path, groupRows: groupRows)
    let rows = 250
    let value = { (i: Int, j: Int) in Double(i) * 10 + Double(j) - 1000 }
    // Blocks of 13 rows with a stride of 16, as the reader's staging blocks.
    for first in stride(from: 0, to: rows, by: 13) {
      let count = min(13, rows - first)
      var block = [Double](repeating: .nan, count: 3 * 16)
      for j in 0..<3 { for i in 0..<count { block[j * 16 + i] = value(first + i, j) } }
      try block.withUnsafeBufferPointer {
        try file.append(CSVRowBlock(values: $0, rows: count, stride: 16, columns: 3, firstRow: first))
      }
    }
    try file.finish()
    #expect(file.rows == rows && file.bytes == rows * 3 * 8)
    #expect(file.groupCount == (rows + groupRows - 1) / groupRows)
    var seen = 0
    for g in 0..<file.groupCount {
      let (count, columns) = file.group(g)
      for j in 0..<3 { for i in 0..<count { #expect(columns[j][i] == value(seen + i, j)) } }
      seen += count
      file.release(g)
    }
    #expect(seen == rows)
    #expect(file.minimum == [-1000, -999, -998] && file.maximum == [1490, 1491, 1492])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
  }
}
