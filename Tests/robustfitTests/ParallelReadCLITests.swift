// The CLI on files large enough for the parallel reader (several 1 MiB pieces): the fit is that of the
// numbers written (least squares checked against normal equations solved here), and a bad cell deep in
// the file is reported with its own row and column, after quoted line breaks in a text id column.

import Foundation
import Testing

@Suite("CLI on files read in parallel")
struct ParallelReadCLITests {
  /// About 3.5 MB: id (text; every 7th quoted with a line break and a comma inside), x1, x2, y.
  static func file(rows: Int, badRow: Int? = nil) -> (text: String, x1: [Double], x2: [Double], y: [Double], badLine: Int) {
    var text = "id,x1,x2,y\n"
    var x1: [Double] = [], x2: [Double] = [], y: [Double] = []
    var state: UInt64 = 0x5EED
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    var line = 2
    var badLine = 0
    for i in 0..<rows {
      let a = uniform() * 20 - 10, b = uniform() * 4 - 2
      let noise = uniform() - 0.5
      let response = 1.5 + 0.25 * a - 2 * b + noise
      let id = i % 7 == 0 ? "\"obs \(i)\nsecond line, with comma\"" : "obs\(i)"
      if i == badRow {
        badLine = line
        text += "\(id),\(a),oops,\(response)\n"
      } else {
        text += "\(id),\(a),\(b),\(response)\n"
      }
      x1.append(a)
      x2.append(b)
      y.append(response)
      line += i % 7 == 0 ? 2 : 1
    }
    return (text, x1, x2, y, badLine)
  }

  /// Least squares by the normal equations of [1, x1, x2] (3 × 3, solved by Gaussian elimination).
  static func leastSquares(_ x1: [Double], _ x2: [Double], _ y: [Double]) -> [Double] {
    var a = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 3)
    for i in y.indices {
      let row = [1, x1[i], x2[i]]
      for r in 0..<3 {
        for c in 0..<3 { a[r][c] += row[r] * row[c] }
        a[r][3] += row[r] * y[i]
      }
    }
    for k in 0..<3 {
      for r in (k + 1)..<3 {
        let f = a[r][k] / a[k][k]
        for c in k..<4 { a[r][c] -= f * a[k][c] }
      }
    }
    var beta = [0.0, 0, 0]
    for k in stride(from: 2, through: 0, by: -1) {
      var s = a[k][3]
      for c in (k + 1)..<3 { s -= a[k][c] * beta[c] }
      beta[k] = s / a[k][k]
    }
    return beta
  }

  @Test("least squares on a 3.5 MB file with a text id column equals the normal equations")
  func fitEqualsNormalEquations() throws {
    let data = Self.file(rows: 60_000)
    #expect(data.text.utf8.count > 3_000_000)
    let dir = try TempDirectory()
    try dir.write("big.csv", data.text)
    let result = try CLI.run(["big.csv", "--y", "y", "--loss", "l2", "--format", "json"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try parseObject(result.stdout)
    #expect(integer(json["n"]) == 60_000)
    let coefficients = try #require(json["coefficients"] as? [String: Any])
    let expected = Self.leastSquares(data.x1, data.x2, data.y)
    for (name, value) in zip(["intercept", "x1", "x2"], expected) {
      let got = try number(coefficients[name])
      #expect(abs(got - value) <= 1e-9 * max(1, abs(value)), "\(name): \(got) vs \(value)")
    }
  }

  @Test("a bad cell near the end is reported with its line, column and name; --drop-missing drops it")
  func badCellLate() throws {
    let data = Self.file(rows: 60_000, badRow: 59_000)
    let dir = try TempDirectory()
    try dir.write("big.csv", data.text)
    let refused = try CLI.run(["big.csv", "--y", "y"], in: dir.url)
    #expect(refused.status == 65)
    #expect(refused.stderr
      == "robustfit: error: big.csv: row \(data.badLine), column 3 (\"x2\"): non-numeric value \"oops\"\n")
    let dropped = try CLI.run(["big.csv", "--y", "y", "--loss", "l2", "--format", "json", "--drop-missing"], in: dir.url)
    #expect(dropped.status == 0)
    #expect(dropped.stderr.contains("robustfit: big.csv: dropped 1 row with missing or non-numeric values\n"))
    let json = try parseObject(dropped.stdout)
    #expect(integer(json["n"]) == 59_999)
  }
}
