// The number scanner's word-at-a-time digit path (up to 8 digits per 8-byte word, a fraction's first
// 24 digits at once) against byte-by-byte definitions and strtod, at the lengths where the words
// change: 7/8/9, 15/16/17, 23/24/25 digits, with signs, leading zeros and exponents, tokens
// followed by other digits, tokens at the very end of a buffer, and in CSV files cut into small
// chunks and pieces.

import Foundation
import Testing
@testable import TabularIO

@Suite("DecimalParser digit words")
struct DigitWordTests {
  /// A random 8-byte word mixing digits with the bytes either side of '0'...'9' and those whose
  /// +6 carries (0xFA...0xFF), little-endian.
  static func randomWord(_ rng: inout SplitMix64) -> [UInt8] {
    let others: [UInt8] = [0x00, 0x2E, 0x2F, 0x3A, 0x3F, 0x2C, 0x2D, 0x65, 0xFA, 0xFF, 0xB0, 0x0A, 0x20]
    return (0..<8).map { _ in
      rng.next() % 3 == 0 ? others[Int(rng.next() % UInt64(others.count))] : UInt8(0x30 + rng.next() % 10)
    }
  }

  @Test("leading digit count and value of a word equal the byte-by-byte ones")
  func wordFunctions() {
    var rng = SplitMix64(seed: 16)
    for _ in 0..<20_000 {
      let bytes = Self.randomWord(&rng)
      var word: UInt64 = 0
      for (k, b) in bytes.enumerated() { word |= UInt64(b) << (8 * UInt64(k)) }
      let n = bytes.firstIndex { $0 < 0x30 || $0 > 0x39 } ?? 8
      #expect(DecimalParser.leadingDigitCount(word) == n, "\(bytes)")
      let value = bytes.prefix(n).reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
      #expect(DecimalParser.leadingDigitsValue(word, n) == value, "\(bytes)")
    }
  }

  static let lengths = [0, 1, 2, 7, 8, 9, 15, 16, 17, 18, 19, 20, 23, 24, 25, 31, 32, 33]

  /// A number with `intCount` integer digits and `fracCount` fraction digits (a point when there is
  /// a fraction, or sometimes anyway), random sign, leading zeros and exponent.
  static func number(intCount: Int, fracCount: Int, _ rng: inout SplitMix64) -> String {
    var s = ["", "-", "+"][Int(rng.next() % 3)]
    let zeros = rng.next() % 4 == 0  // leading zeros: the digits count, the value does not
    for k in 0..<intCount { s += zeros && k < intCount / 2 ? "0" : String(rng.next() % 10) }
    if fracCount > 0 || rng.next() % 4 == 0 { s += "." }
    for k in 0..<fracCount { s += zeros && intCount == 0 && k < fracCount / 2 ? "0" : String(rng.next() % 10) }
    switch rng.next() % 4 {
    case 0: s += "e" + String(Int(rng.next() % 40) - 20)
    case 1: s += "E+" + String(rng.next() % 300)
    default: break
    }
    return s
  }

  @Test("integer and fraction lengths either side of the word boundaries agree with strtod",
    arguments: lengths)
  func boundaryLengths(intCount: Int) {
    var rng = SplitMix64(seed: UInt64(100 + intCount))
    for fracCount in Self.lengths where intCount + fracCount > 0 {
      for _ in 0..<40 {
        DecimalParserTests.expectSameAsStrtod(Self.number(intCount: intCount, fracCount: fracCount, &rng))
      }
    }
  }

  /// Scans `token` + `tail` in a buffer holding exactly the bytes, the NUL and ``DecimalParser/readAhead``
  /// zeros; the token must end where `tail` starts and equal strtod.
  static func expectScan(_ token: String, then tail: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let bytes = Array((token + tail).utf8)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count + 1 + DecimalParser.readAhead)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: 0, count: bytes.count + 1 + DecimalParser.readAhead)
    buffer.update(from: bytes, count: bytes.count)
    guard let (value, end) = DecimalParser.scan(UnsafePointer(buffer), DecimalTables.shared) else {
      Issue.record("rejected \(token) before \(tail)", sourceLocation: sourceLocation)
      return
    }
    #expect(end - UnsafePointer(buffer) == token.utf8.count, "\(token)|\(tail)", sourceLocation: sourceLocation)
    let reference = referenceStrtod(token)
    #expect(value.bitPattern == reference.bitPattern, "\(token): \(value) vs \(reference)", sourceLocation: sourceLocation)
  }

  @Test("a token stops at its end when digits follow a delimiter, and at the very end of a buffer")
  func tokenEnds() {
    var rng = SplitMix64(seed: 17)
    for intCount in Self.lengths {
      for fracCount in Self.lengths where intCount + fracCount > 0 {
        let token = Self.number(intCount: intCount, fracCount: fracCount, &rng)
        Self.expectScan(token, then: "")
        Self.expectScan(token, then: ",12345678901234567890123456789")
        Self.expectScan(token, then: "\n9.99999999999999999999")
        Self.expectScan(token, then: " ,1")
        Self.expectScan(token, then: "\r\n0")
      }
    }
  }

  @Test("CSV numbers of every boundary length, cut into small chunks and pieces, read as strtod reads them")
  func csvChunksAndPieces() throws {
    var rng = SplitMix64(seed: 18)
    var texts: [[String]] = []
    for _ in 0..<120 {
      texts.append((0..<3).map { _ in
        let i = Self.lengths[Int(rng.next() % UInt64(Self.lengths.count))] % 21
        let f = Self.lengths[Int(rng.next() % UInt64(Self.lengths.count))] % 26
        var text: String
        repeat {
          text = Self.number(intCount: i, fracCount: i + f == 0 ? 1 : f, &rng)
        } while !referenceStrtod(text).isFinite  // an overflow is an error in a CSV file
        return text
      })
    }
    let csv = "a,b,c\n" + texts.map { $0.joined(separator: ",") + "\n" }.joined()
    var sequential = CSVReadOptions()
    sequential.threads = 1
    for chunk in [7, 23, 64, 1 << 16] {
      sequential.chunkSize = chunk
      let table = try readCSV(csv, sequential)
      for (row, cells) in texts.enumerated() {
        for (j, text) in cells.enumerated() {
          #expect(table.columns[j][row].bitPattern == referenceStrtod(text).bitPattern, "chunk \(chunk): \(text)")
        }
      }
    }
    #expect(try parallelMismatch(Array(csv.utf8), CSVReadOptions(), threads: [2, 3], pieceSizes: [1, 5, 17, 64]) == nil)
  }
}
