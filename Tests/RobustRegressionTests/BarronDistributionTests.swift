import Foundation
import Testing
@testable import RobustRegression

@Suite("Barron's distribution: density, cdf, sampling, likelihood")
struct BarronDistributionTests {
  // MARK: Random numbers

  @Test("SplitMix64 reproduces the published outputs of splitmix64.c for seed 0")
  func splitMixReference() {
    var g = SplitMix64(seed: 0)
    #expect(g.next() == 0xE220_A839_7B1D_CDAF)
    #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(g.next() == 0x06C4_5D18_8009_454F)
  }

  // MARK: Density and cdf

  @Test("α = 0 is the Cauchy distribution with scale √2·c, density and cdf")
  func cauchyClosedForm() {
    let c = 1.7
    let d = BarronDistribution(alpha: 0, scale: c)
    let gamma = 2.0.squareRoot() * c
    for x in [-1e6, -30, -2.5, -0.1, 0, 0.3, 4, 80, 1e5] {
      let density = 1 / (Double.pi * gamma * (1 + (x / gamma) * (x / gamma)))
      #expect(abs(d.density(x) / density - 1) < 1e-14)
      let cdf = 0.5 + atan(x / gamma) / Double.pi
      #expect(abs(d.cdf(x) - cdf) < 1e-14, "x = \(x)")
    }
  }

  @Test("α = 2 is the Gaussian N(0, c²), density and cdf")
  func gaussianClosedForm() {
    let c = 0.6
    let d = BarronDistribution(alpha: 2, scale: c)
    for x in [-5.0, -1.3, -0.2, 0, 0.01, 0.9, 2.4, 4.5] {
      let density = exp(-x * x / (2 * c * c)) / (c * (2 * Double.pi).squareRoot())
      // exp(−x²/(2c²)) carries the rounding of its exponent (up to 35 here): 1e-13 relative.
      #expect(abs(d.density(x) / density - 1) < 1e-13)
      let cdf = 0.5 * erfc(-x / (c * 2.0.squareRoot()))
      #expect(abs(d.cdf(x) - cdf) < 1e-14, "x = \(x)")
    }
  }

  @Test("The density is even and integrates to 1", arguments: [0, 1e-6, 0.01, 0.5, 1, 1.5, 1.999, 2, 3, 50, .infinity])
  func densityIntegratesToOne(alpha: Double) {
    let c = 1.3
    let d = BarronDistribution(alpha: alpha, scale: c)
    for x in [0.1, 1, 3, 17] { #expect(d.density(x) == d.density(-x)) }
    // x = c·eˢ turns the algebraic tails (2c²/x² at α = 0) into exponential ones in s; beyond
    // s = 45 and below s = −40 the mass is below 1e-18.
    let rule = GaussLegendre(order: 20)
    let total = 2 * rule.integrate(from: -40, to: 45, maxWidth: 0.25) { s in
      let x = c * exp(s)
      return d.density(x) * x
    }
    #expect(abs(total - 1) < 1e-12, "∫ p = \(total)")
  }

  @Test("The cdf is 1/2 at 0, antisymmetric, and its derivative is the density",
        arguments: [1e-3, 0.5, 1.5, 1.9999, 2.5, .infinity])
  func cdfShape(alpha: Double) {
    let d = BarronDistribution(alpha: alpha, scale: 2)
    #expect(abs(d.cdf(0) - 0.5) < 1e-16)
    #expect(d.cdf(-.infinity) == 0)
    #expect(d.cdf(.infinity) == 1)
    var previous = 0.0
    for x in stride(from: -20.0, through: 20, by: 0.37) {
      let value = d.cdf(x)
      #expect(value >= previous)
      previous = value
      #expect(abs(value + d.cdf(-x) - 1) < 1e-14)
      let h = 1e-4
      let slope = (d.cdf(x + h) - d.cdf(x - h)) / (2 * h)
      #expect(abs(slope - d.density(x)) < 1e-8, "x = \(x)")
    }
  }

  // MARK: Sampling

  @Test("ρ(x; α) ≥ ρ(x; 0) for α ≥ 0 (the rejection bound) and ∂ρ/∂α ≥ 0")
  func lossIsMonotoneInAlpha() {
    let cauchy = BarronLoss(alpha: 0)
    for alpha in [1e-9, 0.01, 0.3, 1, 1.5, 1.999, 2, 2.001, 4, 100, .infinity] {
      let loss = BarronLoss(alpha: alpha)
      let shape = BarronShapeDerivatives(alpha: alpha)
      for x in [1e-3, 0.1, 0.7, 1, 2, 5, 20, 1e3] {
        #expect(loss.rho(x) >= cauchy.rho(x), "α = \(alpha), x = \(x)")
        #expect(shape.values(z: x * x).dAlpha >= 0, "α = \(alpha), x = \(x)")
      }
    }
  }

  @Test("Samples pass a Kolmogorov–Smirnov test against the cdf (n = 20000, 1 % level)",
        arguments: [0, 0.5, 1, 1.5, 2])
  func samplesFollowTheDistribution(alpha: Double) {
    var generator = SplitMix64(seed: 20_240_601 &+ UInt64(alpha * 10))
    let d = BarronDistribution(alpha: alpha, scale: 0.8)
    let n = 20_000
    let draws = d.sample(count: n, using: &generator).sorted()
    #expect(draws.count == n)
    var statistic = 0.0
    for (i, x) in draws.enumerated() {
      let f = d.cdf(x)
      statistic = max(statistic, f - Double(i) / Double(n), Double(i + 1) / Double(n) - f)
    }
    #expect(statistic < 1.63 / Double(n).squareRoot(), "D = \(statistic)")
  }

  // MARK: Shape derivatives

  static let residualSets: [[Double]] = [
    [0.3, -1.2, 2.5, -0.05, 7.0, -3.3, 0.9],
    [1e-4, -2e-3, 0.02, 15, -40, 120],
    (0..<50).map { i in sin(Double(i) * 1.7) * (1 + Double(i) / 10) },
  ]

  @Test("∂ρ/∂α and ∂²ρ/∂α² match central differences of BarronLoss.rho",
        arguments: [0.001, 0.3, 1, 1.7, 1.999, 2.5, 9])
  func shapeDerivativesMatchDifferences(alpha: Double) {
    let shape = BarronShapeDerivatives(alpha: alpha)
    let h = min(1e-4, abs(alpha - 2) / 50, alpha / 2)
    for u in [0.05, 0.4, 1, 2.2, 6, 30] {
      let z = u * u
      let v = shape.values(z: z)
      let rho = { (a: Double) in BarronLoss(alpha: a).rho(u) }
      #expect(abs(v.rho - rho(alpha)) <= 1e-14 * max(1, v.rho))
      let d1 = fivePointDerivative(rho, at: alpha, step: h)
      let d2 = (rho(alpha + h) - 2 * rho(alpha) + rho(alpha - h)) / (h * h)
      #expect(abs(v.dAlpha - d1) < 1e-7 * max(1, abs(d1)), "α = \(alpha), u = \(u): \(v.dAlpha) vs \(d1)")
      let d2FromFirst = fivePointDerivative(
        { BarronShapeDerivatives(alpha: $0).values(z: z).dAlpha }, at: alpha, step: h)
      #expect(abs(v.dAlphaAlpha - d2FromFirst) < 1e-6 * max(1, abs(d2FromFirst)), "α = \(alpha), u = \(u)")
      #expect(abs(v.dAlphaAlpha - d2) < 1e-3 * max(1, abs(d2)), "α = \(alpha), u = \(u)")
    }
  }

  @Test("The α-derivatives at α = 0 are the limits of those at small α")
  func continuousAtZero() {
    let zero = BarronShapeDerivatives(alpha: 0), near = BarronShapeDerivatives(alpha: 1e-9)
    for u in [0.01, 0.5, 1, 3, 100] {
      let a = zero.values(z: u * u), b = near.values(z: u * u)
      #expect(abs(a.dAlpha - b.dAlpha) < 1e-7 * max(1, abs(a.dAlpha)))
      #expect(abs(a.dAlphaAlpha - b.dAlphaAlpha) < 1e-7 * max(1, abs(a.dAlphaAlpha)))
      #expect(abs(a.dLogScale - b.dLogScale) < 1e-7 * max(1, abs(a.dLogScale)))
    }
  }

  @Test("Next to α = 2, ∂ρ/∂α grows like (z/4)·log(1/|α − 2|); ρ and the scale terms are continuous")
  func logarithmicAtTwo() {
    let two = BarronShapeDerivatives(alpha: 2)
    for side in [-1.0, 1.0] {
      let far = BarronShapeDerivatives(alpha: 2 + side * 1e-6)
      let near = BarronShapeDerivatives(alpha: 2 + side * 1e-8)
      for u in [0.3, 1, 4] {
        let z = u * u
        let growth = near.values(z: z).dAlpha - far.values(z: z).dAlpha
        #expect(abs(growth - z / 4 * log(100)) < 1e-4 * z)
        let a = two.values(z: z), b = near.values(z: z)
        #expect(abs(a.rho - b.rho) < 1e-6 * z)
        #expect(abs(a.dLogScale - b.dLogScale) < 1e-6 * z)
        #expect(abs(a.dLogScaleLogScale - b.dLogScaleLogScale) < 1e-6 * z)
      }
    }
    #expect(two.values(z: 1).dAlpha == .infinity)
    #expect(two.values(z: 0).dAlpha == 0)
  }

  // MARK: Likelihood

  @Test("NLL gradient and Hessian in (α, log c) match central differences",
        arguments: [0.001, 0.3, 1, 1.7, 1.999])
  func likelihoodDerivatives(alpha: Double) {
    for (index, residuals) in Self.residualSets.enumerated() {
      for c in [0.5, 1.3, 4] {
        let l = BarronDistribution.likelihood(residuals: residuals, alpha: alpha, scale: c)
        let value = { (a: Double, logC: Double) in
          BarronDistribution.negativeLogLikelihood(residuals: residuals, alpha: a, scale: exp(logC))
        }
        let gradient = { (a: Double, logC: Double) in
          let x = BarronDistribution.likelihood(residuals: residuals, alpha: a, scale: exp(logC))
          return (x.dAlpha, x.dLogScale)
        }
        let lc = log(c)
        #expect(abs(l.value - value(alpha, lc)) < 1e-12 * max(1, abs(l.value)))
        let ha = min(1e-4, alpha / 4, abs(2 - alpha) / 50), hl = 1e-4
        let ga = fivePointDerivative({ value($0, lc) }, at: alpha, step: ha)
        let gl = fivePointDerivative({ value(alpha, $0) }, at: lc, step: hl)
        let tag = "set \(index), α = \(alpha), c = \(c)"
        #expect(abs(l.dAlpha - ga) < 1e-6 * max(1, abs(ga)), "\(tag): \(l.dAlpha) vs \(ga)")
        #expect(abs(l.dLogScale - gl) < 1e-6 * max(1, abs(gl)), "\(tag): \(l.dLogScale) vs \(gl)")
        let haa = fivePointDerivative({ gradient($0, lc).0 }, at: alpha, step: ha)
        let hal = fivePointDerivative({ gradient($0, lc).1 }, at: alpha, step: ha)
        let hla = fivePointDerivative({ gradient(alpha, $0).0 }, at: lc, step: hl)
        let hll = fivePointDerivative({ gradient(alpha, $0).1 }, at: lc, step: hl)
        #expect(abs(l.dAlphaAlpha - haa) < 1e-5 * max(1, abs(haa)), "\(tag): \(l.dAlphaAlpha) vs \(haa)")
        #expect(abs(l.dLogScaleLogScale - hll) < 1e-6 * max(1, abs(hll)), "\(tag)")
        #expect(abs(l.dAlphaLogScale - hal) < 1e-5 * max(1, abs(hal)), "\(tag): \(l.dAlphaLogScale) vs \(hal)")
        #expect(abs(l.dAlphaLogScale - hla) < 1e-5 * max(1, abs(hla)), "\(tag)")
        // (α, c) coordinates.
        let gc = (value(alpha, log(c + 1e-6)) - value(alpha, log(c - 1e-6))) / 2e-6
        #expect(abs(l.dScale - gc) < 1e-6 * max(1, abs(gc)))
      }
    }
  }

  @Test("At α = 2 the NLL α-slope is ±∞ by the sign of Σz − n, and its finite limit when Σz = n")
  func likelihoodAtTwo() {
    let balanced = [1.0, -1, 1, -1, 1]  // z = 1 each at c = 1: Σz = n
    let exact = BarronDistribution.likelihood(residuals: balanced, alpha: 2, scale: 1)
    let near = BarronDistribution.likelihood(residuals: balanced, alpha: 2 - 1e-9, scale: 1)
    #expect(abs(exact.dAlpha - near.dAlpha) < 1e-5)
    #expect(abs(exact.value - near.value) < 1e-7)
    #expect(BarronDistribution.likelihood(residuals: balanced, alpha: 2, scale: 0.5).dAlpha == .infinity)
    #expect(BarronDistribution.likelihood(residuals: balanced, alpha: 2, scale: 2).dAlpha == -.infinity)
    // The value is continuous at 2 for any c.
    let wide = BarronDistribution.negativeLogLikelihood(residuals: balanced, alpha: 2, scale: 2)
    let wideNear = BarronDistribution.negativeLogLikelihood(residuals: balanced, alpha: 2 + 1e-10, scale: 2)
    #expect(abs(wide - wideNear) < 1e-7)
  }
}

/// f′(x) by the five-point stencil (truncation error h⁴ f⁽⁵⁾/30).
func fivePointDerivative(_ f: (Double) -> Double, at x: Double, step h: Double) -> Double {
  (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)
}
