import RealModule

/// Barron's general and adaptive robust loss ρ(u; α) (arXiv:1701.03077), for any α in [−∞, +∞].
///
/// With z = u² and b = |α − 2|:
///
///     ρ(u; α) = (b/α) · ((z/b + 1)^(α/2) − 1)        α ∉ {0, 2, ±∞}
///     w(u; α) = (z/b + 1)^(α/2 − 1)
///
/// The family map: α = −∞ is Welsch/Leclerc, α = −2 Geman-McClure, α = 0 Cauchy/Lorentzian,
/// α = 1 pseudo-Huber (Charbonnier), α = 2 the squared loss. The loss is convex in u iff α ≥ 1 and
/// redescending (ψ → 0 as |u| → ∞) iff α < 1. The special values 0, 2, −∞ and +∞ are computed in
/// their closed forms and selected exactly; every other α uses the general form evaluated with
/// `log(onePlus:)`/`expMinusOne`, which stays accurate for tiny u, for |α| down to the smallest
/// normal double and for α within 1e-12 of 2.
package struct BarronLoss: RobustLoss, Hashable {
  /// Which closed form evaluates this α.
  @usableFromInline enum Form: Hashable, Sendable {
    case squared, cauchy, welsch, exponential, general
  }

  /// The shape parameter.
  package let alpha: Double
  @usableFromInline let form: Form
  /// b = |α − 2|, the rescaling that makes the curvature at 0 equal 1 for every α.
  @usableFromInline let b: Double
  @usableFromInline let inverseB: Double
  /// α/2, α/2 − 1 and α/2 − 2, the exponents of ρ, w and ψ′.
  @usableFromInline let halfAlpha: Double

  /// Creates the loss with shape `alpha` in [−∞, +∞]. NaN is a precondition failure.
  package init(alpha: Double) {
    precondition(!alpha.isNaN, "Barron's loss needs a shape α that is not NaN")
    self.alpha = alpha
    switch alpha {
    case 2: form = .squared
    case 0: form = .cauchy
    case -.infinity: form = .welsch
    case .infinity: form = .exponential
    default: form = .general
    }
    b = abs(alpha - 2)
    inverseB = form == .general ? 1 / abs(alpha - 2) : 0
    halfAlpha = alpha / 2
  }

  /// ρ(u, α) of Docs/spec.md §3, by the closed form of the special case or expm1∘log1p in general.
  @inlinable package func rho(_ u: Double) -> Double {
    let z = u * u
    switch form {
    case .squared: return z / 2
    case .cauchy: return logOnePlus(z, times: 0.5, u: u)
    case .welsch: return -Double.expMinusOne(-z / 2)
    case .exponential: return Double.expMinusOne(z / 2)
    case .general:
      // (b/α)·((z/b + 1)^(α/2) − 1) with pow loses ~1e-4 relative for small u; expm1∘log1p does not.
      let l = logOnePlus(z, times: inverseB, u: u)
      if abs(alpha) < 0x1p-900 {
        // α so close to 0 that α/2 is subnormal and b/α overflows: (b·l/2)·expm1(x)/x with x = α·l/2,
        // whose limit at α = 0 is Cauchy's log(z/2 + 1).
        let x = alpha * l / 2
        return b * l / 2 * (x == 0 ? 1 : Double.expMinusOne(x) / x)
      }
      return b / alpha * Double.expMinusOne(halfAlpha * l)
    }
  }

  /// log(z·s + 1) for z = u², also where u² overflows (|u| ≳ 1.3e154): then 2·log|u| + log s, to which
  /// it is equal in double precision there.
  @inlinable func logOnePlus(_ z: Double, times s: Double, u: Double) -> Double {
    z.isFinite ? Double.log(onePlus: z * s) : 2 * Double.log(abs(u)) + Double.log(s)
  }

  /// w(u) = ψ(u)/u = (u²/|α − 2| + 1)^(α/2 − 1) in closed form (never ψ/u).
  @inlinable package func weight(_ u: Double) -> Double {
    let z = u * u
    switch form {
    case .squared: return 1
    case .cauchy: return 1 / (z / 2 + 1)
    case .welsch: return Double.exp(-z / 2)
    case .exponential: return Double.exp(z / 2)
    case .general: return Double.exp((halfAlpha - 1) * logOnePlus(z, times: inverseB, u: u))
    }
  }

  /// ψ(u) = u·w(u).
  @inlinable package func psi(_ u: Double) -> Double { u * weight(u) }

  /// ψ′(u), with its limits where u² or u²/|α − 2| overflows.
  @inlinable package func psiDerivative(_ u: Double) -> Double {
    let z = u * u
    // |u| ≳ 1.3e154: u² overflows; return the limit instead of 0·∞.
    guard z.isFinite else { return alpha < 2 ? 0 : (alpha == 2 ? 1 : .infinity) }
    switch form {
    case .squared: return 1
    case .cauchy:
      let d = z / 2 + 1
      return (1 - z / 2) / (d * d)
    case .welsch: return Double.exp(-z / 2) * (1 - z)
    case .exponential: return Double.exp(z / 2) * (1 + z)
    case .general:
      // ψ′ = (z/b + 1)^(α/2 − 2) · (1 + (α − 1)·z/b)
      let s = z * inverseB
      guard s.isFinite else { return alpha < 2 ? 0 : .infinity }
      return Double.exp((halfAlpha - 2) * Double.log(onePlus: s)) * (1 + (alpha - 1) * s)
    }
  }

  /// Convex in u iff α ≥ 1.
  package var isConvex: Bool { alpha >= 1 }
  /// ψ → 0 at infinity iff α < 1.
  package var isRedescending: Bool { alpha < 1 }
}
