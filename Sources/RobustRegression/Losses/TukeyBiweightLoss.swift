/// Tukey's biweight (bisquare): redescending, with zero weight beyond |u| = 1.
///
///     ρ(u) = (1 − (1 − u²)³)/6 (|u| ≤ 1),  1/6 (|u| > 1)       w(u) = (1 − u²)² (|u| ≤ 1),  0 beyond
///
/// At u = 0: ρ = 0, ψ = 0, ψ′ = 1. ρ is C², ψ′ = (1 − u²)(1 − 5u²) is continuous (0 at |u| = 1) while
/// ψ″ jumps there.
package struct TukeyBiweightLoss: RobustLoss, Hashable {
  /// Creates Tukey's biweight; points with |r| > c get weight 0.
  package init() {}

  /// ρ(u) = (1 − (1 − u²)³)/6 for |u| < 1, 1/6 beyond, as u²(1 + t + t²)/6 with t = 1 − u².
  /// Branch-free (a fused pass's rows are inside and beyond 1 at random): with u² capped at 1 the
  /// formula gives exactly 1/6 beyond, and 1/6 for a NaN u as before.
  @inlinable package func rho(_ u: Double) -> Double {
    let z = min1(u * u)
    let t = 1 - z
    // 1 − t³ = (1 − t)(1 + t + t²) = z·(1 + t + t²): no cancellation for small u.
    return z * (1 + t + t * t) / 6
  }
  /// ψ(u) = u(1 − u²)² for |u| < 1, 0 beyond.
  @inlinable package func psi(_ u: Double) -> Double { u * weight(u) }
  /// ψ′(u) = (1 − u²)(1 − 5u²) for |u| < 1, 0 beyond.
  @inlinable package func psiDerivative(_ u: Double) -> Double {
    let z = u * u
    return z < 1 ? (1 - z) * (1 - 5 * z) : 0
  }
  /// w(u) = (1 − u²)² for |u| < 1, 0 beyond.
  /// Branch-free as ρ: exactly 0 beyond |u| = 1 (and for a NaN u).
  @inlinable package func weight(_ u: Double) -> Double {
    let t = 1 - min1(u * u)
    return t * t
  }
  /// z < 1 ? z : 1 (1 for NaN), a compare-and-select.
  @inlinable func min1(_ z: Double) -> Double { z < 1 ? z : 1 }
  /// Tukey's biweight is not convex.
  package var isConvex: Bool { false }
  /// ψ = 0 beyond |u| = 1.
  package var isRedescending: Bool { true }
  /// ψ″ jumps at |u| = 1.
  package var kinks: [Double] { [1] }
}
