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
    // `scan` stops at the first byte that cannot continue a number; a trailing byte that is a
    // digit cannot be mistaken because we require the scan to consume exactly [start, end).
    // The scan reads one byte past a token only when it is inside [start, end), so copy when the
    // buffer ends inside a token whose next byte would be read (the last byte): use a bounded scan.
    return scanBounded(start, end)
  }

  /// A bounded scan used by ``parse(buffer:)``: copies into a NUL-terminated scratch buffer so the
  /// unbounded ``scan(_:)`` can stop at the terminator.
  @inline(__always)
  static func scanBounded(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double? {
    let n = end - start
    if n < 64 {
      return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { tmp -> Double? in
        let t = tmp.baseAddress!
        t.initialize(from: start, count: n)
        t[n] = 0
        guard let (v, stop) = scan(UnsafePointer(t)), stop == UnsafePointer(t) + n else { return nil }
        return v
      }
    }
    var tmp = [UInt8](repeating: 0, count: n + 1)
    return tmp.withUnsafeMutableBufferPointer { b -> Double? in
      let t = b.baseAddress!
      t.initialize(from: start, count: n)
      guard let (v, stop) = scan(UnsafePointer(t)), stop == UnsafePointer(t) + n else { return nil }
      return v
    }
  }

  /// Scans a number starting exactly at `p` (no leading spaces) and stops at the first byte that
  /// cannot continue it. The bytes must be followed by some non-number byte (the CSV reader keeps
  /// a NUL sentinel after its buffer). Returns the value and the end of the token, or `nil` when
  /// the bytes at `p` do not start a number (or the exponent has no digits).
  @inline(__always)
  static func scan(_ p: UnsafePointer<UInt8>) -> (Double, UnsafePointer<UInt8>)? {
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
    while true {
      let d = i.pointee &- 0x30
      if d > 9 { break }
      mantissa = mantissa &* 10 &+ UInt64(d)
      i += 1
    }
    let intEnd = i
    var fracStart = i
    var fracEnd = i
    if i.pointee == 0x2E {  // .
      i += 1
      fracStart = i
      while true {
        let d = i.pointee &- 0x30
        if d > 9 { break }
        mantissa = mantissa &* 10 &+ UInt64(d)
        i += 1
      }
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
    if digitCount <= 19 {
      return (finish(negative, mantissa, exp10, truncated: false, p, tokenEnd), tokenEnd)
    }
    // More than 19 digits: keep the first 19 significant ones in m, note whether any non-zero
    // digit was cut off, and set the exponent so that value ≈ m · 10^e10.
    let intLength = intEnd - digitsStart
    var firstExponent = 0  // decimal exponent of the first significant digit
    var found = false
    var m: UInt64 = 0
    var kept = 0
    var truncated = false
    var j = 0
    while j < digitCount {
      let c = j < intLength ? digitsStart[j] : fracStart[j - intLength]
      if !found {
        if c != 0x30 {
          found = true
          firstExponent = intLength - 1 - j
        }
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
    let explicitExponent = exp10 + (fracEnd - fracStart)
    let e10 = firstExponent - (kept - 1) + explicitExponent
    return (finish(negative, m, e10, truncated: truncated, p, tokenEnd), tokenEnd)
  }

  /// Exact powers of ten representable as doubles (10^0 ... 10^22).
  @usableFromInline
  static let exactPowers: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  ]

  @inline(__always)
  static func finish(
    _ negative: Bool, _ w: UInt64, _ q: Int, truncated: Bool,
    _ tokenStart: UnsafePointer<UInt8>, _ tokenEnd: UnsafePointer<UInt8>
  ) -> Double {
    if w == 0 { return negative ? -0.0 : 0.0 }
    if !truncated && w <= 1 << 53 && q >= -22 && q <= 22 {
      // Clinger: both operands exact, so the single rounding is the correct one.
      let m = Double(w)
      let v = q < 0 ? m / exactPowers[-q] : m * exactPowers[q]
      return negative ? -v : v
    }
    if q < PowersOfFive.minExponent { return negative ? -0.0 : 0.0 }  // w·10^q < 2^-1075
    if q > PowersOfFive.maxExponent { return negative ? -.infinity : .infinity }  // ≥ 10^309
    if let v = eiselLemire(w, q) {
      if !truncated || eiselLemire(w + 1, q) == v {
        return negative ? -v : v
      }
    }
    return strtodFallback(tokenStart, tokenEnd)
  }

  /// Eisel–Lemire: the correctly rounded w·10^q for w ≠ 0, −342 ≤ q ≤ 308, or `nil` when the
  /// 128-bit product cannot decide the rounding (near ties), or the result is subnormal, zero
  /// or infinite. Follows Lemire (2021), Algorithm 1, with the conservative checks of simdjson.
  @inline(__always)
  static func eiselLemire(_ w: UInt64, _ q: Int) -> Double? {
    let lz = w.leadingZeroBitCount
    let i = w << UInt64(lz)
    let index = 2 * (q - PowersOfFive.minExponent)
    let table = PowersOfFive.table
    let high5 = table[index]
    let low5 = table[index + 1]
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
