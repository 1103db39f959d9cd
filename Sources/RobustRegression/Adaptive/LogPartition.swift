import RealModule

/// The log-partition function of Barron's distribution (Docs/spec.md §5),
///
///     log Z(α),   Z(α) = ∫ exp(−ρ(t; α)) dt over the real line,
///
/// with ρ Barron's loss in u units (Docs/spec.md §3), for α in [0, +∞], and its first two derivatives in α.
///
/// ## How
/// The slow tails (exp(−ρ) ~ 2/t² at α = 0, and for small α > 0 algebraic up to t ~ e^(1/α)) are removed
/// by integrating in σ = √ρ instead of t: with t(σ) the inverse of σ² = ρ(t),
///
///     Z = 2 ∫₀^∞ exp(−σ²) · dt/dσ dσ,   dt/dσ = √2 · (1 + y)^(1 − α/2) / √G,
///
/// where, with x = σ² α/b, g = log(1 + x)/x, L = (2/α) log(1 + x), G = g · (e^L − 1)/L, the point is
/// t² = 2σ²G and y = t²/b = e^L − 1 (so (1 + y)^(1 − α/2) = exp(−s σ² g), s = sign(α − 2)). This integrand
/// is analytic in σ, decays at least like exp(−σ²/2) for every α ≥ 0 (ρ ≥ log(1 + t²/2)), and is
/// smooth uniformly in α ∈ [0, ∞]: α = 0 (G = (e^ρ − 1)/ρ) and α = ∞ (G = log(1 + ρ)/ρ) are the same
/// formula. Its only singularity near the real axis is the branch point σ = ±i √(b/α), which approaches
/// 0 as α → 2; the composite 20-point Gauss–Legendre rule uses panels of width ≤ 1 and, below that, a
/// geometric mesh σ = d·2^k from d = √(b/α), which keeps every panel's Bernstein ellipse parameter above
/// 4.6. The integral is cut at σ = 10 (α < 1) or 7.5 (α ≥ 1), where the neglected mass is below 1e-19.
///
/// d log Z/dα = −E[∂ρ/∂α] and d² log Z/dα² = E[(∂ρ/∂α)²] − E[∂²ρ/∂α²] − (d log Z/dα)² are integrated
/// on the same nodes, with ∂ρ/∂α from `BarronShapeDerivatives`.
///
/// ## Accuracy and cost
/// Against the 40-digit reference table `Fixtures/reference/log_partition.csv` (439 rows, α from 0 to 20
/// in steps of 0.01/0.5 plus 1e-9 … 1e4 and ∞) the largest error is 2.1e-15 in log Z and 1.2e-15 in
/// d log Z/dα; d² log Z/dα² agrees with differences of d log Z/dα to 1e-6 relative (the test's own
/// limit). The closed forms at α = 0, 1, 2 and +∞ are selected exactly. One `logZ` call evaluates 160–200
/// nodes (up to ~560 within 1e-12 of α = 2): about 15–20 µs in a release build on this machine, and
/// about 55 µs for `derivatives`. No table, no cache, no shared state.
///
/// ## Edge behaviour
/// log Z is decreasing in α (ρ is non-decreasing in α, checked by the tests). Its derivative diverges at α = 2 like
/// (1/4)·log|α − 2| (because ∂ρ/∂α ~ (z/4) log(1/|α − 2|)); at α = 2 exactly `dLogZ` returns −∞ and
/// `d2LogZ` returns its left limit −∞. At α = +∞ both derivatives are 0 (log Z = log Z(∞) + O(1/α)).
package enum LogPartition {
  /// log Z(0) = log(π √2) (Cauchy).
  package static let logZAtZero = Double.log(Double.pi * 2.0.squareRoot())
  /// log Z(1) = log(2 e K₁(1)) (pseudo-Huber), the double nearest the exact value.
  package static let logZAtOne = 1.185495232349193
  /// log Z(2) = log √(2π) (Gaussian).
  package static let logZAtTwo = 0.91893853320467274178
  /// log Z(+∞) = log ∫ exp(1 − exp(t²/2)) dt = log ∫₀^∞ 2√(2 log(1 + r)) e^(−r) dr
  /// = 0.705260254417569688269… (mpmath, 30 digits, both integrals). Docs/spec.md §5 prints 0.70526025442689566,
  /// which is 9.3e-12 too large.
  package static let logZAtInfinity = 0.70526025441756969

  /// log Z(α) for α in [0, +∞]. Negative or NaN α is a precondition failure (the density is not
  /// normalisable for α < 0).
  package static func logZ(alpha: Double) -> Double {
    precondition(alpha >= 0, "log Z(α) is defined for α in [0, +∞], not \(alpha)")
    switch alpha {
    case 0: return logZAtZero
    case 1: return logZAtOne
    case 2: return logZAtTwo
    case .infinity: return logZAtInfinity
    default: return Double.log(PartitionIntegrand(alpha: alpha).integral(upTo: .infinity))
    }
  }

  /// d log Z/dα for α in [0, +∞] (at α = 0 the right derivative). −∞ at α = 2, 0 at α = +∞.
  package static func dLogZ(alpha: Double) -> Double {
    derivatives(alpha: alpha).first
  }

  /// d² log Z/dα² for α in [0, +∞] (at α = 0 the right derivative). At α = 2 the left limit −∞;
  /// 0 at α = +∞.
  package static func d2LogZ(alpha: Double) -> Double {
    derivatives(alpha: alpha).second
  }

  /// log Z and its first two α-derivatives in one quadrature pass (about twice the cost of `logZ`).
  /// Edge values as for `logZ`, `dLogZ` and `d2LogZ`.
  package static func derivatives(alpha: Double) -> (value: Double, first: Double, second: Double) {
    precondition(alpha >= 0, "log Z(α) is defined for α in [0, +∞], not \(alpha)")
    if alpha == 2 { return (logZAtTwo, -.infinity, -.infinity) }
    if alpha == .infinity { return (logZAtInfinity, 0, 0) }
    let integrand = PartitionIntegrand(alpha: alpha)
    let shape = BarronShapeDerivatives(alpha: alpha)
    var z0 = 0.0, z1 = 0.0, z2 = 0.0
    integrand.forEachNode(upTo: .infinity) { point, weight in
      let v = shape.values(z: point.z)
      let m = weight * point.mass
      z0 += m
      z1 += m * v.dAlpha
      z2 += m * (v.dAlpha * v.dAlpha - v.dAlphaAlpha)
    }
    let first = -z1 / z0
    let value: Double
    switch alpha {
    case 0: value = logZAtZero
    case 1: value = logZAtOne
    default: value = Double.log(2 * z0)
    }
    return (value, first, z2 / z0 - first * first)
  }
}

/// The integrand of Z in σ = √ρ (see `LogPartition`): for each σ, the point t(σ), z = t², and the mass
/// exp(−σ²)·dt/dσ, so that Z = 2 ∫₀^∞ mass dσ and ∫₀^{t(σ₀)} exp(−ρ(t)) dt = ∫₀^{σ₀} mass dσ.
struct PartitionIntegrand: Sendable {
  let alpha: Double
  let b: Double
  let s: Double
  /// α/b: 1 at α = +∞, +∞ at α = 2.
  let alphaOverB: Double
  /// Breakpoints in σ, ascending from 0 to the cut-off.
  let breakpoints: [Double]

  /// Panels no wider than this in the uniform part of the mesh.
  static let panelWidth = 1.0
  static let rule = GaussLegendre(order: 20)

  init(alpha: Double) {
    self.alpha = alpha
    b = abs(alpha - 2)
    s = alpha > 2 ? 1 : -1
    if alpha == .infinity {
      alphaOverB = 1
    } else if alpha > 2 {
      alphaOverB = 1 / (1 - 2 / alpha)
    } else {
      alphaOverB = alpha / (2 - alpha)
    }
    let cutoff = alpha < 1 ? 10.0 : 7.5
    var cuts = [0.0]
    // Branch point of log(1 + σ² α/b) at σ = ±i √(b/α): geometric panels from d up to panelWidth.
    let d = alpha == 2 ? Double.infinity : (1 / alphaOverB).squareRoot()
    var x = d
    while x < Self.panelWidth {
      cuts.append(x)
      x *= 2
    }
    let start = cuts.last!
    let pieces = Int(((cutoff - start) / Self.panelWidth).rounded(.up))
    let width = (cutoff - start) / Double(pieces)
    for j in 1...pieces { cuts.append(j == pieces ? cutoff : start + Double(j) * width) }
    breakpoints = cuts
  }

  /// t(σ), z = t² and exp(−σ²)·dt/dσ.
  @inline(__always) func point(_ sigma: Double) -> (t: Double, z: Double, mass: Double) {
    let rho = sigma * sigma
    if alpha == 2 {
      return (sigma * 2.0.squareRoot(), 2 * rho, 2.0.squareRoot() * Double.exp(-rho))
    }
    let x = rho * alphaOverB
    let g = logOnePlusOverX(x)
    // L = log(1 + y) = (2/α) log(1 + x); written as 2ρg/b for α < 1 so that α → 0 never divides by α.
    let l = alpha < 1 ? 2 * rho * g / b : 2 * Double.log(onePlus: x) / alpha
    let big = g * expMinusOneOverX(l)
    let z = 2 * rho * big
    let mass = 2.0.squareRoot() * Double.exp(-rho * (1 + s * g)) / big.squareRoot()
    return (z.squareRoot(), z, mass)
  }

  /// Calls `body` with each quadrature node's point and weight (in σ) over [0, min(upper, cut-off)].
  @inline(__always) func forEachNode(
    upTo upper: Double, _ body: (_ point: (t: Double, z: Double, mass: Double), _ weight: Double) -> Void
  ) {
    let rule = Self.rule
    for (lo, hi) in zip(breakpoints, breakpoints.dropFirst()) {
      if lo >= upper { break }
      let top = min(hi, upper)
      let half = (top - lo) / 2, mid = (top + lo) / 2
      for i in rule.nodes.indices {
        body(point(mid + half * rule.nodes[i]), rule.weights[i] * half)
      }
    }
  }

  /// Z(α) restricted to |t| ≤ t(upper): 2 ∫₀^{upper} mass dσ (`.infinity` for all of Z).
  func integral(upTo upper: Double) -> Double {
    var sum = 0.0
    forEachNode(upTo: upper) { point, weight in sum += weight * point.mass }
    return 2 * sum
  }

  /// ∫ exp(−ρ(t)) dt over t ≥ t(lower): 2 × (Z's upper tail beyond σ = lower) / 2.
  func tail(from lower: Double) -> Double {
    var sum = 0.0
    let rule = Self.rule
    for (lo, hi) in zip(breakpoints, breakpoints.dropFirst()) where hi > lower {
      let bottom = max(lo, lower)
      let half = (hi - bottom) / 2, mid = (hi + bottom) / 2
      for i in rule.nodes.indices { sum += rule.weights[i] * half * point(mid + half * rule.nodes[i]).mass }
    }
    return sum
  }
}
