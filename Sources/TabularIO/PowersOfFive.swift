// 128-bit approximations of 5^q for the Eisel–Lemire algorithm, computed exactly at first use.

/// The table of normalised 128-bit powers of five used by ``DecimalParser``'s Eisel–Lemire path.
///
/// Entry `q` (for `minExponent ≤ q ≤ maxExponent`) holds the 128 most significant bits of 5^q,
/// normalised so that bit 127 is set, stored as two `UInt64` words (high first):
/// - for q ≥ 0 the bits of 5^q truncated (5^q is exact in a big integer);
/// - for q < 0 the reciprocal ⌊2^(z+127) / 5^−q⌋, where 2^(z−1) < 5^−q < 2^z, plus one for
///   −27 ≤ q < 0 (Lemire, "Number Parsing at a Gigabyte per Second", 2021, §5, the same table as
///   fast_float). For q < −27 the "+1" is applied at a precision below the kept bits and
///   never changes them, so truncation is exact there.
///
/// The table is built once (about 650 big-integer steps) by ``BigUInt``-free arithmetic on
/// arrays of 32-bit limbs, rather than committed as 1302 opaque hexadecimal literals; the tests
/// check it indirectly against `strtod` on millions of inputs.
enum PowersOfFive {
  /// The smallest decimal exponent in the table; below it every 19-digit mantissa rounds to 0.
  static let minExponent = -342
  /// The largest decimal exponent in the table; above it every non-zero mantissa overflows.
  static let maxExponent = 308

  /// `table[2 * (q - minExponent)]` is the high word, `table[2 * (q - minExponent) + 1]` the low.
  static let table: [UInt64] = build()

  private static func build() -> [UInt64] {
    var out = [UInt64](repeating: 0, count: 2 * (maxExponent - minExponent + 1))
    // Positive powers: multiply by 5 in little-endian 32-bit limbs.
    var p: [UInt32] = [1]
    for q in 0...maxExponent {
      if q > 0 { multiply(&p, by: 5) }
      let (hi, lo) = top128(p)
      out[2 * (q - minExponent)] = hi
      out[2 * (q - minExponent) + 1] = lo
    }
    // Negative powers: 5^k for k = 1...342, reciprocal by 128 steps of binary long division.
    p = [1]
    for k in 1...(-minExponent) {
      multiply(&p, by: 5)
      let z = bitLength(p)  // 2^(z-1) < 5^k < 2^z since 5^k is not a power of two
      // Quotient of 2^(z+127) / 5^k: start with remainder 2^(z-1) (< 5^k), then 128 doublings.
      var r = [UInt32](repeating: 0, count: p.count + 1)
      r[(z - 1) / 32] = 1 << UInt32((z - 1) % 32)
      var hi: UInt64 = 0
      var lo: UInt64 = 0
      for _ in 0..<128 {
        shiftLeftOne(&r)
        var bit: UInt64 = 0
        if compare(r, p) >= 0 {
          subtract(&r, p)
          bit = 1
        }
        hi = (hi << 1) | (lo >> 63)
        lo = (lo << 1) | bit
      }
      if k <= 27 {
        lo &+= 1
        if lo == 0 { hi &+= 1 }
      }
      out[2 * (-k - minExponent)] = hi
      out[2 * (-k - minExponent) + 1] = lo
    }
    return out
  }

  private static func multiply(_ a: inout [UInt32], by m: UInt32) {
    var carry: UInt64 = 0
    for i in a.indices {
      let t = UInt64(a[i]) * UInt64(m) + carry
      a[i] = UInt32(truncatingIfNeeded: t)
      carry = t >> 32
    }
    if carry != 0 { a.append(UInt32(carry)) }
  }

  private static func bitLength(_ a: [UInt32]) -> Int {
    var i = a.count - 1
    while i > 0 && a[i] == 0 { i -= 1 }
    return i * 32 + (32 - a[i].leadingZeroBitCount)
  }

  /// The 128 most significant bits of `a` (truncated), left-aligned.
  private static func top128(_ a: [UInt32]) -> (UInt64, UInt64) {
    let n = bitLength(a)
    var hi: UInt64 = 0
    var lo: UInt64 = 0
    for j in 0..<128 {
      let pos = n - 1 - j
      var bit: UInt64 = 0
      if pos >= 0 { bit = UInt64((a[pos / 32] >> UInt32(pos % 32)) & 1) }
      hi = (hi << 1) | (lo >> 63)
      lo = (lo << 1) | bit
    }
    return (hi, lo)
  }

  private static func shiftLeftOne(_ a: inout [UInt32]) {
    var carry: UInt32 = 0
    for i in a.indices {
      let next = a[i] >> 31
      a[i] = (a[i] << 1) | carry
      carry = next
    }
  }

  /// Compares `a` (possibly one limb longer) with `b`.
  private static func compare(_ a: [UInt32], _ b: [UInt32]) -> Int {
    let n = max(a.count, b.count)
    var i = n - 1
    while i >= 0 {
      let x = i < a.count ? a[i] : 0
      let y = i < b.count ? b[i] : 0
      if x != y { return x < y ? -1 : 1 }
      i -= 1
    }
    return 0
  }

  private static func subtract(_ a: inout [UInt32], _ b: [UInt32]) {
    var borrow: Int64 = 0
    for i in a.indices {
      let y = i < b.count ? Int64(b[i]) : 0
      var t = Int64(a[i]) - y - borrow
      if t < 0 {
        t += 1 << 32
        borrow = 1
      } else {
        borrow = 0
      }
      a[i] = UInt32(t)
    }
  }
}
