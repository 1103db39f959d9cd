// Correctly rounded decimal-to-double conversion: Clinger's fast path, Eisel–Lemire, strtod fallback.

import CDigits

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
  /// (with the ``readAhead`` bytes of slack that ``scan(_:_:)`` may read) so the unbounded scan
  /// stops at the terminator.
  static func scanBounded(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double? {
    let n = end - start
    let tables = DecimalTables.shared
    if n + 1 + readAhead <= 64 {
      return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { tmp -> Double? in
        let t = tmp.baseAddress!
        t.initialize(repeating: 0, count: 64)
        t.update(from: start, count: n)
        guard let (v, stop) = scan(UnsafePointer(t), tables), stop == UnsafePointer(t) + n else { return nil }
        return v
      }
    }
    var tmp = [UInt8](repeating: 0, count: n + 1 + readAhead)
    return tmp.withUnsafeMutableBufferPointer { b -> Double? in
      let t = b.baseAddress!
      t.update(from: start, count: n)
      guard let (v, stop) = scan(UnsafePointer(t), tables), stop == UnsafePointer(t) + n else { return nil }
      return v
    }
  }

  /// Bytes a scan may read past the byte that ends its token (see ``scan(_:_:)``).
  public static let readAhead = 32

  /// The run of ASCII digits at `p` within 16 bytes (``CDigits``' SSE2 kernel): `count` (0...16) digits,
  /// and `padded`, their value times 10^(16 − count) (the bytes after the run read as '0'). Reads 16
  /// bytes from `p`, none before it.
  @inline(__always)
  static func digitRun(_ p: UnsafePointer<UInt8>) -> (padded: UInt64, count: Int) {
    let run = rf_digit_run16(p)
    return (run.padded, Int(truncatingIfNeeded: run.count))
  }

  /// The value of a run's digits: `padded` / 10^(16 − count), exact, as a shift by 16 − count and a
  /// multiplication by the inverse of 5^(16 − count) modulo 2^64 (the quotient is an integer).
  @inline(__always)
  static func runValue(_ padded: UInt64, _ count: Int, _ tables: DecimalTables) -> UInt64 {
    let k = 16 &- count
    return (padded &>> UInt64(truncatingIfNeeded: k)) &* tables.fiveInverses[k]
  }

  /// Appends the run of decimal digits at `i` to `mantissa` (wrapping; the caller counts the digits
  /// from the pointers), 16 per ``digitRun(_:)``; leaves `i` on the first non-digit (reads up to 15
  /// bytes past it).
  @inline(__always)
  static func accumulateDigits(_ i: inout UnsafePointer<UInt8>, into mantissa: inout UInt64, _ tables: DecimalTables) {
    while true {
      let (padded, n) = digitRun(i)
      mantissa = mantissa &* tables.smallPowers[n] &+ runValue(padded, n, tables)
      i += n
      if n != 16 { return }
    }
  }

  /// Scans a number starting exactly at `p` (no leading spaces) and stops at the first byte that
  /// cannot continue it. The bytes must be followed by a byte that cannot continue a number
  /// (the CSV reader keeps a NUL sentinel after its data), and ``readAhead`` readable bytes after
  /// that terminator (digits are read 16 bytes at a time). Nothing before `p` is read.
  /// Returns the value and the end of the token, or `nil` when the bytes at `p` do not start a
  /// number (or the exponent has no digits).
  ///
  /// The usual shape — an optional sign, one or two integer digits, a point and 2 to 18 fraction
  /// digits (1 to 17 after two integer digits; a double's shortest representation between 0.1 and 100) —
  /// takes ``scanUsual(_:_:)``, inlined into the caller and without a branch on the number's length;
  /// everything else ``scanGeneral(_:_:)``.
  @_transparent
  static func scan(_ p: UnsafePointer<UInt8>, _ tables: DecimalTables) -> (Double, UnsafePointer<UInt8>)? {
    if let usual = scanUsual(p, tables) { return usual }
    return scanGeneral(p, tables)
  }

  /// ``scan(_:_:)`` for `[+-]d.dd…` and `[+-]dd.d…`: one integer digit and 2 to 18 fraction digits, or
  /// two and 1 to 17, no exponent, not zero; nil for any other shape (the general scan then starts
  /// over). Either way the point is the second or third of the first four bytes and the three others
  /// are digits (single bytes, value x), and the rest, from the fifth byte, is one ``digitRun(_:)``
  /// with the digits missing to 16 read as zeros: m = x · 10^16 + padded, below 10^19, and the value
  /// is m · 10^−18 (10^−17 after two integer digits) whatever the number's length — no branch on it,
  /// no range test for Eisel–Lemire. Reads nothing before `p`, and at most 16 bytes past the token.
  @_transparent
  static func scanUsual(_ p: UnsafePointer<UInt8>, _ tables: DecimalTables) -> (Double, UnsafePointer<UInt8>)? {
    let first = p.pointee
    let negative = first == 0x2D  // -
    let i = p + ((first == 0x2D || first == 0x2B) ? 1 : 0)
    let d0 = UInt64(i.pointee &- 0x30)
    let two = UInt64(i[1] &- 0x30) <= 9 ? 1 : 0  // a second integer digit
    let d1 = UInt64(i[2 &- two] &- 0x30)  // the first fraction digit, or the second integer digit
    let d3 = UInt64(i[3] &- 0x30)
    guard d0 <= 9 && i[1 &+ two] == 0x2E && d1 <= 9 && d3 <= 9 else { return nil }
    let (padded, n) = digitRun(i + 4)
    let end = i + (4 &+ n)
    // The run ends the token: a digit here (after 16) is one too many, an e or E an exponent.
    guard tables.digitOrExponent[Int(end.pointee)] == 0 else { return nil }
    let m = (d0 &* 100 &+ d1 &* 10 &+ d3) &* 10_000_000_000_000_000 &+ padded
    // The sign as a bit, not a branch: half the numbers of a column are negative, at random. (A zero,
    // rare, takes the general scan: its ±0 here made the compiler branch on the sign.)
    let sign = UInt64(truncatingIfNeeded: negative ? 1 : 0) &<< 63
    if m == 0 { return nil }
    let q = two &- 18
    if let v = eiselLemire(m, q, tables) { return (Double(bitPattern: v.bitPattern | sign), end) }
    return (finish(negative, m, q, truncated: false, tables, p, end), end)
  }

  /// ``scan(_:_:)`` for any shape.
  @inline(never)
  static func scanGeneral(_ p: UnsafePointer<UInt8>, _ tables: DecimalTables) -> (Double, UnsafePointer<UInt8>)? {
    let first = p.pointee
    let negative = first == 0x2D  // -
    var i = p + ((first == 0x2D || first == 0x2B) ? 1 : 0)
    let digitsStart = i
    var mantissa: UInt64 = 0
    let d0 = UInt64(i.pointee &- 0x30)
    let d1 = (i + 1).pointee &- 0x30
    if d0 <= 9 && d1 > 9 {
      mantissa = d0  // one integer digit, the usual case: no digit run needed
      i += 1
    } else {
      accumulateDigits(&i, into: &mantissa, tables)
    }
    let intEnd = i
    i += i.pointee == 0x2E ? 1 : 0  // .
    let fracStart = i
    accumulateDigits(&i, into: &mantissa, tables)
    let fracEnd = i
    let digitCount = (intEnd - digitsStart) &+ (fracEnd - fracStart)
    if digitCount == 0 { return nil }
    var exp10 = fracStart - fracEnd
    if i.pointee | 0x20 == 0x65 {  // e or E
      guard let (e, after) = scanExponent(i + 1) else { return nil }
      exp10 += e
      i = after
    }
    let tokenEnd = i
    if digitCount > 19 {
      return (longMantissa(negative, digitsStart, intEnd, fracStart, fracEnd, exp10, tables, p, tokenEnd), tokenEnd)
    }
    if mantissa != 0 && exp10 >= PowersOfFive.minExponent && exp10 <= PowersOfFive.maxExponent,
      let v = eiselLemire(mantissa, exp10, tables)
    {
      return (negative ? -v : v, tokenEnd)
    }
    if mantissa == 0 { return (negative ? -0.0 : 0.0, tokenEnd) }
    return (finish(negative, mantissa, exp10, truncated: false, tables, p, tokenEnd), tokenEnd)
  }

  /// The exponent's optional sign and digits at `i` (after the `e`), saturated (any exponent that
  /// large gives ±∞ or 0); nil without digits.
  @inline(never)
  static func scanExponent(_ start: UnsafePointer<UInt8>) -> (Int, UnsafePointer<UInt8>)? {
    var i = start
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
      if e < 100_000_000 { e = e &* 10 &+ Int(d) }
      i += 1
    }
    if i == expStart { return nil }
    return (expNegative ? -e : e, i)
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
    if _slowPath(upper & 0x1FF == 0x1FF) && lower &+ i < lower {
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
  /// 10^0 ... 10^16 as integers (the factor for a run of n digits).
  let smallPowers: UnsafePointer<UInt64>
  /// The inverses of 5^0 ... 5^16 modulo 2^64 (``DecimalParser/runValue(_:_:_:)``).
  let fiveInverses: UnsafePointer<UInt64>
  /// For each byte, 1 when it is '0' ... '9', 'e' or 'E', else 0 (what may not follow a usual number).
  let digitOrExponent: UnsafePointer<UInt8>

  static let shared: DecimalTables = {
    let exact = UnsafeMutablePointer<Double>.allocate(capacity: 23)
    var p = 1.0
    for k in 0...22 {
      exact[k] = p
      p *= 10  // exact: 10^k = 5^k · 2^k and 5^k < 2^53 for k ≤ 22
    }
    let table = PowersOfFive.table
    let fives = UnsafeMutablePointer<UInt64>.allocate(capacity: table.count)
    fives.initialize(from: table, count: table.count)
    let small = UnsafeMutablePointer<UInt64>.allocate(capacity: 17)
    let inverses = UnsafeMutablePointer<UInt64>.allocate(capacity: 17)
    var t: UInt64 = 1
    var power: UInt64 = 1
    for k in 0...16 {
      small[k] = t
      t *= 10
      // Newton's iteration x ← x(2 − 5^k x) doubles the correct low bits; 5^k is its own inverse mod 8.
      var x = power
      for _ in 0..<5 { x = x &* (2 &- power &* x) }
      inverses[k] = x
      power &*= 5
    }
    let continuing = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    for byte in 0..<256 {
      continuing[byte] = (0x30...0x39).contains(byte) || byte == 0x45 || byte == 0x65 ? 1 : 0
    }
    return DecimalTables(
      exactPowers: exact, powersOfFive: fives, smallPowers: small, fiveInverses: inverses,
      digitOrExponent: continuing)
  }()
}
