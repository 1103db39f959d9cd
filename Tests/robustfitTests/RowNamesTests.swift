import Foundation
import Testing

/// Files written by R's `write.csv()` (first header cell `""`, row names "1", "2", …) and pandas'
/// `to_csv()` (first header cell empty, index 0, 1, …): the unnamed first column is the rows' labels,
/// not a predictor — it was once fitted as `column1`, silently (p = 3 instead of 2).
@Suite("R and pandas files: the unnamed first column is not a predictor")
struct RowNamesTests {
  static let rows: [(Double, Double)] = [(1.5, 2.1), (2.2, 3.9), (3.9, 6.2), (4.1, 7.8), (5.7, 10.1), (6.2, 30), (7.7, 15.2)]

  @Test("write.csv and to_csv files fit y ~ x, with a note; --x 1 still takes the column", arguments: ["r", "pandas"])
  func unnamedFirstColumn(style: String) throws {
    let header = style == "r" ? "\"\",\"x\",\"y\"" : ",x,y"
    let body = Self.rows.enumerated().map { i, row in
      (style == "r" ? "\"\(i + 1)\"" : "\(i)") + ",\(row.0),\(row.1)"
    }
    let dir = try TempDirectory()
    try dir.write("data.csv", ([header] + body).joined(separator: "\n") + "\n")
    let result = try CLI.run(["data.csv", "--format", "json"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try parseObject(result.stdout)
    #expect(integer(json["p"]) == 2)
    #expect((json["coefficients"] as? [String: Any]).map { Set($0.keys) } == ["intercept", "x"])
    #expect(result.stderr.contains("column 1 has no name"))
    // Plain files are untouched: the same data without the label column gives the same coefficients.
    try dir.write("plain.csv", (["x,y"] + Self.rows.map { "\($0.0),\($0.1)" }).joined(separator: "\n") + "\n")
    let plain = try parseObject(try CLI.run(["plain.csv", "--format", "json"], in: dir.url).stdout)
    #expect(NSDictionary(dictionary: json["coefficients"] as! [String: Any])
            == NSDictionary(dictionary: plain["coefficients"] as! [String: Any]))
    // Asked for by index, the column is a predictor.
    let asked = try CLI.run(["data.csv", "--y", "y", "--x", "1", "--x", "x", "--format", "json"], in: dir.url)
    #expect(integer(try parseObject(asked.stdout)["p"]) == 3)
    #expect(!asked.stderr.contains("has no name"))
  }
}
