// Every bad input gives its own CSVError, and the message names file, row and column.

import Foundation
import Testing
@testable import TabularIO

@Suite("CSV errors")
struct CSVErrorTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var label: String
    var bytes: [UInt8]
    var options: CSVReadOptions = CSVReadOptions()
    var expected: CSVError
    /// Fragments the message must contain (file, row, column, the offending text).
    var fragments: [String]
    var testDescription: String { label }
  }

  static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

  static let cases: [Case] = [
    Case(label: "empty file", bytes: [], expected: .emptyFile(file: "bad.csv"), fragments: ["bad.csv:", "empty"]),
    Case(
      label: "only blank lines and a BOM", bytes: [0xEF, 0xBB, 0xBF] + text("\n  \r\n\n"),
      expected: .emptyFile(file: "bad.csv"), fragments: ["bad.csv:", "empty"]),
    Case(
      label: "header only", bytes: text("x,y\n\n"), expected: .headerOnly(file: "bad.csv"),
      fragments: ["bad.csv:", "header"]),
    Case(
      label: "row with too few fields", bytes: text("x,y\n1,2\n\n3\n"),
      expected: .raggedRow(file: "bad.csv", row: 4, expected: 2, got: 1),
      fragments: ["bad.csv: row 4:", "expected 2 fields, got 1"]),
    Case(
      label: "row with too many fields", bytes: text("x,y\n1,2,3\n"),
      expected: .raggedRow(file: "bad.csv", row: 2, expected: 2, got: 3), fragments: ["row 2", "got 3"]),
    Case(
      label: "non-numeric cell", bytes: text("a,x\n1,2\n1,2\n1,2\n1,2\n1,2\n1,abc\n"),
      expected: .nonNumeric(file: "bad.csv", row: 7, column: 2, name: "x", text: "abc"),
      fragments: ["bad.csv: row 7, column 2 (\"x\"): non-numeric value \"abc\""]),
    Case(
      label: "decimal comma", bytes: text("a;x\n1;2,5\n"),
      expected: .nonNumeric(file: "bad.csv", row: 2, column: 2, name: "x", text: "2,5"),
      fragments: ["row 2, column 2", "\"2,5\""]),
    Case(
      label: "hexadecimal and doubled sign", bytes: text("a,b\n0x10,1\n"),
      expected: .nonNumeric(file: "bad.csv", row: 2, column: 1, name: "a", text: "0x10"), fragments: ["0x10"]),
    Case(
      label: "doubled sign", bytes: text("a,b\n1,--1\n"),
      expected: .nonNumeric(file: "bad.csv", row: 2, column: 2, name: "b", text: "--1"), fragments: ["--1"]),
    Case(
      label: "long text is truncated", bytes: text("1\n" + String(repeating: "z", count: 100) + "\n"),
      options: CSVReadOptions(header: .absent),
      expected: .nonNumeric(file: "bad.csv", row: 2, column: 1, name: nil, text: String(repeating: "z", count: 40) + "..."),
      fragments: ["row 2, column 1:", "...\""]),
    Case(
      label: "empty cell", bytes: text("x,y\n1,\n"),
      expected: .missingValue(file: "bad.csv", row: 2, column: 2, name: "y", text: ""),
      fragments: ["row 2, column 2 (\"y\"): empty cell"]),
    Case(
      label: "NA cell", bytes: text("x,y\n1,2\nNA,3\n"),
      expected: .missingValue(file: "bad.csv", row: 3, column: 1, name: "x", text: "NA"),
      fragments: ["row 3, column 1 (\"x\"): missing value \"NA\""]),
    Case(
      label: "nan", bytes: text("x,y\n1,nan\n"),
      expected: .nonFiniteValue(file: "bad.csv", row: 2, column: 2, name: "y", text: "nan"),
      fragments: ["row 2, column 2", "non-finite value \"nan\""]),
    Case(
      label: "inf", bytes: text("x,y\n1,inf\n"),
      expected: .nonFiniteValue(file: "bad.csv", row: 2, column: 2, name: "y", text: "inf"), fragments: ["inf"]),
    Case(
      label: "-inf", bytes: text("x,y\n-Infinity,1\n"),
      expected: .nonFiniteValue(file: "bad.csv", row: 2, column: 1, name: "x", text: "-Infinity"),
      fragments: ["-Infinity"]),
    Case(
      label: "overflow", bytes: text("x,y\n1e999,1\n"),
      expected: .nonFiniteValue(file: "bad.csv", row: 2, column: 1, name: "x", text: "1e999"),
      fragments: ["row 2, column 1", "\"1e999\""]),
    Case(
      label: "just above the largest double", bytes: text("x\n1.8e308\n"),
      expected: .nonFiniteValue(file: "bad.csv", row: 2, column: 1, name: "x", text: "1.8e308"),
      fragments: ["1.8e308"]),
    Case(
      label: "quoted overflow", bytes: text("x\n\"-1e400\"\n"),
      expected: .nonFiniteValue(file: "bad.csv", row: 2, column: 1, name: "x", text: "-1e400"),
      fragments: ["-1e400"]),
    Case(
      label: "invalid UTF-8 in a cell", bytes: text("x,y\n1,") + [0xFF, 0xFE] + text("\n"),
      expected: .invalidUTF8(file: "bad.csv", row: 2, column: 2), fragments: ["row 2, column 2: invalid UTF-8"]),
    Case(
      label: "invalid UTF-8 in the header", bytes: text("x,") + [0xC3, 0x28] + text("\n1,2\n"),
      expected: .invalidUTF8(file: "bad.csv", row: 1, column: 2), fragments: ["row 1, column 2"]),
    Case(
      label: "invalid UTF-8 in an unselected column", bytes: text("x,y\n1,") + [0x80] + text("\n"),
      options: CSVReadOptions(columns: ["x"]),
      expected: .invalidUTF8(file: "bad.csv", row: 2, column: 2), fragments: ["invalid UTF-8"]),
    Case(
      label: "NUL byte", bytes: text("x,y\n1,2\n3,") + [0] + text("4\n"),
      expected: .binaryData(file: "bad.csv", row: 3), fragments: ["bad.csv: row 3:", "binary"]),
    Case(
      label: "binary garbage", bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00],
      expected: .binaryData(file: "bad.csv", row: 1), fragments: ["binary"]),
    Case(
      label: "unterminated quote", bytes: text("x,y\n1,2\n3,\"4\n5,6\n"),
      expected: .unterminatedQuote(file: "bad.csv", row: 3, column: 2),
      fragments: ["row 3, column 2", "not closed"]),
    Case(
      label: "text after a closing quote", bytes: text("x,y\n\"1\"2,3\n"),
      expected: .malformedQuote(file: "bad.csv", row: 2, column: 1), fragments: ["row 2, column 1"]),
    Case(
      label: "selecting a duplicate name", bytes: text("x,y,x\n1,2,3\n"), options: CSVReadOptions(columns: ["x"]),
      expected: .duplicateColumn(file: "bad.csv", name: "x", columns: [1, 3]),
      fragments: ["bad.csv:", "\"x\"", "1, 3"]),
    Case(
      label: "unknown name", bytes: text("x,y\n1,2\n"), options: CSVReadOptions(columns: ["z"]),
      expected: .unknownColumn(file: "bad.csv", selector: "z", columns: ["x", "y"]), fragments: ["\"z\" not found", "columns: x, y", "1...2"]),
    Case(
      label: "index 0", bytes: text("x,y\n1,2\n"), options: CSVReadOptions(columns: ["0"]),
      expected: .unknownColumn(file: "bad.csv", selector: "0", columns: ["x", "y"]), fragments: ["\"0\""]),
    Case(
      label: "index past the end", bytes: text("x,y\n1,2\n"), options: CSVReadOptions(columns: ["3"]),
      expected: .unknownColumn(file: "bad.csv", selector: "3", columns: ["x", "y"]), fragments: ["\"3\""]),
    Case(
      label: "dropMissing keeps structural errors", bytes: text("x,y\n1,\n1,2,3\n"),
      options: CSVReadOptions(dropMissing: true),
      expected: .raggedRow(file: "bad.csv", row: 3, expected: 2, got: 3), fragments: ["row 3"]),
  ]

  @Test("bad input gives the right error and a message naming file, row and column", arguments: cases)
  func badInput(_ c: Case) {
    let error = csvError { try readNumericCSV(bytes: c.bytes, name: "bad.csv", options: c.options) }
    #expect(error == c.expected)
    let message = error?.description ?? ""
    for fragment in c.fragments {
      #expect(message.contains(fragment), "\(message) lacks \(fragment)")
    }
    #expect(!message.contains("\n"))
    // The same bytes from a file, read one byte per chunk, fail the same way (file name aside).
    let fromFile = try? withTemporaryFile(c.bytes) { path in
      csvError { try readNumericCSV(path: path, options: { var o = c.options; o.chunkSize = 1; return o }()) }
    }
    let fileMessage = fromFile.map { $0.description.replacingOccurrences(of: $0.fileNameForTest, with: "bad.csv") }
    #expect(fileMessage == message)
  }

  @Test("a missing file, a directory, an unreadable file")
  func fileErrors() throws {
    let missing = temporaryPath()
    let e1 = csvError { try readNumericCSV(path: missing) }
    #expect(e1 == .fileNotFound(file: missing))
    #expect(e1?.description == "\(missing): no such file")
    let e2 = csvError { try readNumericCSV(path: missing + "/inside.csv") }
    #expect(e2 == .fileNotFound(file: missing + "/inside.csv"))
    let directory = FileManager.default.temporaryDirectory.path
    let e3 = csvError { try readNumericCSV(path: directory) }
    #expect(e3 == .isDirectory(file: directory))
    #expect(e3?.description.hasPrefix(directory + ": ") == true)
    // /proc/self/mem is a regular file whose offset 0 is unmapped: read(2) fails with EIO, which
    // works even as root (where permission bits would not stop us).
    let e4 = csvError { try readNumericCSV(path: "/proc/self/mem") }
    if case .unreadable(let file, let reason)? = e4 {
      #expect(file == "/proc/self/mem")
      #expect(!reason.isEmpty)
      #expect(e4?.description.hasPrefix("/proc/self/mem: cannot read file: ") == true)
    } else {
      Issue.record("expected unreadable, got \(String(describing: e4))")
    }
  }

  @Test("duplicate names are fine until selected by name")
  func duplicateNamesInTable() throws {
    let t = try readCSV("x,x,y\n1,2,3\n")
    #expect(t.columns == [[1], [2], [3]])
    #expect(csvError { try t.columnIndex(for: "x") } == .duplicateColumn(file: "t.csv", name: "x", columns: [1, 2]))
    #expect(try t.columnIndex(for: "2") == 1)
  }

  @Test("without a header, messages give the column index only")
  func messageWithoutHeader() {
    let e = csvError { try readCSV("1,2\n3,x\n") }
    #expect(e?.description == "t.csv: row 2, column 2: non-numeric value \"x\"")
  }

  @Test("control characters in cell text are escaped so the message stays one line")
  func escapedText() {
    let e = csvError { try readCSV("x\n\"a\nb\"\n") }
    #expect(e?.description == "t.csv: row 2, column 1 (\"x\"): non-numeric value \"a\\nb\"")
  }
}

extension CSVError {
  /// The file name inside the error, for comparing messages across file names.
  var fileNameForTest: String {
    switch self {
    case .fileNotFound(let f), .isDirectory(let f), .unreadable(let f, _), .emptyFile(let f), .headerOnly(let f),
      .raggedRow(let f, _, _, _), .nonNumeric(let f, _, _, _, _), .missingValue(let f, _, _, _, _),
      .nonFiniteValue(let f, _, _, _, _), .invalidUTF8(let f, _, _), .binaryData(let f, _),
      .unterminatedQuote(let f, _, _), .malformedQuote(let f, _, _), .duplicateColumn(let f, _, _),
      .unknownColumn(let f, _, _):
      return f
    }
  }
}
