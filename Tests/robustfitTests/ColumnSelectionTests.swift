import Foundation
import Testing

/// Which columns are read as numbers: only the response and the predictors. A text column beside them
/// (an id, a label) is left alone: passed over with a note when the predictors are the default, never
/// parsed when --y and --x name the columns. Also `--x a,b`, the message for a column not found, and
/// the hints for numbers written with a decimal comma or separated by spaces.
@Suite("Column selection: text columns, --x lists, columns not found, delimiter hints")
struct ColumnSelectionTests {
  static let rows: [(Double, Double, Double)] = [
    (1, 3, 2.1), (2, 5, 3.9), (3, 4, 6.2), (4, 8, 7.8), (5, 1, 10.1), (6, 7, 30), (7, 2, 15.2), (8, 6, 16.1),
  ]

  /// `id,x,z,y` with a text id, and the same without it.
  static func files() throws -> TempDirectory {
    let dir = try TempDirectory()
    try dir.write("id.csv", (["id,x,z,y"] + rows.enumerated().map { "obs\($0 + 1),\($1.0),\($1.1),\($1.2)" })
                    .joined(separator: "\n") + "\n")
    try dir.write("plain.csv", (["x,z,y"] + rows.map { "\($0.0),\($0.1),\($0.2)" }).joined(separator: "\n") + "\n")
    return dir
  }

  static func json(_ arguments: [String], in dir: TempDirectory) throws -> (json: [String: Any], stderr: String) {
    let result = try CLI.run(arguments + ["--format", "json"], in: dir.url)
    #expect(result.status == 0, "\(arguments): \(result.stderr)")
    return (try parseObject(result.stdout), result.stderr)
  }

  static func coefficients(_ json: [String: Any]) -> NSDictionary {
    NSDictionary(dictionary: json["coefficients"] as? [String: Any] ?? [:])
  }

  @Test("a text id column: skipped with a note by default (also in the reports), ignored with --y/--x or --x alone")
  func textIdColumn() throws {
    let dir = try Self.files()
    let plain = try Self.json(["plain.csv"], in: dir).json
    let (byDefault, note) = try Self.json(["id.csv"], in: dir)
    #expect(Self.coefficients(byDefault) == Self.coefficients(plain))
    #expect(note == "robustfit: id.csv: column 1 (\"id\") holds text (\"obs1\" in row 2): it is not used as a predictor\n")
    let unused = try #require(byDefault["unused_columns"] as? [[String: Any]])
    #expect(unused.count == 1)
    #expect(integer(unused[0]["column"]) == 1 && unused[0]["name"] as? String == "id" && unused[0]["reason"] as? String == "text")
    #expect((plain["unused_columns"] as? [Any])?.isEmpty == true)
    let text = try CLI.run(["id.csv"], in: dir.url)
    #expect(text.stdout.contains("Not used      column 1 (\"id\", text)\n"))
    let compare = try CLI.run(["compare", "id.csv", "--losses", "l2,huber"], in: dir.url)
    #expect(compare.stdout.contains("Not used: column 1 (\"id\", text)\n"))
    for arguments in [["--y", "y", "--x", "x", "--x", "z"], ["--x", "x", "--x", "z"], ["--y", "y"], ["--y", "4"]] {
      let (json, stderr) = try Self.json(["id.csv"] + arguments, in: dir)
      #expect(Self.coefficients(json) == Self.coefficients(plain), "\(arguments)")
      // Named columns: nothing was passed over, so nothing to say; --y alone still takes the default x.
      #expect(stderr.isEmpty == (arguments.count > 2), "\(arguments): \(stderr)")
    }
  }

  @Test("a text cell in a selected column is an error naming file, row and column (exit 65), or a dropped row")
  func textInSelectedColumn() throws {
    let dir = try Self.files()
    let asked = try CLI.run(["id.csv", "--x", "id"], in: dir.url)
    #expect(asked.status == 65)
    #expect(asked.stderr == "robustfit: error: id.csv: row 2, column 1 (\"id\"): non-numeric value \"obs1\"\n")
    try dir.write("ytext.csv", "x,y\n1,a\n2,3\n3,5\n4,4.5\n5,8\n")
    let response = try CLI.run(["ytext.csv"], in: dir.url)
    #expect(response.status == 65)
    #expect(response.stderr == "robustfit: error: ytext.csv: row 2, column 2 (\"y\"): non-numeric value \"a\"\n")
    let dropped = try CLI.run(["ytext.csv", "--drop-missing", "--format", "json"], in: dir.url)
    #expect(dropped.status == 0, "\(dropped.stderr)")
    #expect(integer(try parseObject(dropped.stdout)["n"]) == 4)
    // A predictor whose first cells are numbers is a predictor: a later text cell is an error.
    try dir.write("late.csv", "x,y\n1,2\n2,3\nthree,5\n4,4.5\n5,8\n")
    let late = try CLI.run(["late.csv"], in: dir.url)
    #expect(late.status == 65)
    #expect(late.stderr.contains("late.csv: row 4, column 1 (\"x\"): non-numeric value \"three\""))
  }

  @Test("R's write.csv with text row names: the unnamed column is the row names, as with numbered ones")
  func textRowNames() throws {
    let dir = try TempDirectory()
    try dir.write("r.csv", (["\"\",\"x\",\"y\""] + Self.rows.enumerated().map { "\"car \($0)\",\($1.0),\($1.2)" })
                    .joined(separator: "\n") + "\n")
    let (json, stderr) = try Self.json(["r.csv"], in: dir)
    #expect(integer(json["p"]) == 2)
    #expect(stderr.contains("column 1 has no name"))
    let unused = try #require(json["unused_columns"] as? [[String: Any]])
    #expect(unused.first?["reason"] as? String == "row names")
  }

  @Test("--x a,b is --x a --x b; lists and repetition mix; numbers too")
  func commaLists() throws {
    let dir = try Self.files()
    let repeated = Self.coefficients(try Self.json(["id.csv", "--y", "y", "--x", "x", "--x", "z"], in: dir).json)
    for list in [["--x", "x,z"], ["--x", "x, z"], ["--x", "x", "--x", "z"], ["--x", "2,3"], ["--x", "x,3"]] {
      #expect(Self.coefficients(try Self.json(["id.csv", "--y", "y"] + list, in: dir).json) == repeated, "\(list)")
    }
    let mixed = try Self.json(["plain.csv", "--x", "x", "--x", "z"], in: dir).json
    #expect(Self.coefficients(try Self.json(["plain.csv", "--x", "x,z"], in: dir).json) == Self.coefficients(mixed))
    let empty = try CLI.run(["id.csv", "--x", "x,,z"], in: dir.url)
    #expect(empty.status == 64)
    #expect(empty.stderr.contains("an empty column name in the list"))
    let twice = try CLI.run(["id.csv", "--x", "x,x"], in: dir.url)
    #expect(twice.status == 64)
    #expect(twice.stderr.contains("column 2 (\"x\") is listed twice in --x"))
  }

  @Test("a header with a comma in it: the whole value matches it before any splitting")
  func headerWithComma() throws {
    let dir = try TempDirectory()
    try dir.write("c.csv", (["\"temp, K\",temp,K,y"] + Self.rows.map { "\($0.0),\($0.1),\($0.0 * 2 + $0.1),\($0.2)" })
                    .joined(separator: "\n") + "\n")
    let whole = try Self.json(["c.csv", "--y", "y", "--x", "temp, K"], in: dir).json
    #expect((whole["coefficients"] as? [String: Any]).map { Set($0.keys) } == ["intercept", "temp, K"])
    let split = try Self.json(["c.csv", "--y", "y", "--x", "temp,K"], in: dir).json
    #expect((split["coefficients"] as? [String: Any]).map { Set($0.keys) } == ["intercept", "temp", "K"])
  }

  @Test("a column not found: the message lists the columns, with a did-you-mean when one is close")
  func notFound() throws {
    let dir = try TempDirectory()
    try dir.write("data.csv", "x,y,weight\n1,2,1\n2,3.9,1\n3,6.2,2\n4,8.1,1\n")
    let typo = try CLI.run(["data.csv", "--x", "wieght"], in: dir.url)
    #expect(typo.status == 65)
    #expect(typo.stderr == "robustfit: error: data.csv: column \"wieght\" not found (did you mean \"weight\"?); "
            + "columns: x, y, weight (or their numbers, 1...3)\n")
    let far = try CLI.run(["data.csv", "--y", "mass"], in: dir.url)
    #expect(far.stderr == "robustfit: error: data.csv: column \"mass\" not found; columns: x, y, weight (or their numbers, 1...3)\n")
    let caseOnly = try CLI.run(["data.csv", "--y", "Y"], in: dir.url)
    #expect(caseOnly.stderr.contains("(did you mean \"y\"?)"))
    let inList = try CLI.run(["data.csv", "--y", "y", "--x", "x,wieght"], in: dir.url)
    #expect(inList.stderr.contains("column \"wieght\" not found (did you mean \"weight\"?)"))
  }

  @Test("numbers with a decimal comma, or separated by spaces: the error says so")
  func delimiterHints() throws {
    let dir = try TempDirectory()
    // A semicolon file from a locale with decimal commas (R's write.csv2).
    try dir.write("eu.csv", "\"x\";\"y\"\n0,5;1,25\n1,5;2,5\n2,5;3,75\n3,5;5,5\n")
    let comma = try CLI.run(["eu.csv"], in: dir.url)
    #expect(comma.status == 65)
    #expect(comma.stderr == "robustfit: error: eu.csv: row 2, column 1 (\"x\"): non-numeric value \"0,5\" (a decimal "
            + "comma? robustfit reads only '.' as the decimal point: write the file with '.' decimals, e.g. R's "
            + "write.csv rather than write.csv2, or convert the commas in the numbers)\n")
    // A space-separated file is one column to a reader of comma, semicolon or tab separated files.
    try dir.write("space.csv", "x y\n1 2\n2 3.9\n3 6.2\n")
    let space = try CLI.run(["space.csv"], in: dir.url)
    #expect(space.status == 65)
    #expect(space.stderr.contains("non-numeric value \"1 2\" (numbers separated by spaces? robustfit reads comma, "
                                  + "semicolon or tab separated files"))
    // Plain text gets no hint.
    try dir.write("text.csv", "x,y\n1,2\n2,abc\n3,5\n")
    let text = try CLI.run(["text.csv"], in: dir.url)
    #expect(text.stderr == "robustfit: error: text.csv: row 3, column 2 (\"y\"): non-numeric value \"abc\"\n")
  }
}
