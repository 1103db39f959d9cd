import RealModule

/// Student's t distribution: the two-sided p-value and quantiles used for inference.
package enum StudentT {
  /// P(|T| ≥ |t|) for T ~ t(ν): I_{ν/(ν+t²)}(ν/2, 1/2).
  package static func twoSidedPValue(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    precondition(nu > 0, "the degrees of freedom must be positive")
    guard t.isFinite else { return t.isNaN ? .nan : 0 }
    let x = nu / (nu + t * t)
    return regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
  }

  /// P(T ≤ t) for T ~ t(ν).
  package static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    let tail = twoSidedPValue(t, degreesOfFreedom: nu) / 2
    return t >= 0 ? 1 - tail : tail
  }

  /// The q-quantile (0 < q < 1) by bisection on the CDF to 1e-14 relative.
  package static func quantile(_ q: Double, degreesOfFreedom nu: Double) -> Double {
    precondition(q > 0 && q < 1, "the probability must lie in (0, 1)")
    if q == 0.5 { return 0 }
    if q < 0.5 { return -quantile(1 - q, degreesOfFreedom: nu) }
    var lo = 0.0, hi = 1.0
    while cdf(hi, degreesOfFreedom: nu) < q { lo = hi; hi *= 2 }
    for _ in 0..<200 where hi - lo > 1e-14 * hi {
      let mid = (lo + hi) / 2
      if cdf(mid, degreesOfFreedom: nu) < q { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }

  /// The regularised incomplete beta function I_x(a, b) by its continued fraction (modified Lentz),
  /// using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
  package static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    precondition(a > 0 && b > 0, "the beta parameters must be positive")
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = Double.logGamma(a + b) - Double.logGamma(a) - Double.logGamma(b)
      + a * Double.log(x) + b * Double.log(onePlus: -x)
    if x > (a + 1) / (a + b + 2) {
      return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a)
    }
    return Double.exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
  }

  private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var f = d
    for m in 1...10_000 {
      let m = Double(m)
      // Even step.
      var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
      d = 1 + numerator * d
      if abs(d) < tiny { d = tiny }
      c = 1 + numerator / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      f *= d * c
      // Odd step.
      numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
      d = 1 + numerator * d
      if abs(d) < tiny { d = tiny }
      c = 1 + numerator / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      f *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return f
  }
}
