// The number scanner's path for the usual shape (`[+-]d.` and 2–18 fraction digits, `[+-]dd.` and 1–17)
// and the record
// loop that stores such numbers straight into the row: at the edges of the shape, against strtod and
// the general scan, and in CSV records that leave the loop at every kind of field.

import Foundation
import Testing
@testable import TabularIO

@Suite("DecimalParser usual shape and the usual record")
struct UsualShapeTests {
  /// Scans `text` (then a NUL and ``DecimalParser/readAhead`` zeros) with `scanner`.
  static func scanned(
    _ text: String, _ scanner: (UnsafePointer<UInt8>, DecimalTables) -> (Double, UnsafePointer<UInt8>)?
  ) -> (bits: UInt64, length: Int)? {
    let bytes = Array(text.utf8)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count + 1 + DecimalParser.readAhead)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: 0, count: bytes.count + 1 + DecimalParser.readAhead)
    buffer.update(from: bytes, count: bytes.count)
    guard let (value, end) = scanner(UnsafePointer(buffer), DecimalTables.shared) else { return nil }
    return (value.bitPattern, end - UnsafePointer(buffer))
  }

  /// `[sign]d.` (or `[sign]dd.` for `digit` ≥ 10; `0d.` for a negative one) and `count` fraction digits:
  /// random, all zeros, all nines, or leading zeros.
  static func usual(sign: String, digit: Int, count: Int, _ rng: inout SplitMix64) -> String {
    let style = rng.next() % 4
    let fraction = (0..<count).map { k -> String in
      switch style {
      case 0: return "0"
      case 1: return "9"
      case 2 where k < count / 2: return "0"
      default: return String(rng.next() % 10)
      }
    }.joined()
    return sign + (digit < 0 ? "0\(-digit)" : String(digit)) + "." + fraction
  }

  /// Whether the fast path is meant to take `token` (then `tail`), unless it is zero: 2 to 18 fraction
  /// digits after one integer digit, 1 to 17 after two, and no exponent.
  static func takesUsualPath(digit: Int, count: Int, tail: String) -> Bool {
    let exponent = tail.first == "e" || tail.first == "E"
    let integerDigits = digit < 0 || digit >= 10 ? 2 : 1
    return !exponent && integerDigits + count >= 3 && integerDigits + count <= 19
  }

  /// One integer digit, two (with a leading zero, 10, 55, 99), three: the last goes to the general scan.
  static let integerParts = Array(0...9) + [-3, 10, 55, 99, 100, 999]

  static let tails = ["", ",1.5", "\n-0.25", "\r\n7", " ,1", "e5", "E-300", "e+17,1", ".5", "x"]

  @Test("signs, integer digits and 0–25 fraction digits: strtod's value, the general scan's end, and the fast path exactly where meant",
    arguments: 0...25)
  func shapes(count: Int) {
    var rng = SplitMix64(seed: UInt64(700 + count))
    for sign in ["", "-", "+"] {
      for digit in Self.integerParts {
        for tail in Self.tails {
          for _ in 0..<3 {
            let token = Self.usual(sign: sign, digit: digit, count: count, &rng)
            let text = token + tail
            let usual = Self.scanned(text, DecimalParser.scanUsual)
            let general = Self.scanned(text, DecimalParser.scanGeneral)
            let whole = Self.scanned(text, DecimalParser.scan)
            let zero = Double(token)! == 0
            #expect((usual != nil) == (digit < 100 && !zero && Self.takesUsualPath(digit: digit, count: count, tail: tail)),
              "\(text)")
            #expect(whole?.bits == general?.bits && whole?.length == general?.length, "\(text)")
            if let usual {
              #expect(usual.bits == general?.bits && usual.length == general?.length, "\(text)")
              #expect(usual.length == token.utf8.count, "\(text)")
              #expect(usual.bits == referenceStrtod(token).bitPattern, "\(token)")
            }
            if let whole, !tail.hasPrefix("e") && !tail.hasPrefix("E") {
              #expect(whole.length == token.utf8.count, "\(text)")
              #expect(whole.bits == referenceStrtod(token).bitPattern, "\(token)")
            }
          }
        }
      }
    }
  }

  static let edges = [
    "-0.00000000", "0.00000000", "+0.0000000000000000000", "-0.0000000000000000001", "0.0000000000000000001",
    "9.999999999999999999", "-9.999999999999999999", "0.9999999999999999999", "9.9999999999999999999",
    "1.000000000000000111", "1.000000000000000110", "1.000000000000000112", "1.0000000000000002220",
    "9.007199254740993", "4.503599627370497", "0.1000000000000000055", "0.30000000000000004",
    "2.2250738585072014", "1.7976931348623157", "-0.9264645435538544", "0.016667036520111943",
    "0.001234567890123456789", "5.000000000000000000", "0.12345678", "0.1234567",
    "1.", "-0.", "+9.", "0.5", "-1.25", "10.", "-99.99999999999999999", "99.9999999999999999", "-09.5",
    "12.3456789012345678", "12.34567890123456789", "98.76543210987654321", "99.99999999999999995",
    "0.000000000000000001", "0.0000000000000000001", "9.999999999999999999e0", "10.00000000000000001",
  ]

  @Test("edges of the shape: ties, all zeros, all nines, no fraction digits, two integer digits, 19 and 20 digits",
    arguments: edges)
  func edge(_ text: String) {
    DecimalParserTests.expectSameAsStrtod(text)
    DigitRunTests.expectScan(text, then: ",0.5")
    DigitRunTests.expectScan(text, then: "")
  }

  /// Random digits in the usual shape, and the shortest representations of random doubles in [0.1, 100)
  /// (the shape's purpose), with their last digit moved by ±1 (near-halfway values): value and end equal
  /// strtod's and the general scan's. `ROBUSTFIT_HEAVY=1`: 100 times as many.
  @Test("random usual-shape numbers and shortest representations equal strtod and the general scan")
  func randomUsual() {
    var rng = SplitMix64(seed: 1619)
    let count = scaled(20_000)
    var taken = 0
    for k in 0..<count {
      var token: String
      if k % 2 == 0 {
        let integer = rng.next() % 3 == 0 ? String(10 + rng.next() % 90) : String(rng.next() % 10)
        let count = 1 + Int(rng.next() % (integer.count == 2 ? 17 : 18))
        token = integer + "." + (0..<count).map { _ in String(rng.next() % 10) }.joined()
      } else {
        let x = Double(bitPattern: 0x3FB9_9999_9999_999A &+ rng.next() % (0x4059_0000_0000_0000 - 0x3FB9_9999_9999_999A))
        token = "\(x)"
        if rng.next() % 2 == 0, let last = token.last, let d = last.wholeNumberValue, token.count > 3 {
          token = String(token.dropLast()) + String((d + (rng.next() % 2 == 0 ? 1 : 9)) % 10)
        }
      }
      if rng.next() % 2 == 0 { token = "-" + token }
      let text = token + ","
      let usual = Self.scanned(text, DecimalParser.scanUsual)
      let general = Self.scanned(text, DecimalParser.scanGeneral)
      #expect(general?.bits == referenceStrtod(token).bitPattern && general?.length == token.utf8.count, "\(token)")
      if let usual {
        #expect(usual.bits == general?.bits && usual.length == general?.length, "\(token)")
        taken += 1
      }
    }
    #expect(taken > count * 9 / 10)  // all but the few zeros and 19–20 digits of 0.0…
  }

  /// Usual numbers of 0–18 fraction digits and one or two integer digits in one column without a header
  /// (the first number at the very start of the file), read with every chunk size from 16 to 48 bytes
  /// (a number at every offset from a chunk's start and end) and in pieces of 1–40 bytes on 2 threads
  /// (at every offset from a piece's start and end).
  @Test("usual numbers at every offset from the start and end of a file, a chunk and a piece")
  func alignments() throws {
    var rng = SplitMix64(seed: 1618)
    var cells: [String] = []
    for k in 0..<200 {
      let digit = k % 7 == 0 ? 10 + Int(rng.next() % 90) : Int(rng.next() % 10)
      let count = Int(rng.next() % UInt64(digit >= 10 ? 18 : 19))
      cells.append(Self.usual(sign: ["", "-", "+"][k % 3], digit: digit, count: count, &rng))
    }
    let csv = cells.joined(separator: "\n") + "\n"
    var options = CSVReadOptions()
    options.header = .absent
    options.threads = 1
    for chunk in 16...48 {
      options.chunkSize = chunk
      let table = try readCSV(csv, options)
      #expect(table.rowCount == cells.count)
      for (r, cell) in cells.enumerated() {
        #expect(table.columns[0][r].bitPattern == referenceStrtod(cell).bitPattern, "chunk \(chunk): \(cell)")
      }
    }
    options.chunkSize = 1 << 16
    #expect(try parallelMismatch(Array(csv.utf8), options, threads: [2], pieceSizes: Array(1...40)) == nil)
  }

  /// The usual record loop, left at a zero, an underflow, spaces, quotes, a missing value, a non-number,
  /// an unselected column, CRLF, a last record without a line end: the values are strtod's whatever the
  /// chunk size and thread count.
  @Test("records that leave the usual loop at any field read as strtod reads them, in chunks and pieces")
  func recordsLeavingTheLoop() throws {
    var rng = SplitMix64(seed: 719)
    let oddities = [
      "0.00000000", "-0.0", "0", " 1.25", "1.25 ", "\"0.5\"", "12.5", "1e-3", "-7", "1.5e-400", "123.5",
      "-12.34567890123456789", "0.0000000000000000001",
    ]
    var rows: [[String]] = []
    for r in 0..<300 {
      rows.append((0..<4).map { _ in
        rng.next() % 5 == 0
          ? oddities[Int(rng.next() % UInt64(oddities.count))]
          : Self.usual(sign: rng.next() % 2 == 0 ? "-" : "", digit: Int(rng.next() % 10), count: 14 + r % 6, &rng)
      })
    }
    let ends = ["\n", "\r\n"]
    var csv = "a,b,c,d\n"
    for (r, row) in rows.enumerated() {
      csv += row.joined(separator: ",") + (r == rows.count - 1 ? "" : ends[r % 2])
    }
    func value(_ cell: String) -> Double {
      referenceStrtod(cell.replacingOccurrences(of: "\"", with: "").trimmingCharacters(in: .whitespaces))
    }
    let underflows = rows.flatMap { $0 }.filter { $0 == "1.5e-400" }.count
    for columns in [nil, ["d", "b"]] as [[String]?] {
      var options = CSVReadOptions()
      options.threads = 1
      options.columns = columns
      let picked = columns.map { $0.map { ["a", "b", "c", "d"].firstIndex(of: $0)! } } ?? [0, 1, 2, 3]
      for chunk in [7, 23, 64, 1 << 16] {
        options.chunkSize = chunk
        let table = try readCSV(csv, options)
        #expect(table.rowCount == rows.count)
        for (j, k) in picked.enumerated() {
          for (r, row) in rows.enumerated() {
            #expect(table.columns[j][r].bitPattern == value(row[k]).bitPattern, "chunk \(chunk): \(row[k])")
          }
        }
        if columns == nil { #expect(table.underflows?.count ?? 0 == underflows) }
      }
      #expect(try parallelMismatch(Array(csv.utf8), options, threads: [2, 3], pieceSizes: [1, 5, 17, 64]) == nil)
    }
  }

  /// After usual fields: a missing value, a non-number, a number running into text, one field too many
  /// or too few, an infinity: the same error, row and column as before the loop existed.
  @Test("errors after usual fields name the same row and column", arguments: [
    ("1.2345678901,2.2345678901,NA\n", CSVError.missingValue(file: "t.csv", row: 3, column: 3, name: "c", text: "NA")),
    ("1.2345678901,abc,3.2345678901\n", CSVError.nonNumeric(file: "t.csv", row: 3, column: 2, name: "b", text: "abc")),
    ("1.2345678901,2.2345678901x,3.5\n",
     CSVError.nonNumeric(file: "t.csv", row: 3, column: 2, name: "b", text: "2.2345678901x")),
    ("1.2345678901,2.2345678901,3.2345678901,4.2345678901\n", CSVError.raggedRow(file: "t.csv", row: 3, expected: 3, got: 4)),
    ("1.2345678901,2.2345678901\n", CSVError.raggedRow(file: "t.csv", row: 3, expected: 3, got: 2)),
    ("1.2345678901,2.2345678901,1e999\n",
     CSVError.nonFiniteValue(file: "t.csv", row: 3, column: 3, name: "c", text: "1e999")),
  ])
  func errors(_ record: String, _ expected: CSVError) {
    let csv = "a,b,c\n0.1234567890,0.2234567890,0.3234567890\n" + record + "0.5,0.5,0.5\n"
    for chunk in [5, 16, 1 << 16] {
      var options = CSVReadOptions()
      options.threads = 1
      options.chunkSize = chunk
      #expect(csvError { try readCSV(csv, options) } == expected, "chunk \(chunk)")
    }
  }
}
