import RealModule

/// Tuning constants k (the loss scale is c = k·σ̂) from the asymptotic efficiency at the Gaussian.
package enum TuningConstant {
  /// The asymptotic efficiency of the M-estimator with loss `loss` and scale c = k·σ at Gaussian
  /// errors: eff(k) = 1/V with V = k²·E[ψ(Z/k)²] / E[ψ′(Z/k)]², Z ~ N(0, 1).
  package static func efficiency(of loss: some RobustLoss, tuning k: Double) -> Double {
    precondition(k > 0, "the tuning constant must be positive")
    // The integrands change shape where z/k crosses 1 (and at the loss's kinks): panels graded
    // geometrically around z = k keep Gauss–Legendre accurate for a small k too (at k = 0.001 one panel
    // over [0, 12] missed the efficiency of Barron's α = 1.6 by 0.007).
    let graded = (-4...6).map { k * Double.pow(2, Double($0)) }.filter { $0 < 12 }
    let breaks = (loss.kinks.filter { $0 > 0 }.map { $0 * k } + graded).sorted()
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
}
