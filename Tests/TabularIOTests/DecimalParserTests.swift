// The number parser against glibc strtod, bit for bit, on edge cases and seeded random strings.

import Foundation
import Testing
@testable import TabularIO

@Suite("DecimalParser equals strtod")
struct DecimalParserTests {
  /// Asserts that our parser accepts `text` and agrees with strtod to the bit.
  static func expectSameAsStrtod(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let ours = DecimalParser.parse(text)
    let reference = referenceStrtod(text)
    #expect(ours != nil, "rejected \(text)", sourceLocation: sourceLocation)
    if let ours, ours.bitPattern != reference.bitPattern {
      Issue.record("\(text): ours \(ours) (\(ours.bitPattern)) strtod \(reference) (\(reference.bitPattern))",
        sourceLocation: sourceLocation)
    }
  }

  static let edgeCases: [String] = [
    "0", "-0", "+0", "0.0", "0e0", "0e999999", "-0.0e-999", "1", "-1", "0.1", "0.2", "0.3", ".5", "5.", "1e23",
    "1e22", "1e-22", "9007199254740992", "9007199254740993", "9007199254740995", "9007199254740994",
    "18014398509481985", "4.9e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
    "2.225073858507201136057409796709131975934819546351645648e-308", "1.7976931348623157e308",
    "1.7976931348623158e308", "1.7976931348623159e308", "1.8e308", "1e309", "-1e309", "1e-400", "1e-342",
    "1e-343", "1e308", "1e-308", "123456789012345678901234567890", "0.000000000000000000000000000001",
    "3.14159265358979323846264338327950288419716939937510", "-1.2345678901234567", "0.123456",
    "89255.0e-22", "8.988465674311579e307", "7.0e-10", "1448997445238699", "1e0000000000000000000000023",
    "00000000000000000000001.5", "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126", "  42  ", "+.1e+1", "1E5", "1e-5",
    "4503599627370496.5", "4503599627370497.5", "2251799813685248.25", "9223372036854775807",
    "18446744073709551615", "18446744073709551616", "10000000000000000000", "99999999999999999999",
    "0.1e-340", "123.456e-310", "1" + String(repeating: "0", count: 400), "0." + String(repeating: "0", count: 340) + "1",
  ]

  @Test("edge cases agree with strtod", arguments: edgeCases)
  func edgeCase(_ text: String) {
    Self.expectSameAsStrtod(text)
  }

  @Test("800-digit mantissas, including ties broken only by the last digit")
  func longMantissas() {
    var rng = SplitMix64(seed: 800)
    for _ in 0..<scaled(200) {
      var digits = String((1...9).randomElement(using: &rng)!)
      for _ in 0..<799 { digits += String(Int.random(in: 0...9, using: &rng)) }
      let point = Int.random(in: 1..<800, using: &rng)
      let split = digits.index(digits.startIndex, offsetBy: point)
      let exp = Int.random(in: -330...(-10), using: &rng)
      Self.expectSameAsStrtod(String(digits[..<split]) + "." + String(digits[split...]) + "e\(exp)")
    }
    // 2^-1074 · (2k+1)/2 halfway points carried out to hundreds of digits.
    Self.expectSameAsStrtod(exactDecimal(3, times2ToThe: -1075))
    Self.expectSameAsStrtod(exactDecimal(1, times2ToThe: -1075) + "000000000000000000001")
  }

  static let rejected: [String] = [
    "", " ", "-", "+", ".", "-.", "e5", "1e", "1e+", "1.5e-", "--1", "+-1", "1,5", "1 5", "0x1p3", "0x10",
    "inf", "-inf", "nan", "NaN", "infinity", "1..2", "1.2.3", "1e5.5", "١", "1_000", "1e5e5", "abc", "1a",
  ]

  @Test("rejects what is not a plain decimal number", arguments: rejected)
  func rejects(_ text: String) {
    #expect(DecimalParser.parse(text) == nil)
  }

  @Test("random digit strings: lengths 1-25, exponents -360...360")
  func randomDigitStrings() {
    var rng = SplitMix64(seed: 1)
    for _ in 0..<scaled(40_000) {
      var s = ""
      switch rng.next() % 3 {
      case 0: s += "-"
      case 1: s += "+"
      default: break
      }
      let intCount = Int.random(in: 0...25, using: &rng)
      let fracCount = Int.random(in: (intCount == 0 ? 1 : 0)...25, using: &rng)
      for _ in 0..<intCount { s += String(Int.random(in: 0...9, using: &rng)) }
      if fracCount > 0 || rng.next() % 4 == 0 { s += "." }
      for _ in 0..<fracCount { s += String(Int.random(in: 0...9, using: &rng)) }
      if rng.next() % 3 != 0 {
        s += rng.next() % 2 == 0 ? "e" : "E"
        s += String(Int.random(in: -360...360, using: &rng))
      }
      Self.expectSameAsStrtod(s)
    }
  }

  @Test("shortest representations of random doubles read back exactly")
  func shortestRepresentations() {
    var rng = SplitMix64(seed: 2)
    for _ in 0..<scaled(40_000) {
      let d = Double(bitPattern: rng.next())
      guard d.isFinite else { continue }
      let text = "\(d)"
      Self.expectSameAsStrtod(text)
      #expect(DecimalParser.parse(text)?.bitPattern == d.bitPattern)
    }
  }

  @Test("exact halfway points between adjacent doubles, and one digit either side")
  func halfwayPoints() {
    var rng = SplitMix64(seed: 3)
    for _ in 0..<scaled(2_000, heavyFactor: 50) {
      // A random double m·2^e with m < 2^53; its upper neighbour's midpoint is (2m+1)·2^(e-1).
      let m = (rng.next() >> 11) | 1 << 52
      let e = Int.random(in: -1074...(971), using: &rng)
      let exact = exactDecimal(2 * m + 1, times2ToThe: e - 1)
      Self.expectSameAsStrtod(exact)
      if exact.contains(".") {
        Self.expectSameAsStrtod(exact + "0000000000000000000001")
        if exact.hasSuffix("5") { Self.expectSameAsStrtod(String(exact.dropLast()) + "4999999999999999999") }
      } else {
        Self.expectSameAsStrtod(exact + ".000000000000000000001")
        Self.expectSameAsStrtod(exact + "e0")
      }
    }
    // Subnormal halfway points.
    for k: UInt64 in [1, 2, 3, 1 << 20, (1 << 52) - 1] {
      Self.expectSameAsStrtod(exactDecimal(2 * k + 1, times2ToThe: -1075))
    }
  }

  @Test("values near powers of ten and exponent limits")
  func nearPowersOfTen() {
    var rng = SplitMix64(seed: 4)
    for q in -345...310 {
      for digits in ["1", "9999999999999999", "99999999999999999999", "5", "4999999999999999999"] {
        Self.expectSameAsStrtod("\(digits)e\(q)")
      }
      let w = rng.next() % 10_000_000_000_000_000_000
      Self.expectSameAsStrtod("\(w)e\(q)")
    }
  }

  @Test("parse(_:) works on byte collections and buffers alike")
  func collectionsAgree() {
    let bytes = Array(" -12.5e1 ".utf8)
    #expect(DecimalParser.parse(bytes) == -125)
    #expect(DecimalParser.parse(bytes[1...]) == -125)
    #expect(DecimalParser.parse(Array("1 2".utf8)) == nil)
    #expect(bytes.withUnsafeBufferPointer { DecimalParser.parse(buffer: $0) } == -125)
  }
}
