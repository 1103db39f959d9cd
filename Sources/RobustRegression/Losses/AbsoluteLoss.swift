/// The absolute loss ρ(u) = |u| (least absolute deviations, the median regression).
///
/// Its IRLS weight 1/|u| is floored at `1/floor` so that residuals that reach 0 (the L1 optimum
/// interpolates p points) do not make the weighted system infinite; the L1 fit finishes with an exact
/// basis step, so the floor does not limit the final accuracy.
package struct AbsoluteLoss: RobustLoss, Hashable {
  /// The |u| below which the IRLS weight stops growing.
  package let floor: Double

  /// Creates the absolute loss with an IRLS weight floor (in u units).
  package init(floor: Double = 1e-6) {
    precondition(floor > 0, "the IRLS weight floor must be positive")
    self.floor = floor
  }

  /// ρ(u) = |u|.
  @inlinable package func rho(_ u: Double) -> Double { abs(u) }
  /// sign(u), with ψ(0) = 0.
  @inlinable package func psi(_ u: Double) -> Double { u > 0 ? 1 : (u < 0 ? -1 : 0) }
  /// 0 almost everywhere (the L1 covariance needs a density estimate instead).
  @inlinable package func psiDerivative(_ u: Double) -> Double { 0 }
  /// w(u) = 1/max(|u|, floor).
  @inlinable package func weight(_ u: Double) -> Double { 1 / max(abs(u), floor) }
  /// |u| is convex.
  package var isConvex: Bool { true }
  /// ψ stays at ±1.
  package var isRedescending: Bool { false }
  /// ψ jumps at 0.
  package var kinks: [Double] { [0] }
}
