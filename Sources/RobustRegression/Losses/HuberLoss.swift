/// Huber's loss: quadratic for |u| ≤ 1, linear beyond. Convex, not redescending.
///
///     ρ(u) = u²/2 (|u| ≤ 1),  |u| − 1/2 (|u| > 1)       w(u) = min(1, 1/|u|)
///
/// At u = 0: ρ = 0, ψ = 0, ψ′ = 1. ψ′ jumps from 1 to 0 at |u| = 1 (the value there is 1).
package struct HuberLoss: RobustLoss, Hashable {
  /// Creates Huber's loss; its bend sits at |u| = 1, i.e. at |r| = c.
  package init() {}

  /// ρ(u) = u²/2 for |u| ≤ 1, |u| − 1/2 beyond.
  @inlinable package func rho(_ u: Double) -> Double {
    let a = abs(u)
    return a <= 1 ? u * u / 2 : a - 0.5
  }
  /// ψ(u) = u clipped to [−1, 1].
  @inlinable package func psi(_ u: Double) -> Double { min(1, max(-1, u)) }
  /// ψ′(u) = 1 for |u| ≤ 1, 0 beyond.
  @inlinable package func psiDerivative(_ u: Double) -> Double { abs(u) <= 1 ? 1 : 0 }
  /// w(u) = min(1, 1/|u|).
  @inlinable package func weight(_ u: Double) -> Double {
    let a = abs(u)
    return a <= 1 ? 1 : 1 / a
  }
  /// Huber's loss is convex.
  package var isConvex: Bool { true }
  /// ψ stays at ±1 for large |u|.
  package var isRedescending: Bool { false }
  /// ψ′ jumps at |u| = 1.
  package var kinks: [Double] { [1] }
}
