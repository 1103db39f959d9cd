import RealModule

/// Derivatives of Barron's loss ρ(u; α) (Docs/spec.md §3) in the shape α and in the log of the scale, for α in
/// [0, +∞], in closed form and free of catastrophic cancellation.
///
/// The residual enters as z = u² = (r/c)². With λ = log c, ∂u/∂λ = −u, so the scale derivatives are
/// ∂ρ/∂λ = −u ψ(u) and ∂²ρ/∂λ² = u ψ(u) + u² ψ′(u). For the α-derivatives two algebraically equal forms
/// are used, each where the other cancels:
///
/// - α ≤ 1: ρ = (b ℓ/2) · φ(α ℓ/2), with ℓ = log(1 + z/b) and φ(x) = (eˣ − 1)/x. Its α-derivatives have no
///   1/α terms (the textbook form cancels |log₁₀ α| digits as α → 0) and α = 0 needs no special case
///   (it has a shortcut for speed: w = 1/(1 + z/2) and φ's derivatives at 0, the same values).
/// - α > 1: ρ = (z w + b (w − 1))/α with w = (1 + z/b)^(α/2 − 1) the IRLS weight, which gives
///   ∂ρ/∂α = (b + z) w h/(2α) + (2 s (w − 1) − z w)/α², where s = sign(α − 2) and
///   h = log(1 + y) − y/(1 + y), y = z/b. Here the 1/|α − 2| terms of the textbook form have cancelled
///   analytically, and the terms stay O(1/α²) as α → ∞ without cancelling.
///
/// Edge behaviour: as α → 2 (from either side) ∂ρ/∂α grows like (z/4)·log(1/|α − 2|) and ∂²ρ/∂α² like
/// −z/(4(α − 2)); at α = 2 exactly the α-derivatives are returned as their limits from the left (α ↑ 2,
/// the side of the default range [0, 2]): +∞ for z > 0 and 0 for z = 0. At α = +∞ they are 0 (the limit:
/// ρ tends to exp(z/2) − 1 with an O(1/α) correction). For α > 2 and z so large that the weight
/// (1 + z/b)^(α/2 − 1) overflows, ρ and its derivatives are returned as ±∞ (never NaN); such z have
/// density 0.
///
/// Accuracy: about 1e-15 relative to max(|value|, z²) for α ≤ 1 — for tiny z the α-derivatives are O(z³)
/// and come from O(z²) terms that cancel, so their absolute error is about 1e-16·z², far below ρ ≈ z/2.
/// For α > 1 the form above cancels O(z) terms at tiny z, so there the absolute error is about 1e-16·z
/// (e.g. ∂ρ/∂α ≈ −3e-24 instead of 4e-26 at α = 1.0001, z = 1e-8): still far below ρ ≈ z/2, and
/// negligible in the NLL's sums.
package struct BarronShapeDerivatives: Sendable, Hashable {
  /// ρ and its first and second derivatives in α and in λ = log c at one standardised residual.
  package struct Values: Sendable, Hashable {
    /// ρ(u; α).
    package var rho: Double
    /// ∂ρ/∂α at fixed u.
    package var dAlpha: Double
    /// ∂²ρ/∂α² at fixed u.
    package var dAlphaAlpha: Double
    /// ∂ρ/∂λ with λ = log c, at fixed r: −u ψ(u) = −z w.
    package var dLogScale: Double
    /// ∂²ρ/∂λ² = u ψ(u) + u² ψ′(u) = z w (2 + α y)/(1 + y), y = z/b.
    package var dLogScaleLogScale: Double
    /// ∂²ρ/∂α∂λ = −z ∂w/∂α = −z w h/2.
    package var dAlphaLogScale: Double
    /// The IRLS weight w = ψ(u)/u = (1 + z/|α − 2|)^(α/2 − 1) (1 at α = 2, e^(z/2) at α = +∞).
    package var weight: Double
  }

  /// The shape parameter, in [0, +∞].
  package let alpha: Double
  @usableFromInline let b: Double
  /// s = sign(α − 2) = db/dα (−1 at α = 2, whose limits are taken from the left).
  @usableFromInline let s: Double
  /// 1/b and 1/α (the per-residual formulas multiply instead of dividing).
  @usableFromInline let inverseB: Double
  @usableFromInline let inverseAlpha: Double

  /// Derivatives for shape `alpha` in [0, +∞]. Negative or NaN α is a precondition failure.
  package init(alpha: Double) {
    precondition(alpha >= 0, "the shape derivatives are defined for α in [0, +∞], not \(alpha)")
    self.alpha = alpha
    b = abs(alpha - 2)
    s = alpha > 2 ? 1 : -1
    inverseB = 1 / b
    inverseAlpha = 1 / alpha
  }

  /// ρ and its derivatives at the standardised residual u, also where u² overflows (|u| ≳ 1.3e154, a
  /// gross outlier far beyond the loss scale): there they are computed from log u² (see
  /// `valuesBeyondSquareRange(logZ:)`), and are finite wherever their values are.
  @inlinable package func values(u: Double) -> Values {
    let z = u * u
    if z.isFinite || !u.isFinite { return values(z: z) }
    return valuesBeyondSquareRange(logZ: 2 * Double.log(abs(u)))
  }

  /// The values at z = u² = e^logZ too large for a double, for α in [0, 2) ∪ (2, ∞): with y = z/b
  /// beyond 2⁵³, log(1 + y) = log z − log b and y/(1 + y) = 1 in double precision, z·w = e^(logZ + m)
  /// is taken in logs, and the formulas of ``values(z:)`` follow with those limits. At α = 2 and ∞, and
  /// for α > 2 (w overflows), ρ itself is infinite and ``values(z:)`` at z = ∞ gives it.
  ///
  /// The two branches below repeat those of ``values(z:)`` with z/(b + z) = 1 and z·w taken in logs.
  /// They are kept apart on purpose: one body for both would evaluate the finite case with other
  /// operations (z·w as e^(log z + m), not z·w) and move its last bits, which its tests hold to mpmath.
  @usableFromInline func valuesBeyondSquareRange(logZ: Double) -> Values {
    if alpha == 2 || alpha == .infinity || alpha > 2 { return values(z: .infinity) }
    let l = logZ - Double.log(b)
    let h = l - 1
    let m = s * b * l / 2
    let w = Double.exp(m)
    let zw = Double.exp(logZ + m)
    let dLogScale = -zw
    let dLogScaleLogScale = 2 * w * b + alpha * zw
    let dAlphaLogScale = -zw * h / 2
    var rho: Double, d1: Double, d2: Double
    let halfInverseB = 0.5 * inverseB
    if alpha <= 1 {
      let p = b * l / 2, p1 = s * h / 2, p2 = -halfInverseB
      let x = alpha * l / 2
      let x1 = l / 2 - alpha * s * halfInverseB
      let x2 = -s * inverseB + alpha * halfInverseB * inverseB
      let (f0, f1, f2) = alpha == 0 ? (1, 0.5, 1.0 / 3) : expMinusOneOverXJet(x)
      rho = p * f0
      d1 = p1 * f0 + p * f1 * x1
      d2 = p2 * f0 + 2 * p1 * f1 * x1 + p * f2 * x1 * x1 + p * f1 * x2
    } else {
      let em = Double.expMinusOne(m)
      let ia = inverseAlpha, half = 0.5 * ia, halfSquared = half * ia
      let bzw = b * w + zw
      rho = (zw + b * em) * ia
      let q = 2 * s * em - zw
      d1 = bzw * h * half + q * ia * ia
      d2 = s * w * h * half + bzw * h * h * (0.5 * half) - s * zw * half * inverseB
        - bzw * h * halfSquared + (2 * s * w - zw) * h * halfSquared - 2 * q * ia * ia * ia
    }
    return Values(
      rho: rho, dAlpha: d1, dAlphaAlpha: d2, dLogScale: dLogScale,
      dLogScaleLogScale: dLogScaleLogScale, dAlphaLogScale: dAlphaLogScale, weight: w)
  }

  /// ρ and its derivatives at the standardised residual whose square is `z` (z ≥ 0, may be +∞).
  package func values(z: Double) -> Values {
    if alpha == 2 {
      // Left limits: ∂ρ/∂α ~ (z/4) log(1/(2 − α)), ∂²ρ/∂α² ~ z/(4(2 − α)), ∂w/∂α ~ (1/2) log(1/(2 − α)).
      let inf: Double = z > 0 ? .infinity : 0
      return Values(
        rho: z / 2, dAlpha: inf, dAlphaAlpha: inf, dLogScale: -z, dLogScaleLogScale: 2 * z,
        dAlphaLogScale: -inf, weight: 1)
    }
    if alpha == .infinity {
      let w = Double.exp(z / 2)
      return Values(
        rho: Double.expMinusOne(z / 2), dAlpha: 0, dAlphaAlpha: 0, dLogScale: -z * w,
        dLogScaleLogScale: z * w * (2 + z), dAlphaLogScale: 0, weight: w)
    }
    let y = z * inverseB
    let l = Double.log(onePlus: y)
    return values(z: z, y: y, l: l, w: weight(logOnePlus: l, y: y), factor: factor(logOnePlus: l, derivatives: true))
  }

  /// ``values(z:)`` for α in [0, 2) ∪ (2, ∞) from its transcendental terms at z and y = z/b: ℓ = log(1 + y),
  /// the weight w (``weight(logOnePlus:y:)``) and ``factor(logOnePlus:derivatives:)`` with its derivatives.
  /// The scalar path computes them with libm; a pass's block of rows may take them from the 4-lane kernel
  /// (``BarronRowBlock``). One body either way: the same doubles from the same terms.
  @inline(__always) func values(z: Double, y: Double, l: Double, w: Double,
                                factor: (Double, Double, Double)) -> Values {
    let common = scaleTerms(z: z, w: w)
    let ratio = common.ratio
    if w.isInfinite {
      // α > 2 and z so far out that (1 + z/b)^(α/2 − 1) overflows: ρ and its derivatives are all huge
      // and positive (apart from ∂ρ/∂λ = −z w), so report the infinities instead of ∞ − ∞.
      return Values(
        rho: .infinity, dAlpha: .infinity, dAlphaAlpha: .infinity, dLogScale: -.infinity,
        dLogScaleLogScale: .infinity, dAlphaLogScale: -.infinity, weight: .infinity)
    }
    let h = logOnePlusMinusRatio(y, logOnePlus: l)
    let dLogScale = common.dLogScale, dLogScaleLogScale = common.dLogScaleLogScale
    let dAlphaLogScale = -z * w * h / 2
    var rho: Double, d1: Double, d2: Double
    if alpha <= 1 {
      // ρ = P φ(x), P = b ℓ/2, x = α ℓ/2 (φ and its derivatives are `factor`).
      let p = b * l / 2
      let p1 = s * h / 2
      let halfInverseB = 0.5 * inverseB
      let p2 = -ratio * ratio * halfInverseB
      let x1 = l / 2 - alpha * s * ratio * halfInverseB
      let x2 = -s * ratio * inverseB + alpha * ratio * (2 - ratio) * halfInverseB * inverseB
      let (f0, f1, f2) = factor
      rho = p * f0
      d1 = p1 * f0 + p * f1 * x1
      d2 = p2 * f0 + 2 * p1 * f1 * x1 + p * f2 * x1 * x1 + p * f1 * x2
    } else {
      let em = factor.0
      let ia = inverseAlpha, half = 0.5 * ia, halfSquared = half * ia
      let bz = b + z
      rho = Self.rhoAboveOne(z: z, w: w, expMinusOne: em, b: b, inverseAlpha: ia)
      let q = 2 * s * em - z * w
      d1 = bz * w * h * half + q * ia * ia
      d2 =
        s * w * h * half + bz * w * h * h * (0.5 * half) - s * w * z * ratio * half * inverseB
        - bz * w * h * halfSquared + w * h * (2 * s - z) * halfSquared - 2 * q * ia * ia * ia
    }
    return Values(
      rho: rho, dAlpha: d1, dAlphaAlpha: d2, dLogScale: dLogScale,
      dLogScaleLogScale: dLogScaleLogScale, dAlphaLogScale: dAlphaLogScale, weight: w)
  }

  /// ρ, the weight and ρ's derivatives in λ = log c at one standardised residual: what a fit profiled at
  /// a fixed α needs (its step moves c alone), without the α-derivatives and their log1p/expm1 jets.
  package struct ScaleValues: Sendable, Hashable {
    /// ρ(u; α).
    package var rho: Double
    /// ∂ρ/∂λ = −z w.
    package var dLogScale: Double
    /// ∂²ρ/∂λ² = z w (2 + α y)/(1 + y).
    package var dLogScaleLogScale: Double
    /// w = ψ(u)/u.
    package var weight: Double

    /// The scale part of the full ``Values``.
    @usableFromInline init(_ v: Values) {
      self.init(rho: v.rho, dLogScale: v.dLogScale, dLogScaleLogScale: v.dLogScaleLogScale, weight: v.weight)
    }

    init(rho: Double, dLogScale: Double, dLogScaleLogScale: Double, weight: Double) {
      self.rho = rho
      self.dLogScale = dLogScale
      self.dLogScaleLogScale = dLogScaleLogScale
      self.weight = weight
    }
  }

  /// ``ScaleValues`` at the standardised residual u: the same doubles as the corresponding fields of
  /// ``values(u:)`` (one body for the terms both use), at a fraction of its cost.
  @inlinable package func scaleValues(u: Double) -> ScaleValues {
    let z = u * u
    if z.isFinite || !u.isFinite { return scaleValues(z: z) }
    return ScaleValues(valuesBeyondSquareRange(logZ: 2 * Double.log(abs(u))))
  }

  /// ``ScaleValues`` at z = u² (z ≥ 0, may be +∞): ``values(z:)`` without the α-derivatives.
  package func scaleValues(z: Double) -> ScaleValues {
    if alpha == 2 || alpha == .infinity { return ScaleValues(values(z: z)) }
    let y = z * inverseB
    let l = Double.log(onePlus: y)
    return scaleValues(z: z, l: l, w: weight(logOnePlus: l, y: y), factor: factor(logOnePlus: l, derivatives: false).0)
  }

  /// ``scaleValues(z:)`` for α in [0, 2) ∪ (2, ∞) from the transcendental terms of ``values(z:y:l:w:factor:)``
  /// (the factor without its derivatives).
  @inline(__always) func scaleValues(z: Double, l: Double, w: Double, factor: Double) -> ScaleValues {
    let common = scaleTerms(z: z, w: w)
    if w.isInfinite {
      return ScaleValues(rho: .infinity, dLogScale: -.infinity, dLogScaleLogScale: .infinity, weight: .infinity)
    }
    let rho: Double
    if alpha <= 1 {
      // ρ = P φ(x), P = b ℓ/2, x = α ℓ/2 (as in `values(z:)`).
      let p = b * l / 2
      rho = p * factor
    } else {
      rho = Self.rhoAboveOne(z: z, w: w, expMinusOne: factor, b: b, inverseAlpha: inverseAlpha)
    }
    return ScaleValues(rho: rho, dLogScale: common.dLogScale, dLogScaleLogScale: common.dLogScaleLogScale,
                       weight: w)
  }

  /// The weight w = (1 + y)^(α/2 − 1) = exp(s b ℓ/2) from ℓ = log(1 + y), for α in [0, 2) ∪ (2, ∞); at
  /// α = 0 (the Cauchy shape, where many fits end on the lower bound) 1/(1 + y).
  @inline(__always) func weight(logOnePlus l: Double, y: Double) -> Double {
    alpha == 0 ? 1 / (1 + y) : Double.exp(s * b * l / 2)
  }

  /// ρ's factor from ℓ = log(1 + y), for α in [0, 2) ∪ (2, ∞): for α ≤ 1 φ(x) = (eˣ − 1)/x at x = α ℓ/2
  /// (ρ = (b ℓ/2) φ(x)) and, with `derivatives`, φ′ and φ″ (``expMinusOneOverXJet(_:)``; 1, 1/2, 1/3 at
  /// α = 0); for α > 1 expm1(m), m = s b ℓ/2 (derivatives 0).
  @inline(__always) func factor(logOnePlus l: Double, derivatives: Bool) -> (Double, Double, Double) {
    guard alpha <= 1 else { return (Double.expMinusOne(s * b * l / 2), 0, 0) }
    // φ(0) = 1, φ′(0) = 1/2, φ″(0) = 1/3.
    if alpha == 0 { return (1, 0.5, 1.0 / 3) }
    return expMinusOneOverXSeries(alpha * l / 2, derivatives: derivatives)
  }

  /// The terms of ``values(z:)`` and ``scaleValues(z:)`` for α in [0, 2) ∪ (2, ∞) at z with the weight w:
  /// z/(b + z), and ρ's λ-derivatives −z w and z w (2 + α y)/(1 + y). When w overflows they are not
  /// meaningful.
  @inline(__always) private func scaleTerms(z: Double, w: Double)
    -> (ratio: Double, dLogScale: Double, dLogScaleLogScale: Double) {
    // y/(1 + y) = z/(b + z) in [0, 1] and z/(1 + y) = b z/(b + z), finite for every z ≥ 0 when b > 0.
    let ratio = z.isInfinite ? 1 : z / (b + z)
    let zOverOnePlusY = z.isInfinite ? b : b * ratio
    let dLogScale = -z * w
    // z w (2 + α y)/(1 + y)
    let dLogScaleLogScale = w * (2 * zOverOnePlusY + alpha * z * ratio)
    return (ratio, dLogScale, dLogScaleLogScale)
  }

  /// ρ for α > 1: (z w + b (w − 1))/α with w − 1 = expm1(m).
  @inline(__always) private static func rhoAboveOne(z: Double, w: Double, expMinusOne em: Double, b: Double,
                                                    inverseAlpha: Double) -> Double {
    (z * w + b * em) * inverseAlpha
  }

  /// Running sums of ``Values`` over residuals: the NLL's sum terms and their α/λ derivatives.
  struct Sums: Sendable {
    var rho = 0.0, dAlpha = 0.0, dAlphaAlpha = 0.0, dLogScale = 0.0, dLogScaleLogScale = 0.0, dAlphaLogScale = 0.0

    mutating func add(_ v: Values) {
      rho += v.rho
      dAlpha += v.dAlpha
      dAlphaAlpha += v.dAlphaAlpha
      dLogScale += v.dLogScale
      dLogScaleLogScale += v.dLogScaleLogScale
      dAlphaLogScale += v.dAlphaLogScale
    }

    /// Adds one row's values multiplied by its case weight.
    mutating func add(_ v: Values, weight w: Double) {
      rho += w * v.rho
      dAlpha += w * v.dAlpha
      dAlphaAlpha += w * v.dAlphaAlpha
      dLogScale += w * v.dLogScale
      dLogScaleLogScale += w * v.dLogScaleLogScale
      dAlphaLogScale += w * v.dAlphaLogScale
    }

    /// Adds one row's ρ and λ-derivatives (a profiled pass at fixed α: ``BarronScaleRows``, whose
    /// α entries are NaN, not summed).
    mutating func add(_ v: ScaleValues) {
      rho += v.rho
      dLogScale += v.dLogScale
      dLogScaleLogScale += v.dLogScaleLogScale
    }

    /// Adds one row's ρ and λ-derivatives multiplied by its case weight.
    mutating func add(_ v: ScaleValues, weight w: Double) {
      rho += w * v.rho
      dLogScale += w * v.dLogScale
      dLogScaleLogScale += w * v.dLogScaleLogScale
    }

    mutating func add(_ other: Sums) {
      rho += other.rho
      dAlpha += other.dAlpha
      dAlphaAlpha += other.dAlphaAlpha
      dLogScale += other.dLogScale
      dLogScaleLogScale += other.dLogScaleLogScale
      dAlphaLogScale += other.dAlphaLogScale
    }

    /// [Σρ, Σ∂ρ/∂α, Σ∂²ρ/∂α², Σ∂ρ/∂λ, Σ∂²ρ/∂λ², Σ∂²ρ/∂α∂λ].
    var array: [Double] { [rho, dAlpha, dAlphaAlpha, dLogScale, dLogScaleLogScale, dAlphaLogScale] }
  }
}

extension BarronShapeDerivatives.Sums {
  /// The sums from their ``array`` form.
  init(_ array: [Double]) {
    precondition(array.count == 6, "the shape-derivative sums are six values")
    self.init(rho: array[0], dAlpha: array[1], dAlphaAlpha: array[2], dLogScale: array[3],
              dLogScaleLogScale: array[4], dAlphaLogScale: array[5])
  }
}
