import RealModule

/// Tuning constants k (the loss scale is c = k·σ̂) from the asymptotic efficiency at the Gaussian.
package enum TuningConstant {
  /// The asymptotic efficiency of the M-estimator with loss `loss` and scale c = k·σ at Gaussian
  /// errors: eff(k) = 1/V with V = k²·E[ψ(Z/k)²] / E[ψ′(Z/k)]², Z ~ N(0, 1).
  package static func efficiency(of loss: some RobustLoss, tuning k: Double) -> Double {
    precondition(k > 0, "the tuning constant must be positive")
    let breaks = loss.kinks.filter { $0 > 0 }.map { $0 * k }
    let psiSquared = gaussianExpectationOfEven(breakpoints: breaks) { z in
      let p = loss.psi(z / k)
      return p * p
    }
    let slope = gaussianExpectationOfEven(breakpoints: breaks) { z in loss.psiDerivative(z / k) }
    return slope * slope / (k * k * psiSquared)
  }

  /// The k at which `loss` reaches `efficiency` (default 95 %) at the Gaussian, to 1e-12 relative;
  /// nil where no such k exists (the squared loss is 100 % efficient for every k).
  ///
  /// The efficiency tends to 1 as k → ∞ for every loss with ρ ≈ u²/2 near 0, so the search walks down
  /// from k = 1000 by factors of 1.25 to the first k below the target (redescending losses are not
  /// monotone for tiny k, where E[ψ′] changes sign), then bisects that bracket.
  package static func efficient(for loss: some RobustLoss, efficiency target: Double = 0.95) -> Double? {
    precondition(target > 0 && target < 1, "the target efficiency must lie in (0, 1)")
    var hi = 1e3
    guard efficiency(of: loss, tuning: hi) > target else { return nil }
    var lo = hi
    repeat {
      hi = lo
      lo = hi / 1.25
      if lo < 1e-3 { return nil }
    } while efficiency(of: loss, tuning: lo) > target
    for _ in 0..<200 where hi - lo > 1e-13 * hi {
      let mid = (lo + hi) / 2
      if efficiency(of: loss, tuning: mid) > target { hi = mid } else { lo = mid }
    }
    return (lo + hi) / 2
  }

  /// The k at which `loss` is least efficient at the Gaussian, by golden section in log k over
  /// [1e-3, 1e3]: the tuning of the variance criterion where every k is more than 95 % efficient
  /// (Barron's loss at α in about (1.58, 2)).
  package static func leastEfficient(for loss: some RobustLoss) -> Double {
    let ratio = (5.0.squareRoot() - 1) / 2
    var a = -3.0 * 2.302585092994046, b = 3.0 * 2.302585092994046
    func f(_ t: Double) -> Double { efficiency(of: loss, tuning: Double.exp(t)) }
    var x1 = b - ratio * (b - a), x2 = a + ratio * (b - a)
    var f1 = f(x1), f2 = f(x2)
    while b - a > 1e-6 {
      if f1 <= f2 {
        b = x2; x2 = x1; f2 = f1
        x1 = b - ratio * (b - a); f1 = f(x1)
      } else {
        a = x1; x1 = x2; f1 = f2
        x2 = a + ratio * (b - a); f2 = f(x2)
      }
    }
    return Double.exp((a + b) / 2)
  }
}
