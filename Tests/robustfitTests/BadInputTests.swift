import Foundation
import Testing

/// One bad input: the file's bytes, the arguments, and the exact answer expected.
struct BadInput: CustomTestStringConvertible, Sendable {
  let name: String
  let bytes: [UInt8]
  let arguments: [String]
  let status: Int32
  /// The whole stderr is `robustfit: error: <message>`.
  let message: String

  var testDescription: String { name }
}

/// The bad-data cases, built by statements (one big array literal of initialiser calls is slow to
/// type-check).
enum BadInputCases {
  static func text(_ name: String, _ text: String, _ message: String) -> BadInput {
    BadInput(name: name, bytes: Array(text.utf8), arguments: [], status: 65, message: message)
  }

  static func all() -> [BadInput] {
    var c: [BadInput] = []
    c.append(text("empty file", "", "data.csv: empty file (no rows)"))
    c.append(text("header only", "x,y\n", "data.csv: header row only, no data rows"))
    c.append(text("n ≤ p", "a,b,c,y\n1,2,3,4\n2,3,5,7\n3,5,2,8\n",
                  "data.csv: too few rows: n = 3 data rows for p = 4 coefficients (n must exceed p)"))
    c.append(text("ragged row", "x,y\n1,2\n2,3,4\n3,5\n", "data.csv: row 3: expected 2 fields, got 3"))
    var unknown = text("unknown column", "x,y\n1,2\n2,3\n3,5\n",
                       "data.csv: column \"z\" not found; columns: x, y (or their numbers, 1...2)")
    unknown = BadInput(name: unknown.name, bytes: unknown.bytes, arguments: ["--y", "z"], status: 65,
                       message: unknown.message)
    c.append(unknown)
    var index = text("column index out of range", "x,y\n1,2\n2,3\n3,5\n",
                     "data.csv: column \"3\" not found; columns: x, y (or their numbers, 1...2)")
    index = BadInput(name: index.name, bytes: index.bytes, arguments: ["--x", "3"], status: 65, message: index.message)
    c.append(index)
    var duplicate = text("duplicate column selected by name", "x,x,y\n1,2,3\n2,3,5\n3,5,4\n4,4,9\n",
                         "data.csv: column name \"x\" is ambiguous: it names columns 1, 2")
    duplicate = BadInput(name: duplicate.name, bytes: duplicate.bytes, arguments: ["--x", "x"], status: 65,
                         message: duplicate.message)
    c.append(duplicate)
    c.append(text("duplicate column names among the default columns", "x,x,y\n1,2,3\n2,3,5\n3,5,4\n4,4,9\n",
                  "data.csv: columns 1 and 2 have the same name \"x\"; rename one"))
    c.append(text("non-numeric cell", "x,y\n1,2\nabc,3\n3,5\n",
                  "data.csv: row 3, column 1 (\"x\"): non-numeric value \"abc\""))
    c.append(text("missing cell", "x,y\n1,2\n2,\n3,5\n4,7\n", "data.csv: row 3, column 2 (\"y\"): empty cell"))
    c.append(text("NA cell", "x,y\n1,2\nNA,3\n3,5\n4,7\n", "data.csv: row 3, column 1 (\"x\"): missing value \"NA\""))
    c.append(text("NaN", "x,y\n1,2\n2,NaN\n3,5\n4,7\n", "data.csv: row 3, column 2 (\"y\"): non-finite value \"NaN\""))
    c.append(text("Inf", "x,y\n1,2\n2,3\n-inf,5\n4,7\n", "data.csv: row 4, column 1 (\"x\"): non-finite value \"-inf\""))
    c.append(text("overflow 1e999", "x,y\n1,2\n2,1e999\n3,5\n4,7\n",
                  "data.csv: row 3, column 2 (\"y\"): non-finite value \"1e999\""))
    c.append(text("constant y", "x,y\n1,2\n2,2\n3,2\n4,2\n",
                  "data.csv: the response, column 2 (\"y\"), is constant (every value is 2): there is nothing to fit"))
    let constantX: String = "data.csv: column 2 (\"x\") is constant (every value is 5): "
      + "it is collinear with the intercept; drop it or use --no-intercept"
    c.append(text("constant x with an intercept", "a,x,y\n1,5,2\n2,5,3\n3,5,5\n4,5,4\n5,5,7\n", constantX))
    let collinear: String = "data.csv: the predictors are collinear: column \"b\" is a linear combination "
      + "of the other columns; drop it"
    c.append(text("collinear x", "a,b,y\n1,2,3\n2,4,5\n3,6,4\n4,8,9\n5,10,7\n6,12,8\n", collinear))
    var header: [UInt8] = Array("x,".utf8)
    header.append(contentsOf: [0xFF, 0xFE])
    header.append(contentsOf: Array("\n1,2\n2,3\n3,5\n".utf8))
    c.append(BadInput(name: "invalid UTF-8 in the header", bytes: header, arguments: [], status: 65,
                      message: "data.csv: row 1, column 2: invalid UTF-8"))
    var cell: [UInt8] = Array("x,y\n1,2\n".utf8)
    cell.append(contentsOf: [0xC3, 0x28])
    cell.append(contentsOf: Array(",3\n3,5\n".utf8))
    c.append(BadInput(name: "invalid UTF-8 in a cell", bytes: cell, arguments: [], status: 65,
                      message: "data.csv: row 3, column 1: invalid UTF-8"))
    let garbage: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0A]
    c.append(BadInput(name: "binary garbage (NUL bytes)", bytes: garbage, arguments: [], status: 65,
                      message: "data.csv: row 1: binary data (NUL byte), not a text file"))
    c.append(text("unterminated quote", "x,y\n1,2\n\"2,3\n3,5\n",
                  "data.csv: row 3, column 1: quoted field is not closed before the end of the file"))
    let dropped = text("no rows left after --drop-missing", "x,y\n1,\n,3\nNA,5\n",
                       "data.csv: no rows left after dropping 3 rows with missing or non-numeric values")
    c.append(BadInput(name: dropped.name, bytes: dropped.bytes, arguments: ["--drop-missing"], status: 65,
                      message: dropped.message))
    return c
  }
}

@Suite("Bad inputs: each one's exit status and one-line message on stderr, nothing on stdout")
struct BadInputTests {
  @Test("bad data: exit 65 and the exact message naming file, row and column", arguments: BadInputCases.all())
  func badData(_ input: BadInput) throws {
    let dir = try TempDirectory()
    try dir.write("data.csv", bytes: input.bytes)
    let result = try CLI.run(["data.csv"] + input.arguments, in: dir.url)
    #expect(result.status == input.status)
    #expect(result.stderr == "robustfit: error: \(input.message)\n")
    #expect(result.stdout.isEmpty)
  }

  @Test("--drop-missing skips rows with missing or non-numeric cells and says how many on stderr")
  func dropMissing() throws {
    let dir = try TempDirectory()
    let text: String = TestData.lineCSV + "11,\n12,NA\nabc,30\n"
    try dir.write("data.csv", text)
    let refused = try CLI.run(["data.csv"], in: dir.url)
    #expect(refused.status == 65)
    #expect(refused.stderr == "robustfit: error: data.csv: row 22, column 2 (\"y\"): empty cell\n")
    let result = try CLI.run(["data.csv", "--drop-missing", "--format", "json"], in: dir.url)
    #expect(result.status == 0)
    #expect(result.stderr == "robustfit: data.csv: dropped 3 rows with missing or non-numeric values\n")
    let json = try parseObject(result.stdout)
    #expect(integer(json["n"]) == 20)
    #expect(integer(json["dropped_rows"]) == 3)
  }

  @Test("a directory is exit 1")
  func directory() throws {
    let dir = try TempDirectory()
    try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("folder"),
                                            withIntermediateDirectories: false)
    let result = try CLI.run(["folder"], in: dir.url)
    #expect(result.status == 1)
    #expect(result.stderr == "robustfit: error: folder: is a directory, not a CSV file\n")
  }

  @Test("a missing path is exit 1")
  func missingPath() throws {
    let dir = try TempDirectory()
    let result = try CLI.run(["nothing-here.csv"], in: dir.url)
    #expect(result.status == 1)
    #expect(result.stderr == "robustfit: error: nothing-here.csv: no such file\n")
  }

  @Test("an unreadable file is exit 1", .enabled(if: getuid() != 0, "root reads any file"))
  func unreadable() throws {
    let dir = try TempDirectory()
    let path = try dir.write("secret.csv", TestData.lineCSV)
    chmod(path, 0)
    let result = try CLI.run(["secret.csv"], in: dir.url)
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("robustfit: error: secret.csv: cannot read file: "))
  }
}
