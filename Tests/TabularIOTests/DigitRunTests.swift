// The number scanner's digit kernel (`DecimalParser.digitRun`, SSE2, 16 bytes at a time) against
// byte-by-byte definitions and strtod: every run length 0–16 with every kind of byte after it, numbers of
// 0–33 integer and fraction digits (where the runs change: 15/16/17, 31/32/33), tokens followed by other
// digits, tokens at the very end of a buffer and right after an unreadable page, and in CSV files cut
// into small chunks and pieces.

import CDigits
import Foundation
import Testing
@testable import TabularIO

@Suite("DecimalParser digit runs")
struct DigitRunTests {
  /// Bytes that are not digits, among them those either side of '0'...'9' and those whose value minus
  /// '0' wraps or lands on 0x80 (0x00, 0xB0, 0xB9, 0xFF).
  static let others: [UInt8] = [0x00, 0x2E, 0x2F, 0x3A, 0x3F, 0x2C, 0x2D, 0x65, 0xFA, 0xFF, 0xB0, 0xB9, 0x0A, 0x20]

  /// A 16-byte window whose first `count` bytes are digits (random, all 0 or all 9), then (below 16) one
  /// of ``others``, then random bytes, digits among them.
  static func window(count: Int, _ rng: inout SplitMix64) -> [UInt8] {
    let style = rng.next() % 4
    return (0..<16).map { k -> UInt8 in
      if k < count { return style == 0 ? 0x30 : style == 1 ? 0x39 : UInt8(0x30 + rng.next() % 10) }
      if k == count { return others[Int(rng.next() % UInt64(others.count))] }
      return rng.next() % 2 == 0 ? others[Int(rng.next() % UInt64(others.count))] : UInt8(0x30 + rng.next() % 10)
    }
  }

  @Test("a window's digit run: count, padded value and exact value equal the byte-by-byte ones",
    arguments: 0...16)
  func runs(count: Int) {
    var rng = SplitMix64(seed: UInt64(1600 + count))
    let tables = DecimalTables.shared
    for _ in 0..<2_000 {
      let bytes = Self.window(count: count, &rng)
      let value = bytes.prefix(count).reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
      var power: UInt64 = 1
      for _ in count..<16 { power *= 10 }
      bytes.withUnsafeBufferPointer { b in
        let (padded, n) = DecimalParser.digitRun(b.baseAddress!)
        #expect(n == count, "\(bytes)")
        #expect(padded == value * power, "\(bytes)")
        // The portable kernel (other architectures) gives the same run.
        let portable = rf_digit_run16_portable(b.baseAddress!)
        #expect(Int(portable.count) == count && portable.padded == value * power, "\(bytes)")
        #expect(DecimalParser.runValue(padded, n, tables) == value, "\(bytes)")
      }
    }
  }

  @Test("the tables: 10^k and the inverses of 5^k modulo 2^64, k = 0...16")
  func tables() {
    let tables = DecimalTables.shared
    var ten: UInt64 = 1
    var five: UInt64 = 1
    for k in 0...16 {
      #expect(tables.smallPowers[k] == ten)
      #expect(five &* tables.fiveInverses[k] == 1)
      ten *= 10
      five *= 5
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

  @Test("integer and fraction lengths either side of the run boundaries agree with strtod",
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

  /// Two pages, one of them unreadable (PROT_NONE), the other holding `text` either right after the
  /// unreadable page or ending with its NUL and ``DecimalParser/readAhead`` zeros right before it: a
  /// read before the token or further past it than promised would fault.
  static func scanNextToGuardPage(_ text: String, guardBefore: Bool) -> (bits: UInt64, length: Int)? {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    guard let region = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      region != MAP_FAILED
    else {
      Issue.record("mmap failed")
      return nil
    }
    defer { munmap(region, 2 * page) }
    let bytes = Array(text.utf8)
    let base = region.assumingMemoryBound(to: UInt8.self)
    let guardPage = guardBefore ? base : base + page
    let start = guardBefore ? base + page : base + page - (bytes.count + 1 + DecimalParser.readAhead)
    start.update(from: bytes, count: bytes.count)
    mprotect(guardPage, page, PROT_NONE)
    guard let (value, end) = DecimalParser.scan(UnsafePointer(start), DecimalTables.shared) else { return nil }
    return (value.bitPattern, end - UnsafePointer(start))
  }

  @Test("numbers of 1–33 digits read nothing before their first byte, nor past the promised read-ahead",
    arguments: [false, true])
  func guardPages(guardBefore: Bool) {
    var rng = SplitMix64(seed: guardBefore ? 19 : 20)
    for intCount in Self.lengths {
      for fracCount in Self.lengths where intCount + fracCount > 0 {
        for _ in 0..<4 {
          let token = Self.number(intCount: intCount, fracCount: fracCount, &rng)
          let scanned = Self.scanNextToGuardPage(token, guardBefore: guardBefore)
          #expect(scanned?.length == token.utf8.count, "\(token)")
          #expect(scanned?.bits == referenceStrtod(token).bitPattern, "\(token)")
        }
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
