import RealModule

/// Barron's distribution (Docs/spec.md §5): the density whose negative log is the general loss,
///
///     p(x | α, c) = exp(−ρ(x/c; α)) / (c · Z(α)),   α in [0, +∞], c > 0,
///
/// with ρ the loss of Docs/spec.md §3 and Z the log-partition function of `LogPartition`. α = 0 is a Cauchy
/// distribution with scale √2·c, α = 2 the Gaussian N(0, c²), α = 1 the pseudo-Huber ("hyperbolic")
/// density; α = +∞ has density exp(1 − exp(x²/(2c²)))/(c Z(∞)). For α < 0 exp(−ρ) is not integrable
/// (ρ is bounded), so there is no distribution.
///
/// The density is even and unimodal; its tails are like 2c²/x² at α = 0 (no mean), like exp(−|x|/c)
/// at α = 1 and Gaussian at α = 2.
package struct BarronDistribution: Sendable {
  /// The shape, in [0, +∞].
  package let alpha: Double
  /// The scale c > 0, in the units of x.
  package let scale: Double
  /// log Z(α), from `LogPartition.logZ(alpha:)`.
  package let logPartition: Double
  @usableFromInline let loss: BarronLoss
  let integrand: PartitionIntegrand
  /// Z(α) by the same quadrature as the cdf, so that cdf(+∞) = 1 to rounding.
  let quadratureZ: Double

  /// The distribution with shape `alpha` in [0, +∞] and scale `scale` (finite, > 0). Anything else is a
  /// precondition failure. Costs one log Z evaluation (see `LogPartition`).
  package init(alpha: Double, scale: Double = 1) {
    precondition(alpha >= 0, "Barron's distribution needs α in [0, +∞], not \(alpha)")
    precondition(scale > 0 && scale.isFinite, "Barron's distribution needs a finite scale c > 0")
    self.alpha = alpha
    self.scale = scale
    loss = BarronLoss(alpha: alpha)
    logPartition = LogPartition.logZ(alpha: alpha)
    integrand = PartitionIntegrand(alpha: alpha)
    quadratureZ = integrand.integral(upTo: .infinity)
  }

  /// log p(x) = −ρ(x/c) − log c − log Z(α), for any x (−∞ where ρ overflows, e.g. α = +∞ and |x|/c > 38).
  @inlinable package func logDensity(_ x: Double) -> Double {
    -loss.rho(x / scale) - Double.log(scale) - logPartition
  }

  /// p(x) = exp(logDensity(x)); even in x, 0 at ±∞.
  @inlinable package func density(_ x: Double) -> Double {
    Double.exp(logDensity(x))
  }

  /// P(X ≤ x), by the quadrature of `LogPartition` run up to σ = √ρ(|x|/c) (or from there to the
  /// cut-off, for the upper tail, so that small tail probabilities keep their relative accuracy).
  /// Absolute error about 1e-15; 0 at −∞, 1/2 at 0, 1 at +∞; NaN for NaN.
  package func cdf(_ x: Double) -> Double {
    if x.isNaN { return .nan }
    let u = abs(x) / scale
    let rho = loss.rho(u)
    let sigma = rho.squareRoot()
    let upper: Double
    if sigma < 1 {
      // The central mass ∫₀^u exp(−ρ) dt, a small number near the mode.
      let central = integrand.integral(upTo: sigma) / 2
      upper = 0.5 - central / quadratureZ
    } else {
      upper = integrand.tail(from: sigma) / quadratureZ
    }
    return x > 0 ? 1 - upper : upper
  }

  /// `count` independent draws, by rejection sampling (Docs/spec.md §5): propose x from the Cauchy(0, √2)
  /// distribution, whose density ∝ exp(−ρ(x; 0)), and accept with probability exp(ρ(x; 0) − ρ(x; α)),
  /// which is ≤ 1 because ρ(x; α) is non-decreasing in α (Barron 2019, and checked by the tests) so
  /// ρ(x; α) ≥ ρ(x; 0) for α ≥ 0. The acceptance rate is Z(α)/Z(0): 1 at α = 0, 0.56 at α = 2, 0.46 at
  /// α = +∞. Draws are multiplied by the scale c. Uses two uniforms per proposal from `generator`.
  package func sample(count: Int, using generator: inout some RandomNumberGenerator) -> [Double] {
    precondition(count >= 0, "a sample size cannot be negative")
    let cauchy = BarronLoss(alpha: 0)
    var draws = [Double]()
    draws.reserveCapacity(count)
    while draws.count < count {
      let p = Double.random(in: 0..<1, using: &generator)
      let x = 2.0.squareRoot() * Double.tan(Double.pi * (p - 0.5))
      let acceptance = Double.exp(cauchy.rho(x) - loss.rho(x))
      if Double.random(in: 0..<1, using: &generator) < acceptance { draws.append(x * scale) }
    }
    return draws
  }
}

// MARK: - The negative log-likelihood of residuals

/// The negative log-likelihood of residuals under Barron's distribution and its first and second
/// derivatives in (α, λ), λ = log c, from one pass over the residuals.
///
/// The scale enters through λ = log c (not c): the NLL is better conditioned in λ and c > 0 is automatic.
/// The (α, c) derivatives are available as computed properties (∂/∂c = (1/c)·∂/∂λ,
/// ∂²/∂c² = (∂²/∂λ² − ∂/∂λ)/c²).
///
/// At α = 2 exactly, the α-derivatives do not exist: NLL(α) − NLL(2) behaves like
/// (S/4)·(α − 2)·log(1/|α − 2|) with S = Σ (rᵢ/c)² − n, which vanishes only where c is the maximum-likelihood
/// Gaussian scale. The α entries are then the limits from the left (α ↑ 2): `dAlpha` is +∞ or −∞ by the
/// sign of S (its finite limit Σ zᵢ(log zᵢ − 2)/4 + n(γ + log 2)/4 when S = 0), `dAlphaAlpha` is ±∞ by the
/// sign of S (+∞ when S = 0) and `dAlphaLogScale` is −∞ (when some residual is nonzero).
package struct BarronLikelihood: Sendable, Hashable {
  /// The shape α at which this was evaluated.
  package var alpha: Double
  /// The scale c at which this was evaluated.
  package var scale: Double
  /// NLL = Σ ρ(rᵢ/c; α) + n log c + n log Z(α).
  package var value: Double
  /// ∂NLL/∂α.
  package var dAlpha: Double
  /// ∂NLL/∂λ, λ = log c.
  package var dLogScale: Double
  /// ∂²NLL/∂α².
  package var dAlphaAlpha: Double
  /// ∂²NLL/∂α∂λ.
  package var dAlphaLogScale: Double
  /// ∂²NLL/∂λ².
  package var dLogScaleLogScale: Double

  /// ∂NLL/∂c = (∂NLL/∂λ)/c.
  package var dScale: Double { dLogScale / scale }
  /// ∂²NLL/∂c² = (∂²NLL/∂λ² − ∂NLL/∂λ)/c².
  package var dScaleScale: Double { (dLogScaleLogScale - dLogScale) / (scale * scale) }
  /// ∂²NLL/∂α∂c = (∂²NLL/∂α∂λ)/c.
  package var dAlphaScale: Double { dAlphaLogScale / scale }
}

extension BarronDistribution {
  /// Σ ρ(rᵢ/c; α) + n log c + n log Z(α) for α in [0, +∞] and c > 0 (preconditions). +∞ when some ρ
  /// overflows (α > 2 and a residual far beyond c).
  package static func negativeLogLikelihood(
    residuals: UnsafeBufferPointer<Double>, alpha: Double, scale: Double
  ) -> Double {
    requireLikelihoodParameters(alpha: alpha, scale: scale)
    let loss = BarronLoss(alpha: alpha)
    let inverse = 1 / scale
    var sum = 0.0
    for r in residuals { sum += loss.rho(r * inverse) }
    return BarronNLL.value(sumRho: sum, count: Double(residuals.count), scale: scale, alpha: alpha)
  }

  /// `negativeLogLikelihood(residuals:alpha:scale:)` for an array.
  package static func negativeLogLikelihood(residuals: [Double], alpha: Double, scale: Double) -> Double {
    residuals.withUnsafeBufferPointer { negativeLogLikelihood(residuals: $0, alpha: alpha, scale: scale) }
  }

  /// The NLL with its gradient and Hessian in (α, log c), analytic, in one pass over the residuals
  /// (plus one `LogPartition.derivatives` evaluation, about 55 µs). α in [0, +∞], c > 0 (preconditions);
  /// at α = 0 the α-derivatives are one-sided (right), at α = 2 see `BarronLikelihood`, at α = +∞ they are 0.
  package static func likelihood(
    residuals: UnsafeBufferPointer<Double>, alpha: Double, scale: Double
  ) -> BarronLikelihood {
    requireLikelihoodParameters(alpha: alpha, scale: scale)
    let shape = BarronShapeDerivatives(alpha: alpha)
    let inverse = 1 / scale
    var sums = BarronShapeDerivatives.Sums()
    var sumZ = 0.0, sumZLogZ = 0.0
    for r in residuals {
      let u = r * inverse
      let z = u * u
      sums.add(shape.values(z: z))
      if alpha == 2 {
        sumZ += z
        if z > 0 { sumZLogZ += z * (Double.log(z) - 2) }
      }
    }
    let n = Double(residuals.count)
    var result = BarronNLL.likelihood(sums: sums, count: n, alpha: alpha, scale: scale,
                                      partition: LogPartition.derivatives(alpha: alpha))
    if alpha == 2 {
      // Σ∂ρ/∂α and n d log Z/dα are +∞ and −∞ here; their sum behaves like (S/4) log(1/(2 − α)).
      let excess = sumZ - n
      let eulerGamma = 0.57721566490153286061
      if excess > 0 {
        result.dAlpha = .infinity
        result.dAlphaAlpha = .infinity
      } else if excess < 0 {
        result.dAlpha = -.infinity
        result.dAlphaAlpha = -.infinity
      } else {
        result.dAlpha = sumZLogZ / 4 + n * (eulerGamma + Double.log(2)) / 4
        result.dAlphaAlpha = .infinity
      }
    }
    return result
  }

  /// The preconditions of the NLL functions: α in [0, +∞], c finite and > 0.
  private static func requireLikelihoodParameters(alpha: Double, scale: Double) {
    precondition(alpha >= 0, "the likelihood needs α in [0, +∞], not \(alpha)")
    precondition(scale > 0 && scale.isFinite, "the likelihood needs a finite scale c > 0")
  }

  /// `likelihood(residuals:alpha:scale:)` for an array.
  package static func likelihood(residuals: [Double], alpha: Double, scale: Double) -> BarronLikelihood {
    residuals.withUnsafeBufferPointer { likelihood(residuals: $0, alpha: alpha, scale: scale) }
  }
}
