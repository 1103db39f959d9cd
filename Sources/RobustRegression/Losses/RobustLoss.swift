/// A robust loss ρ of the standardised residual u = r / c, with c > 0 the loss's scale in the units of y.
///
/// Every loss is even, ρ(0) = 0, and for smooth losses ρ(u) ≈ u²/2 near 0, so the IRLS weight is 1 at
/// the origin. Scaling is handled once, outside the loss: the fitting engine divides residuals by c
/// before calling any of these functions.
///
/// Conforming types give the IRLS weight w(u) = ψ(u)/u in closed form, never as a quotient, so that
/// w(0) is exact and no 0/0 can occur.
public protocol RobustLoss: Sendable {
  /// The loss ρ(u). Even, ρ(0) = 0.
  func rho(_ u: Double) -> Double
  /// The influence function ψ(u) = ρ′(u).
  func psi(_ u: Double) -> Double
  /// ψ′(u) = ρ″(u), used by the sandwich covariance (one-sided value at a kink).
  func psiDerivative(_ u: Double) -> Double
  /// The IRLS weight w(u) = ψ(u)/u in closed form; w(0) is the limit (1 for smooth losses).
  func weight(_ u: Double) -> Double
  /// Whether ρ is convex in u (then IRLS has a unique optimum and OLS is a safe start).
  var isConvex: Bool { get }
  /// Whether ψ returns to 0 for large |u| (gross outliers get weight → 0; needs a robust start).
  var isRedescending: Bool { get }
  /// The residual values (in u units, u ≥ 0) at which ρ″ jumps; empty for smooth losses.
  var kinks: [Double] { get }
  /// The name a ``Loss/custom(_:k:)`` prints and encodes under; by default the type's name.
  var name: String { get }
}

extension RobustLoss {
  /// Smooth losses have no kinks.
  public var kinks: [Double] { [] }
  /// The type's name (`Hampel` for `struct Hampel: RobustLoss`).
  public var name: String { String(describing: Self.self) }
}
