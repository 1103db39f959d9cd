import CKernels
import Foundation
import Testing
@testable import RobustRegression

/// The candidate search's own kernels held to the code they stand in for, bit for bit: `rf_block_residuals`
/// (both variants) to ``WeightedPass/residuals(_:rows:columns:y:beta:count:into:)``, `rf_bisquare_rho_sum`
/// and `rf_bisquare_rho_slope_sums` (both variants) to the loops over ``NormalisedBisquare/rho(_:)`` and
/// 6t(1 − t)² that MScale's sums were: random blocks, tied rows,
/// zero and signed-zero coefficients, infinities and NaN, every row count around the kernels' groups.
@Suite("Candidate search kernels against the fits' code")
struct CandidateKernelTests {
  static func bits(_ values: UnsafeBufferPointer<Double>) -> [UInt64] { values.map(\.bitPattern) }

  /// X (column-major, leading dimension `ldx` ≥ m: the padding NaN), y and β as a draw gives them.
  static func problem(rows m: Int, columns p: Int, ldx: Int, tied: Bool, seed: UInt64)
    -> (x: [Double], y: [Double], beta: [Double]) {
    var generator = SplitMix64(seed: seed)
    func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) * 2 - 1 }
    var x = [Double](repeating: .nan, count: ldx * p)
    for j in 0..<p { for i in 0..<m { x[j * ldx + i] = tied ? (uniform() * 1.5).rounded() : uniform() * 3 } }
    let y = (0..<m).map { _ in tied ? (uniform() * 4).rounded() : uniform() * 10 }
    let beta = (0..<p).map { j in j % 5 == 4 ? (j % 2 == 0 ? 0.0 : -0.0) : uniform() * 2 }
    return (x, y, beta)
  }

  @Test("rf_block_residuals gives WeightedPass.residuals' doubles", arguments: [false, true])
  func residuals(tied: Bool) {
    for m in [0, 1, 3, 4, 5, 15, 16, 17, 19, 20, 33, 400, 401] {
      for p in [1, 2, 3, 4, 5, 7, 8, 10, 13] {
        let ldx = m + 3
        let (x, y, beta) = Self.problem(rows: m, columns: p, ldx: ldx, tied: tied, seed: UInt64(1000 * m + p))
        var expected = [Double](repeating: 0, count: m)
        x.withUnsafeBufferPointer { xb in
          y.withUnsafeBufferPointer { yb in
            beta.withUnsafeBufferPointer { bb in
              expected.withUnsafeMutableBufferPointer { e in
                WeightedPass.residuals(xb.baseAddress!, rows: ldx, columns: p, y: yb.baseAddress!, beta: bb, count: m,
                                       into: e.baseAddress!)
              }
              for variant in Int32(0)...1 {
                var got = [Double](repeating: .nan, count: m + 1)
                got.withUnsafeMutableBufferPointer { g in
                  rf_block_residuals_variant(variant, xb.baseAddress!, ldx, Int32(p), yb.baseAddress!, bb.baseAddress!,
                                             m, g.baseAddress!)
                }
                #expect(got.prefix(m).map(\.bitPattern) == expected.map(\.bitPattern), "m \(m) p \(p) variant \(variant)")
                #expect(got[m].isNaN, "row \(m) written")
              }
            }
          }
        }
      }
    }
  }

  @Test("rf_block_residuals keeps a zero coefficient's column out, signs of zero and infinities included")
  func zeroCoefficients() {
    // 0·∞ is NaN and −0 − 0·(−1) is +0: a column with β = 0 must be skipped, as WeightedPass does.
    let m = 21, p = 6
    var x = (0..<(m * p)).map { Double($0 % 7) - 3 }
    for i in 0..<m { x[5 * m + i] = i % 3 == 0 ? .infinity : -1 }
    let y = (0..<m).map { $0 % 2 == 0 ? -0.0 : 0.0 }
    let beta = [0.0, -0.0, 0, 0, 0, 0]
    var expected = [Double](repeating: 0, count: m), got = expected
    x.withUnsafeBufferPointer { xb in
      beta.withUnsafeBufferPointer { bb in
        WeightedPass.residuals(xb.baseAddress!, rows: m, columns: p, y: y, beta: bb, count: m, into: &expected)
        for variant in Int32(0)...1 {
          rf_block_residuals_variant(variant, xb.baseAddress!, m, Int32(p), y, bb.baseAddress!, m, &got)
          #expect(got.map(\.bitPattern) == expected.map(\.bitPattern))
        }
      }
    }
  }

  @Test("rf_bisquare_rho_sum adds NormalisedBisquare.rho's terms row after row, with and without case weights")
  func rhoSum() {
    var generator = SplitMix64(seed: 11)
    func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
    for m in [0, 1, 3, 4, 5, 7, 8, 399, 400, 401] {
      var r = (0..<m).map { _ in (uniform() - 0.5) * 8 }
      if m > 4 { r[2] = .nan; r[3] = .infinity; r[4] = -0.0 }
      let weights = (0..<m).map { k in k % 5 == 0 ? 0 : (uniform() * 3).rounded() }
      let inverse = 1 / (MScale.breakdownConstant * 1.3)
      for weighted in [false, true] {
        var expected = 0.0
        for i in 0..<m {
          let term = NormalisedBisquare.rho(r[i] * inverse)
          expected += weighted ? weights[i] * term : term
        }
        for variant in Int32(0)...1 {
          let got = r.withUnsafeBufferPointer { rb in
            weights.withUnsafeBufferPointer { wb in
              rf_bisquare_rho_sum_variant(variant, rb.baseAddress, weighted ? wb.baseAddress : nil, m, inverse)
            }
          }
          #expect(got.bitPattern == expected.bitPattern, "m \(m) weighted \(weighted) variant \(variant)")
        }
      }
    }
  }

  @Test("rf_bisquare_rho_slope_sums adds ρ and ρ′(u)·u row after row, with and without case weights")
  func rhoSlopeSums() {
    var generator = SplitMix64(seed: 13)
    func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
    for m in [1, 3, 4, 5, 8, 401] {
      var r = (0..<m).map { _ in (uniform() - 0.5) * 8 }
      if m > 4 { r[1] = .nan; r[2] = -.infinity; r[3] = 0 }
      let weights = (0..<m).map { k in k % 4 == 0 ? 0 : uniform() * 2 }
      let inverse = 1 / (MScale.breakdownConstant * 0.7)
      for weighted in [false, true] {
        var expected = (0.0, 0.0)
        for i in 0..<m {
          let u = r[i] * inverse, z = u * u, t = z < 1 ? z : 1
          let w = weighted ? weights[i] : 1
          expected.0 += w * (t * (3 - 3 * t + t * t))
          expected.1 += w * (6 * t * (1 - t) * (1 - t))
        }
        for variant in Int32(0)...1 {
          var sums = [0.0, 0.0]
          r.withUnsafeBufferPointer { rb in
            weights.withUnsafeBufferPointer { wb in
              rf_bisquare_rho_slope_sums_variant(variant, rb.baseAddress, weighted ? wb.baseAddress : nil, m, inverse, &sums)
            }
          }
          #expect(sums[0].bitPattern == expected.0.bitPattern && sums[1].bitPattern == expected.1.bitPattern,
                  "m \(m) weighted \(weighted) variant \(variant)")
        }
      }
    }
  }
}
