import CKernels
import Foundation
import Testing
@testable import RobustRegression

/// `rf_weighted_gram` (Sources/CKernels) against sums over the rows in double-double arithmetic and in
/// plain doubles: every shape of the 4 × 2 tiling (q = 1 … 14, with and without y), row counts around
/// the 4-row groups and the 256-row tiles, padded leading dimensions, negative and zero weights. The
/// kernel must add only to the upper triangle of the q × q block of G: every other entry of the buffer,
/// and the padding of X, y and w beyond m rows (NaN), must play no part.
@Suite("Weighted Gram kernel against double-double sums")
struct WeightedGramKernelTests {
  static let rowCounts = [0, 1, 2, 3, 4, 5, 7, 255, 256, 257, 1000]

  /// A value no correct call writes or reads (below the diagonal, beyond q in a column, after the end).
  static let sentinel = -777.125

  // MARK: Double-double arithmetic (Dekker / Knuth error-free transformations)

  /// a + b = s + e exactly.
  static func twoSum(_ a: Double, _ b: Double) -> (Double, Double) {
    let s = a + b, bb = s - a
    return (s, (a - (s - bb)) + (b - bb))
  }

  /// a · b = p + e exactly (the FMA gives the rounding error of the product).
  static func twoProduct(_ a: Double, _ b: Double) -> (Double, Double) {
    let p = a * b
    return (p, (-p).addingProduct(a, b))
  }

  /// (hi, lo) · d to about 2⁻¹⁰⁴ relative.
  static func multiply(_ x: (Double, Double), _ d: Double) -> (Double, Double) {
    var (p, e) = twoProduct(x.0, d)
    e = e.addingProduct(x.1, d)
    let s = p + e
    return (s, e - (s - p))
  }

  /// (hi, lo) + (hi, lo) to about 2⁻¹⁰⁴ of the larger operand.
  static func add(_ x: (Double, Double), _ y: (Double, Double)) -> (Double, Double) {
    var (s, e) = twoSum(x.0, y.0)
    e += x.1 + y.1
    let t = s + e
    return (t, e - (t - s))
  }

  // MARK: Problem

  /// One call's inputs in padded buffers: X (ldx × p, rows m..<ldx NaN, 8 NaN after the last column),
  /// y and w (m values, then 8 NaN), G (ldg × q + 8, the upper triangle random, the rest `sentinel`).
  struct Case {
    var m: Int
    var p: Int
    var hasY: Bool
    var ldx: Int
    var ldg: Int
    var x: [Double]
    var y: [Double]
    var w: [Double]
    var g: [Double]
    var q: Int { p + (hasY ? 1 : 0) }

    /// Column j of [X | y] (row i < m).
    func a(_ j: Int, _ i: Int) -> Double { j < p ? x[j * ldx + i] : y[i] }
  }

  static func makeCase(m: Int, p: Int, hasY: Bool, rowPadding: Int, gramPadding: Int, seed: UInt64) -> Case {
    var random = SplitMix64(seed: seed)
    func uniform() -> Double { Double(random.next() >> 11) * 0x1p-53 * 2 - 1 }
    let ldx = m + rowPadding, q = p + (hasY ? 1 : 0), ldg = max(1, q + gramPadding)
    var x = [Double](repeating: .nan, count: ldx * p + 8)
    for j in 0..<p {
      // Columns of different magnitudes (1e-2 … 1e2), an occasional exact 0.
      let magnitude = pow(10.0, Double(j % 5 - 2))
      for i in 0..<m { x[j * ldx + i] = i % 11 == 3 ? 0 : magnitude * uniform() }
    }
    var y = [Double](repeating: .nan, count: m + 8)
    for i in 0..<m { y[i] = 50 * uniform() }
    // Weights of both signs, exact zeros, and a few large ones.
    var w = [Double](repeating: .nan, count: m + 8)
    for i in 0..<m {
      switch i % 6 {
      case 0: w[i] = 0
      case 1: w[i] = -abs(uniform())
      case 2: w[i] = 1e3 * uniform()
      default: w[i] = uniform()
      }
    }
    var g = [Double](repeating: sentinel, count: ldg * q + 8)
    for k in 0..<q { for j in 0...k { g[k * ldg + j] = uniform() } }
    return Case(m: m, p: p, hasY: hasY, ldx: ldx, ldg: ldg, x: x, y: y, w: w, g: g)
  }

  /// Calls the kernel on the case's buffers and returns G afterwards (`variant`: nil the dispatching
  /// entry point, 0 the portable code, 1 the AVX2/FMA code).
  static func call(_ c: Case, variant: Int32? = nil) -> [Double] {
    var g = c.g
    c.x.withUnsafeBufferPointer { x in
      c.y.withUnsafeBufferPointer { y in
        c.w.withUnsafeBufferPointer { w in
          g.withUnsafeMutableBufferPointer { gBuffer in
            if let variant {
              rf_weighted_gram_variant(variant, x.baseAddress!, c.ldx, Int32(c.p), c.hasY ? y.baseAddress : nil,
                                       w.baseAddress!, c.m, gBuffer.baseAddress!, Int32(c.ldg))
            } else {
              rf_weighted_gram(x.baseAddress!, c.ldx, Int32(c.p), c.hasY ? y.baseAddress : nil, w.baseAddress!,
                               c.m, gBuffer.baseAddress!, Int32(c.ldg))
            }
          }
        }
      }
    }
    return g
  }

  /// Checks one call against the double-double sum (the kernel's sum of m terms in 4 lanes has a
  /// rounding error below (m/4 + 4)·ε·Σ|w a_j a_k| ≤ 3e-14·Σ|…| for m ≤ 1000: 1e-13 is a bound, not a
  /// guess) and the plain double loop (its own error up to m·ε·Σ|…|), plus one rounding of the final
  /// addition to G. Every entry outside the upper triangle must keep its bits.
  static func check(_ c: Case, label: String, variant: Int32? = nil) {
    let got = call(c, variant: variant)
    let q = c.q, m = c.m
    for k in 0..<q {
      for j in 0...k {
        var exact = (0.0, 0.0), naive = 0.0, size = 0.0
        for i in 0..<m {
          let term = multiply(twoProduct(c.w[i], c.a(k, i)), c.a(j, i))
          exact = add(exact, term)
          naive += c.w[i] * c.a(j, i) * c.a(k, i)
          size += abs(c.w[i] * c.a(j, i) * c.a(k, i))
        }
        let initial = c.g[k * c.ldg + j]
        let expected = add(exact, (initial, 0)).0
        let value = got[k * c.ldg + j]
        let final = 2 * Double.ulpOfOne * abs(expected)
        #expect(abs(value - expected) <= 1e-13 * size + final,
                "\(label) G[\(j),\(k)] = \(value), double-double \(expected), Σ|terms| \(size)")
        #expect(abs(value - (initial + naive)) <= 3e-13 * size + final,
                "\(label) G[\(j),\(k)] = \(value), naive loop \(initial + naive)")
        if m == 0 { #expect(value.bitPattern == initial.bitPattern, "\(label): m = 0 changed G[\(j),\(k)]") }
      }
    }
    // Below the diagonal, the rows q..<ldg of each column, and the guard after the block: untouched.
    for index in got.indices {
      let k = index / c.ldg, j = index % c.ldg
      if k < q && j <= k { continue }
      #expect(got[index].bitPattern == sentinel.bitPattern,
              "\(label): wrote \(got[index]) at offset \(index) (row \(j), column \(k)) outside the upper triangle")
    }
  }

  @Test("q = 1 … 14, padded X and G: sums to 1e-13 of Σ|w aⱼ aₖ|, nothing written outside the triangle",
        arguments: rowCounts)
  func matchesDoubleDouble(m: Int) {
    for p in 1...13 {
      for hasY in [false, true] {
        for (rowPadding, gramPadding) in [(1, 0), (3, 2), (0, 5)] {
          let c = Self.makeCase(m: m, p: p, hasY: hasY, rowPadding: rowPadding, gramPadding: gramPadding,
                                seed: UInt64(1000 * m + 10 * p + (hasY ? 1 : 0) + 100_000 * rowPadding))
          Self.check(c, label: "m=\(m) p=\(p) y=\(hasY) ldx=\(c.ldx) ldg=\(c.ldg)")
        }
      }
    }
  }

  /// The portable variant runs only on processors without AVX2/FMA, so it is called here directly
  /// (and the AVX2 one too, which is the portable one where the processor lacks it).
  @Test("Both variants, forced: sums to 1e-13 of Σ|w aⱼ aₖ|, nothing written outside the triangle",
        arguments: [Int32(0), 1])
  func variants(variant: Int32) {
    for m in [0, 1, 3, 5, 256, 257, 1000] {
      for p in 1...13 {
        for hasY in [false, true] {
          let c = Self.makeCase(m: m, p: p, hasY: hasY, rowPadding: 3, gramPadding: 2,
                                seed: UInt64(7000 * m + 10 * p + (hasY ? 1 : 0)))
          Self.check(c, label: "variant \(variant) m=\(m) p=\(p) y=\(hasY)", variant: variant)
        }
      }
    }
  }

  @Test("p = 0: y alone gives Σ w y² in G[0,0]; no column at all writes nothing", arguments: rowCounts)
  func noColumnsOfX(m: Int) {
    let withY = Self.makeCase(m: m, p: 0, hasY: true, rowPadding: 2, gramPadding: 1, seed: UInt64(m + 7))
    Self.check(withY, label: "m=\(m) p=0 y only")
    let empty = Self.makeCase(m: m, p: 0, hasY: false, rowPadding: 2, gramPadding: 0, seed: UInt64(m + 9))
    let got = Self.call(empty)
    #expect(got.map(\.bitPattern) == empty.g.map(\.bitPattern), "m=\(m): q = 0 wrote to G")
  }

  @Test("y as the separate last column gives the same bits as y stored as column p of X",
        arguments: [3, 257, 1000])
  func yIsTheLastColumn(m: Int) {
    for p in [1, 3, 4, 7, 12] {
      let c = Self.makeCase(m: m, p: p, hasY: true, rowPadding: 1, gramPadding: 0, seed: UInt64(31 * m + p))
      var joined = c
      joined.p = p + 1
      joined.hasY = false
      joined.x = [Double](repeating: .nan, count: c.ldx * (p + 1) + 8)
      for j in 0..<p { for i in 0..<m { joined.x[j * c.ldx + i] = c.x[j * c.ldx + i] } }
      for i in 0..<m { joined.x[p * c.ldx + i] = c.y[i] }
      let separate = Self.call(c), together = Self.call(joined)
      #expect(separate.map(\.bitPattern) == together.map(\.bitPattern), "m=\(m) p=\(p)")
    }
  }

  /// The header promises a summation order that depends only on m: an entry's bits cannot depend on
  /// which other columns share its tile (or on where the tile crosses the diagonal).
  @Test("An entry's bits do not depend on the other columns of the block", arguments: [5, 256, 1000])
  func orderDependsOnlyOnRows(m: Int) {
    let full = Self.makeCase(m: m, p: 13, hasY: true, rowPadding: 3, gramPadding: 0, seed: UInt64(977 + m))
    let fullG = Self.call(full)
    // Ordered subsets of the 14 columns (the last one y): entry (j, k) of a subset is entry
    // (subset[j], subset[k]) of the full block, whatever its position in the tiling.
    let subsets: [[Int]] = [[0, 5, 6, 11], [2, 3], [13], [1, 4, 7, 8, 9, 13], [0, 1, 2, 3, 4, 10, 12]]
    for subset in subsets {
      var part = full
      part.p = subset.count
      part.hasY = false
      part.ldg = subset.count
      part.x = [Double](repeating: .nan, count: full.ldx * subset.count + 8)
      for (j, column) in subset.enumerated() { for i in 0..<m { part.x[j * full.ldx + i] = full.a(column, i) } }
      part.g = [Double](repeating: Self.sentinel, count: subset.count * subset.count + 8)
      for (k, ck) in subset.enumerated() { for (j, cj) in subset.enumerated() where j <= k {
        part.g[k * part.ldg + j] = full.g[ck * full.ldg + cj]
      } }
      let partG = Self.call(part)
      for (k, ck) in subset.enumerated() {
        for (j, cj) in subset.enumerated() where j <= k {
          #expect(partG[k * part.ldg + j].bitPattern == fullG[ck * full.ldg + cj].bitPattern,
                  "m=\(m) subset \(subset): G[\(j),\(k)] = \(partG[k * part.ldg + j]) vs \(fullG[ck * full.ldg + cj])")
        }
      }
    }
  }

  #if os(Linux) && arch(x86_64)
  @Test("The AVX2/FMA kernel is chosen exactly when /proc/cpuinfo lists both avx2 and fma")
  func choiceFollowsTheProcessor() throws {
    let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    guard let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
    let set = Set(flags.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
    let expected: Int32 = set.contains("avx2") && set.contains("fma") ? 1 : 0
    #expect(rf_weighted_gram_uses_avx2() == expected)
  }
  #endif
}
