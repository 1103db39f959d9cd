import Foundation

/// The standard normal distribution: its CDF and quantiles.
package enum Normal {
  /// Φ(x) = erfc(−x/√2)/2.
  package static func cdf(_ x: Double) -> Double { erfc(-x / 2.0.squareRoot()) / 2 }

  /// The q-quantile (0 < q < 1) by bisection on Φ to 1e-15 absolute.
  package static func quantile(_ q: Double) -> Double {
    precondition(q > 0 && q < 1, "the probability must lie in (0, 1)")
    if q < 0.5 { return -quantile(1 - q) }
    var lo = 0.0, hi = 1.0
    while cdf(hi) < q { lo = hi; hi *= 2 }
    for _ in 0..<200 where hi - lo > 1e-15 {
      let mid = (lo + hi) / 2
      if cdf(mid) < q { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }

  /// The `level` quantile of χ² with one degree of freedom: Φ⁻¹((1 + level)/2)².
  package static func chiSquaredOneQuantile(_ level: Double) -> Double {
    let z = quantile((1 + level) / 2)
    return z * z
  }
}
