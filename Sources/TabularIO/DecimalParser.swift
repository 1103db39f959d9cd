// Correctly rounded decimal-to-double conversion: Clinger's fast path, Eisel–Lemire, strtod fallback.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal numbers from bytes into `Double`, correctly rounded (round-half-to-even), giving
/// bit-for-bit the result of C `strtod` for every input it accepts.
///
/// Accepted syntax (ASCII): optional spaces, an optional `+` or `-`, digits with an optional `.`
/// (at least one digit in total: `1`, `1.`, `.5`, `-0.25`), an optional exponent `e`/`E` with an
/// optional sign and at least one digit, optional spaces. Everything else is rejected: hexadecimal
/// floats, `inf`/`nan`, a decimal comma (`1,5`), doubled signs (`--1`), thousands separators.
/// Magnitudes too large for `Double` give ±infinity (as `strtod` does); tiny ones give ±0 or a
/// subnormal.
///
/// Three tiers, fastest first:
/// 1. Clinger's fast path: a mantissa of at most 2^53 and |exponent| ≤ 22 — both factors are
///    exact doubles, so one IEEE multiplication or division is correctly rounded.
/// 2. Eisel–Lemire: the first 19 significant digits times a 128-bit approximation of 10^q
///    (``PowersOfFive``); it proves the rounding or reports that it cannot. With more than 19
///    digits, the truncated mantissa w and w + 1 must round to the same double.
/// 3. `strtod` on the token for the rare cases left (subnormals, exact ties, long ties).
public enum DecimalParser {
  /// Parses a whole byte sequence (surrounding spaces allowed); `nil` when it is not a number in
  /// the accepted syntax. Overflow gives ±infinity.
  public static func parse<Bytes: Collection>(_ bytes: Bytes) -> Double? where Bytes.Element == UInt8 {
    if let fast = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) { return fast }
    return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }
  }

  /// Parses a `String` by its UTF-8 bytes; see ``parse(_:)-(Bytes)``.
  public static func parse(_ text: String) -> Double? {
    var copy = text
    return copy.withUTF8 { parse(buffer: $0) }
  }

  /// Parses the bytes of `buffer`; `nil` unless the whole buffer (minus surrounding spaces) is
  /// a number.
  public static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Double? {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return nil }
    var start = base
    var end = base + buffer.count
    while start < end && start.pointee == 0x20 { start += 1 }
    while end > start && (end - 1).pointee == 0x20 { end -= 1 }
    guard start < end else { return nil }
    // The scan must consume exactly [start, end); it runs on a NUL-terminated copy because it
    // reads past the token.
    return scanBounded(start, end)
  }



  /// A bounded scan used by ``parse(buffer:)``: copies into a NUL-terminated scratch buffer
  /// (with the 8 bytes of slack that ``scan(_:_:)`` may read) so the unbounded scan stops at the
  /// terminator.
  static func scanBounded(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double? {
    let n = end - start
    let tables = DecimalTables.shared
    if n < 55 {
      return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { tmp -> Double? in
        let t = tmp.baseAddress!
        t.initialize(repeating: 0, count: 64)
        t.update(from: start, count: n)
        guard let (v, stop) = scan(UnsafePointer(t), tables), stop == UnsafePointer(t) + n else { return nil }
        return v
      }
    }
    var tmp = [UInt8](repeating: 0, count: n + 9)
    return tmp.withUnsafeMutableBufferPointer { b -> Double? in
      let t = b.baseAddress!
      t.update(from: start, count: n)
      guard let (v, stop) = scan(UnsafePointer(t), tables), stop == UnsafePointer(t) + n else { return nil }
      return v
    }
  }

  /// Whether the 8 bytes (little-endian) are all ASCII digits (Lemire's SWAR test).
  @inline(__always)
  static func isEightDigits(_ v: UInt64) -> Bool {
    ((v & 0xF0F0_F0F0_F0F0_F0F0) | (((v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4))
      == 0x3333_3333_3333_3333
  }

  /// The value of 8 ASCII digits loaded little-endian (first digit in the low byte).
  @inline(__always)
  static func eightDigitsValue(_ v: UInt64) -> UInt64 {
    let mask: UInt64 = 0x0000_00FF_0000_00FF
    let mul1: UInt64 = 100 + (1_000_000 << 32)
    let mul2: UInt64 = 1 + (10_000 << 32)
    var x = v &- 0x3030_3030_3030_3030
    x = (x &* 10) &+ (x >> 8)
    return (((x & mask) &* mul1) &+ (((x >> 16) & mask) &* mul2)) >> 32
  }

  /// Appends the run of decimal digits at `i` to `mantissa` (wrapping; the caller counts the digits
  /// from the pointers), eight at a time while it can, each 8-byte word loaded once; leaves `i` on
  /// the first non-digit.
  @inline(__always)
  static func accumulateDigits(_ i: inout UnsafePointer<UInt8>, into mantissa: inout UInt64) {
    while true {
      let word = UnsafeRawPointer(i).loadUnaligned(as: UInt64.self).littleEndian
      guard isEightDigits(word) else { break }
      mantissa = mantissa &* 100_000_000 &+ eightDigitsValue(word)
      i += 8
    }
    while true {
      let d = i.pointee &- 0x30
      if d > 9 { break }
      mantissa = mantissa &* 10 &+ UInt64(d)
      i += 1
    }
  }

  /// Scans a number starting exactly at `p` (no leading spaces) and stops at the first byte that
  /// cannot continue it. The bytes must be followed by a byte that cannot continue a number
  /// (the CSV reader keeps a NUL sentinel after its data), and 8 readable bytes after that
  /// terminator (digits are read 8 at a time). Returns the value and the end of the token, or
  /// `nil` when the bytes at `p` do not start a number (or the exponent has no digits).
  @inline(__always)
  static func scan(_ p: UnsafePointer<UInt8>, _ tables: DecimalTables) -> (Double, UnsafePointer<UInt8>)? {
    var i = p
    var negative = false
    if i.pointee == 0x2D {  // -
      negative = true
      i += 1
    } else if i.pointee == 0x2B {  // +
      i += 1
    }
    let digitsStart = i
    var mantissa: UInt64 = 0
    accumulateDigits(&i, into: &mantissa)
    let intEnd = i
    var fracStart = i
    var fracEnd = i
    if i.pointee == 0x2E {  // .
      i += 1
      fracStart = i
      accumulateDigits(&i, into: &mantissa)
      fracEnd = i
    }
    let digitCount = (intEnd - digitsStart) + (fracEnd - fracStart)
    if digitCount == 0 { return nil }
    var exp10 = fracStart - fracEnd
    if i.pointee | 0x20 == 0x65 {  // e or E
      i += 1
      var expNegative = false
      if i.pointee == 0x2D {
        expNegative = true
        i += 1
      } else if i.pointee == 0x2B {
        i += 1
      }
      var e = 0
      let expStart = i
      while true {
        let d = i.pointee &- 0x30
        if d > 9 { break }
        if e < 100_000_000 { e = e &* 10 &+ Int(d) }  // saturate: any larger exponent is ±∞ or 0
        i += 1
      }
      if i == expStart { return nil }
      exp10 += expNegative ? -e : e
    }
    let tokenEnd = i
    if digitCount > 19 {
      return (longMantissa(negative, digitsStart, intEnd, fracStart, fracEnd, exp10, tables, p, tokenEnd), tokenEnd)
    }
    if mantissa == 0 { return (negative ? -0.0 : 0.0, tokenEnd) }
    if mantissa <= 1 << 53 && exp10 >= -22 && exp10 <= 22 {
      // Clinger: both operands exact, so the single rounding is the correct one.
      let m = Double(mantissa)
      let v = exp10 < 0 ? m / tables.exactPowers[-exp10] : m * tables.exactPowers[exp10]
      return (negative ? -v : v, tokenEnd)
    }
    return (finish(negative, mantissa, exp10, truncated: false, tables, p, tokenEnd), tokenEnd)
  }

  /// More than 19 digits: keep the first 19 significant ones, note whether a non-zero digit was
  /// cut off, and set the exponent so that value ≈ m · 10^e10.
  @inline(never)
  static func longMantissa(
    _ negative: Bool, _ digitsStart: UnsafePointer<UInt8>, _ intEnd: UnsafePointer<UInt8>,
    _ fracStart: UnsafePointer<UInt8>, _ fracEnd: UnsafePointer<UInt8>, _ exp10: Int, _ tables: DecimalTables,
    _ tokenStart: UnsafePointer<UInt8>, _ tokenEnd: UnsafePointer<UInt8>
  ) -> Double {
    let intLength = intEnd - digitsStart
    let digitCount = intLength + (fracEnd - fracStart)
    var firstExponent = 0  // decimal exponent of the first significant digit
    var found = false
    var m: UInt64 = 0
    var kept = 0
    var truncated = false
    var j = 0
    while j < digitCount {
      let c = j < intLength ? digitsStart[j] : fracStart[j - intLength]
      if !found && c != 0x30 {
        found = true
        firstExponent = intLength - 1 - j
      }
      if found {
        if kept < 19 {
          m = m &* 10 &+ UInt64(c &- 0x30)
          kept += 1
        } else if c != 0x30 {
          truncated = true
        }
      }
      j += 1
    }
    if !found { return negative ? -0.0 : 0.0 }
    let explicitExponent = exp10 + (fracEnd - fracStart)
    let e10 = firstExponent - (kept - 1) + explicitExponent
    return finish(negative, m, e10, truncated: truncated, tables, tokenStart, tokenEnd)
  }

  /// w · 10^q for w ≠ 0 when Clinger's fast path does not apply: Eisel–Lemire, or strtod.
  @inline(never)
  static func finish(
    _ negative: Bool, _ w: UInt64, _ q: Int, truncated: Bool, _ tables: DecimalTables,
    _ tokenStart: UnsafePointer<UInt8>, _ tokenEnd: UnsafePointer<UInt8>
  ) -> Double {
    if !truncated && w <= 1 << 53 && q >= -22 && q <= 22 {
      let m = Double(w)
      let v = q < 0 ? m / tables.exactPowers[-q] : m * tables.exactPowers[q]
      return negative ? -v : v
    }
    if q < PowersOfFive.minExponent { return negative ? -0.0 : 0.0 }  // w·10^q < 2^-1075
    if q > PowersOfFive.maxExponent { return negative ? -.infinity : .infinity }  // ≥ 10^309
    if let v = eiselLemire(w, q, tables) {
      if !truncated || eiselLemire(w + 1, q, tables) == v {
        return negative ? -v : v
      }
    }
    return strtodFallback(tokenStart, tokenEnd)
  }

  /// Eisel–Lemire: the correctly rounded w·10^q for w ≠ 0, −342 ≤ q ≤ 308, or `nil` when the
  /// 128-bit product cannot decide the rounding (near ties), or the result is subnormal, zero
  /// or infinite. Follows Lemire (2021), Algorithm 1, with the conservative checks of simdjson.
  @inline(__always)
  static func eiselLemire(_ w: UInt64, _ q: Int, _ tables: DecimalTables) -> Double? {
    let lz = w.leadingZeroBitCount
    let i = w << UInt64(lz)
    let index = 2 * (q - PowersOfFive.minExponent)
    let high5 = tables.powersOfFive[index]
    let low5 = tables.powersOfFive[index + 1]
    var (upper, lower) = i.multipliedFullWidth(by: high5)
    if upper & 0x1FF == 0x1FF && lower &+ i < lower {
      // The truncated table may leave `upper` one too small: refine with the low 64 bits.
      let (secondHigh, secondLow) = i.multipliedFullWidth(by: low5)
      let middle = lower &+ secondHigh
      var high = upper
      if middle < lower { high &+= 1 }
      if middle &+ 1 == 0 && high & 0x1FF == 0x1FF && secondLow &+ i < secondLow { return nil }
      upper = high
      lower = middle
    }
    let upperBit = upper >> 63
    var mantissa = upper >> (upperBit + 9)
    var shift = lz + Int(1 ^ upperBit)
    // An exact tie that round-half-up would get wrong: let strtod decide.
    if lower == 0 && upper & 0x1FF == 0 && mantissa & 3 == 1 { return nil }
    mantissa += mantissa & 1
    mantissa >>= 1
    if mantissa >= 1 << 53 {
      mantissa = 1 << 52
      shift -= 1
    }
    mantissa &= ~(1 << 52)
    // floor(q · log2(10)) + bias + 63, exact for |q| ≤ 1650 (Lemire 2021, §5).
    let exponent = (((152170 + 65536) * q) >> 16) + 1024 + 63 - shift
    if exponent < 1 || exponent > 2046 { return nil }
    return Double(bitPattern: UInt64(exponent) << 52 | mantissa)
  }

  /// `strtod` on the validated token [start, end) (copied and NUL-terminated). The token is in
  /// the accepted syntax, so `strtod` consumes all of it; the C locale's '.' is assumed.
  @inline(never)
  static func strtodFallback(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double {
    let n = end - start
    var tmp = [CChar](repeating: 0, count: n + 1)
    return tmp.withUnsafeMutableBufferPointer { b -> Double in
      let t = b.baseAddress!
      UnsafeMutableRawPointer(t).copyMemory(from: start, byteCount: n)
      t[n] = 0
      return strtod(t, nil)
    }
  }
}

/// The parser's constant tables behind plain pointers, built once and never freed, so the hot
/// loop pays neither lazy-initialisation checks nor array bounds checks.
struct DecimalTables: @unchecked Sendable {
  /// 10^0 ... 10^22, every one exact in a double.
  let exactPowers: UnsafePointer<Double>
  /// ``PowersOfFive/table``.
  let powersOfFive: UnsafePointer<UInt64>

  static let shared: DecimalTables = {
    let exact = UnsafeMutablePointer<Double>.allocate(capacity: 23)
    var p = 1.0
    for k in 0...22 {
      exact[k] = p
      p *= 10  // exact: 10^k = 5^k · 2^k and 5^k < 2^53 for k ≤ 22
    }
    let table = PowersOfFive.table
    let five = UnsafeMutablePointer<UInt64>.allocate(capacity: table.count)
    five.initialize(from: table, count: table.count)
    return DecimalTables(exactPowers: exact, powersOfFive: five)
  }()
}
