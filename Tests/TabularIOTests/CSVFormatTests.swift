// What the reader accepts: delimiters, quotes, line ends, BOM, blank lines, headers, selection.

import Foundation
import Testing
@testable import TabularIO

#if canImport(Glibc)
import Glibc
#endif

@Suite("CSV formats")
struct CSVFormatTests {
  @Test("comma file with a header")
  func commaWithHeader() throws {
    let t = try readCSV("x,y\n1,2\n3.5,-4e2\n")
    #expect(t.names == ["x", "y"])
    #expect(t.columns == [[1, 3.5], [2, -400]])
    #expect(t.rowCount == 2)
    #expect(t.hadHeader)
    #expect(t.delimiter == .comma)
    #expect(t.sourceLines == [2, 3])
    #expect(t.droppedRows == 0)
  }

  @Test(
    "delimiters are detected",
    arguments: [
      ("a;b;c\n1,5;2;3\n", CSVDelimiter.semicolon),  // decimal commas would be non-numeric, see errors
      ("a;b;c\n1;2;3\n", .semicolon),
      ("a\tb\tc\n1\t2\t3\n", .tab),
      ("a,b,c\n1,2,3\n", .comma),
      ("\"a,1\";b;c\n1;2;3\n", .semicolon),  // a comma inside quotes does not count
      ("a,b;c\n1,2;3\n4,5;6\n", .semicolon),  // both consistent: semicolon wins over comma
    ])
  func detectsDelimiter(text: String, expected: CSVDelimiter) throws {
    let options = CSVReadOptions(columns: ["2"])
    let t = try readCSV(text.replacingOccurrences(of: "1,5;", with: "15;"), options)
    #expect(t.delimiter == expected)
  }

  @Test("a single column file has no delimiter to detect")
  func singleColumn() throws {
    let t = try readCSV("value\n1\n2\n3\n")
    #expect(t.names == ["value"])
    #expect(t.columns == [[1, 2, 3]])
  }

  @Test("tab-separated with spaces around numbers")
  func tabsAndSpaces() throws {
    let t = try readCSV("a\tb\n  1 \t 2\n3\t4   \n")
    #expect(t.columns == [[1, 3], [2, 4]])
  }

  @Test("CRLF line ends, a byte-order mark, and no final line break")
  func crlfBomNoFinalNewline() throws {
    var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
    bytes += Array("x,y\r\n1,2\r\n3,4".utf8)
    let t = try readNumericCSV(bytes: bytes, name: "bom.csv")
    #expect(t.names == ["x", "y"])  // not "\u{FEFF}x"
    #expect(t.columns == [[1, 3], [2, 4]])
    #expect(t.sourceLines == [2, 3])
  }

  @Test("blank and whitespace-only lines are skipped and rows keep their line numbers")
  func blankLines() throws {
    let t = try readCSV("\n\nx,y\n\n1,2\n   \n\r\n3,4\n\n")
    #expect(t.columns == [[1, 3], [2, 4]])
    #expect(t.sourceLines == [5, 8])
    #expect(t.sourceLine(ofRow: 1) == 8)
  }

  @Test("quoted fields: escapes, delimiters and line breaks inside quotes")
  func quotedFields() throws {
    let text = "\"a \"\"quoted\"\" name\",\"b,c\",\"multi\nline\"\n\"1.5\", 2 ,\" 3 \"\n4,\"5\",6\n"
    let t = try readCSV(text)
    #expect(t.names == ["a \"quoted\" name", "b,c", "multi\nline"])
    #expect(t.columns == [[1.5, 4], [2, 5], [3, 6]])
    #expect(t.sourceLines == [3, 4])  // the header spans lines 1-2
  }

  @Test("a quoted field spanning lines moves later line numbers")
  func multilineRecordLineNumbers() throws {
    let t = try readCSV("id,x\n\"a\nb\",1\nc,2\n", CSVReadOptions(columns: ["x"]))
    #expect(t.columns == [[1, 2]])
    #expect(t.sourceLines == [2, 4])
  }

  @Test("header detection: a numeric first row is data")
  func numericFirstRowIsData() throws {
    let t = try readCSV("1,2\n3,4\n")
    #expect(!t.hadHeader)
    #expect(t.names == ["column1", "column2"])
    #expect(t.columns == [[1, 3], [2, 4]])
    #expect(t.sourceLines == [1, 2])
  }

  @Test("header detection: missing and non-finite tokens do not make a header")
  func tokensAreNotHeaders() throws {
    let e = csvError { try readCSV("1,NA\n3,4\n") }
    #expect(e == .missingValue(file: "t.csv", row: 1, column: 2, name: nil, text: "NA"))
    let t = try readCSV("1,NA\n3,4\n", CSVReadOptions(dropMissing: true))
    #expect(!t.hadHeader)
    #expect(t.columns == [[3], [4]])
    #expect(t.droppedRows == 1)
  }

  @Test("header mode .present and .absent override detection")
  func headerModes() throws {
    let present = try readCSV("1,2\n3,4\n", CSVReadOptions(header: .present))
    #expect(present.hadHeader)
    #expect(present.names == ["1", "2"])
    #expect(present.columns == [[3], [4]])
    let e = csvError { try readCSV("x,y\n3,4\n", CSVReadOptions(header: .absent)) }
    #expect(e == .nonNumeric(file: "t.csv", row: 1, column: 1, name: nil, text: "x"))
  }

  @Test("empty header cells get positional names")
  func emptyHeaderNames() throws {
    let t = try readCSV("x,,\"\"\n1,2,3\n")
    #expect(t.names == ["x", "column2", "column3"])
  }

  @Test("columns selected by name and index, in selection order, text columns skipped")
  func columnSelection() throws {
    let text = "id,x,name,y\nA,1,\"Smith, J\",10\nB,2,Ünïcödé,20\n"
    let t = try readCSV(text, CSVReadOptions(columns: ["y", "2", "x"]))
    #expect(t.names == ["y", "x"])
    #expect(t.fileColumnNumbers == [4, 2])
    #expect(t.columns == [[10, 20], [1, 2]])
    #expect(try t.columnIndex(for: "x") == 1)
    #expect(try t.columnIndex(for: "4") == 0)
    #expect(t.allNames == ["id", "x", "name", "y"])
    #expect(csvError { try t.columnIndex(for: "id") } == .unknownColumn(file: "t.csv", selector: "id", columns: t.allNames))
  }

  @Test("a header name made of digits wins over the index reading")
  func nameBeforeIndex() throws {
    let t = try readCSV("year,2,x\n1,2,3\n", CSVReadOptions(header: .present))
    #expect(try t.columnIndex(for: "2") == 1)
    #expect(try t.columnIndex(for: "3") == 2)
    #expect(try t.column("year") == [1])
  }

  @Test("dropMissing skips and counts rows with missing, non-numeric or non-finite cells")
  func dropMissing() throws {
    let text = "x,y,note\n1,2,ok\n,3,x\nNA,4,x\n5,abc,x\n6,nan,x\n7,1e999,x\n8,9,fine\n"
    let t = try readCSV(text, CSVReadOptions(dropMissing: true, columns: ["x", "y"]))
    #expect(t.columns == [[1, 8], [2, 9]])
    #expect(t.droppedRows == 5)
    #expect(t.sourceLines == [2, 8])
  }

  @Test("missing cells in unselected columns do not matter")
  func unselectedMissing() throws {
    let t = try readCSV("x,y\n1,\n2,NA\n", CSVReadOptions(columns: ["x"]))
    #expect(t.columns == [[1, 2]])
    #expect(t.droppedRows == 0)
  }

  @Test("reading from a path, and from stdin with \"-\"")
  func pathAndStdin() throws {
    let bytes = Array("a,b\n1,2\n3,4\n".utf8)
    let fromFile = try withTemporaryFile(bytes) { try readNumericCSV(path: $0) }
    #expect(fromFile.columns == [[1, 3], [2, 4]])
    let fromStdin = try withTemporaryFile(bytes) { path -> NumericTable in
      let fd = open(path, O_RDONLY)
      let saved = dup(0)
      dup2(fd, 0)
      close(fd)
      defer {
        dup2(saved, 0)
        close(saved)
      }
      return try readNumericCSV(path: "-")
    }
    #expect(fromStdin.columns == fromFile.columns)
    #expect(fromStdin.fileName == "<stdin>")
  }

  /// A CSV with quoted header and cells, CRLF, blank lines and multi-line quoted text, and the
  /// values it encodes.
  static func awkwardFile(rows: Int, seed: UInt64) -> (bytes: [UInt8], x: [Double], y: [Double]) {
    var rng = SplitMix64(seed: seed)
    var text = "\"x\",\"the \"\"y\"\"\",note\r\n"
    var x: [Double] = []
    var y: [Double] = []
    for i in 0..<rows {
      let a = Double(bitPattern: rng.next() >> 2) .truncatingRemainder(dividingBy: 1e6)
      let b = Double(Int64(bitPattern: rng.next()) % 1_000_000) / 997
      let av = a.isFinite ? a : 0
      x.append(av)
      y.append(b)
      let quotedX = i % 3 == 0 ? "\"\(av)\"" : "\(av)"
      let note = i % 5 == 0 ? "\"multi\r\nline, \"\"quoted\"\"\"" : "n\(i)"
      text += "\(quotedX), \(b) ,\(note)" + (i % 2 == 0 ? "\r\n" : "\n")
      if i % 7 == 0 { text += "\r\n" }
    }
    return (Array(text.utf8), x, y)
  }

  @Test("chunk boundaries anywhere give the same table", arguments: [1, 2, 3, 5, 7, 16, 64, 1000])
  func chunkBoundaries(chunkSize: Int) throws {
    let (bytes, x, y) = Self.awkwardFile(rows: 60, seed: 9)
    let t = try readNumericCSV(bytes: bytes, options: CSVReadOptions(columns: ["x", "the \"y\""], chunkSize: chunkSize))
    #expect(t.columns == [x, y])
    let reference = try readNumericCSV(bytes: bytes, options: CSVReadOptions(columns: ["1", "2"]))
    #expect(t.sourceLines == reference.sourceLines)
  }

  @Test("a file of several MB, larger than the read chunk, with progress reports")
  func largeFile() throws {
    let (bytes, x, y) = Self.awkwardFile(rows: 120_000, seed: 10)
    #expect(bytes.count > 5_000_000)
    final class Progress: @unchecked Sendable {
      var calls: [(Int, Int?)] = []
    }
    let progress = Progress()
    let t = try withTemporaryFile(bytes) { path in
      try readNumericCSV(
        path: path,
        options: CSVReadOptions(
          columns: ["x", "2"], progress: { progress.calls.append(($0, $1)) }, chunkSize: 1 << 20))
    }
    #expect(t.rowCount == 120_000)
    #expect(t.columns == [x, y])
    #expect(progress.calls.count >= 5)
    #expect(progress.calls.last?.0 == bytes.count)
    #expect(progress.calls.allSatisfy { $0.1 == bytes.count })
    // Line numbers: header 1; row i starts after one line per row plus the extra ones.
    var lineNumber = 2
    for i in 0..<5 {
      #expect(t.sourceLine(ofRow: i) == lineNumber)
      lineNumber += (i % 5 == 0 ? 2 : 1) + (i % 7 == 0 ? 1 : 0)
    }
  }

  @Test("values survive the round trip through their shortest text")
  func roundTrip() throws {
    var rng = SplitMix64(seed: 11)
    var values: [Double] = []
    while values.count < 5_000 {
      let d = Double(bitPattern: rng.next())
      if d.isFinite { values.append(d) }
    }
    let text = "v\n" + values.map { "\($0)" }.joined(separator: "\n")
    let t = try readCSV(text)
    #expect(t.columns[0].map(\.bitPattern) == values.map(\.bitPattern))
  }
}
