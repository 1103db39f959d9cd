import Foundation
import Testing
@testable import RobustRegression

/// One loss under test, with a readable name.
struct LossCase: Sendable, CustomTestStringConvertible {
  let name: String
  let loss: any RobustLoss
  /// Whether ρ is twice differentiable away from its kinks with ρ ≈ u²/2 at 0 (all but L1).
  var isSmoothAtZero: Bool { !(loss is AbsoluteLoss) }
  var testDescription: String { name }

  static let barronAlphas: [Double] = [
    -.infinity, -1e4, -2, -1, -1e-9, 0, 1e-9, 1e-3, 0.5, 1, 1.5, 2 - 1e-9, 2, 2 + 1e-9, 3, 8, .infinity,
  ]
  static let all: [LossCase] =
    [LossCase(name: "huber", loss: HuberLoss()), LossCase(name: "tukey", loss: TukeyBiweightLoss()),
     LossCase(name: "l1", loss: AbsoluteLoss())]
    + barronAlphas.map { LossCase(name: "barron α=\(Loss.format(alpha: $0))", loss: BarronLoss(alpha: $0)) }
  static let smooth = all.filter(\.isSmoothAtZero)
}

/// Identities every loss must satisfy (Docs/spec.md §2–3), checked numerically at many points.
@Suite("Loss properties: derivatives, symmetry, weights, named members")
struct LossPropertyTests {
  /// Points where derivatives are checked: a grid on [−8, 8] that avoids the kinks by at least 1e-3.
  static func points(avoiding kinks: [Double], limit: Double = 8) -> [Double] {
    var u: [Double] = []
    var x = -limit
    while x <= limit {
      if !kinks.contains(where: { abs(abs(x) - $0) < 1e-3 }) { u.append(x) }
      x += 0.0625 + 0.003  // not a dyadic grid, so it does not land on kinks or special values
    }
    return u + [1e-6, -1e-6, 0]
  }

  /// The 5-point central difference of f at u with step h: error h⁴·f⁽⁵⁾/30 + about ε·|f|/h.
  static func derivative(_ f: (Double) -> Double, at u: Double, step h: Double) -> Double {
    (f(u - 2 * h) - 8 * f(u - h) + 8 * f(u + h) - f(u + 2 * h)) / (12 * h)
  }

  /// Largest |f| on the stencil, the size that rounding errors in the difference are relative to.
  static func stencilSize(_ f: (Double) -> Double, at u: Double, step h: Double) -> Double {
    [-2.0, -1, 0, 1, 2].map { abs(f(u + $0 * h)) }.max()!
  }

  /// Step for the difference at u: small enough that the ±2h stencil stays on one side of a kink
  /// 1e-3 away, and that exp(u²/2) (α = +∞) changes smoothly across it.
  static func step(at u: Double) -> Double { 1e-4 / max(1, abs(u)) }

  /// Accepts a difference quotient d for the exact derivative `exact`: truncation (h⁴ terms, relative
  /// 1e-7 here at most) plus rounding of the stencil values (≈ 4ε·size/h).
  static func expectDerivative(_ exact: Double, _ difference: Double, size: Double, step h: Double,
                               _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let tolerance = 1e-7 * abs(exact) + 1e-14 * size / h + 1e-12
    #expect(abs(exact - difference) <= tolerance,
            "\(what): exact \(exact), difference \(difference), tolerance \(tolerance)", sourceLocation: sourceLocation)
  }

  @Test("ψ equals the central difference of ρ", arguments: LossCase.all)
  func psiIsTheDerivativeOfRho(case c: LossCase) {
    let loss = c.loss
    let kinks = loss.kinks + (c.isSmoothAtZero ? [] : [0])
    for u in Self.points(avoiding: kinks) where !(kinks.contains(0) && abs(u) < 1e-3) {
      let h = Self.step(at: u)
      Self.expectDerivative(loss.psi(u), Self.derivative(loss.rho, at: u, step: h),
                            size: Self.stencilSize(loss.rho, at: u, step: h), step: h, "\(c.name) ψ at u = \(u)")
    }
  }

  @Test("ψ′ equals the central difference of ψ", arguments: LossCase.all)
  func psiDerivativeIsTheDerivativeOfPsi(case c: LossCase) {
    let loss = c.loss
    let kinks = loss.kinks + (c.isSmoothAtZero ? [] : [0])
    for u in Self.points(avoiding: kinks) where !(kinks.contains(0) && abs(u) < 1e-3) {
      let h = Self.step(at: u)
      Self.expectDerivative(loss.psiDerivative(u), Self.derivative(loss.psi, at: u, step: h),
                            size: Self.stencilSize(loss.psi, at: u, step: h), step: h, "\(c.name) ψ′ at u = \(u)")
    }
  }

  @Test("On both sides of every kink ψ and ψ′ match one-sided-safe differences", arguments: LossCase.all)
  func derivativesAroundKinks(case c: LossCase) {
    let loss = c.loss
    let kinks = loss.kinks + (c.isSmoothAtZero ? [] : [0])
    for kink in kinks {
      for sign in [-1.0, 1.0] {
        // 1e-3 from the kink on each side; the stencil reaches only 2e-4 (h = 1e-4), so it never crosses.
        for side in [-1e-3, 1e-3, -1e-2, 1e-2] {
          let u = sign * kink + side
          let h = 1e-4
          Self.expectDerivative(loss.psi(u), Self.derivative(loss.rho, at: u, step: h),
                                size: Self.stencilSize(loss.rho, at: u, step: h), step: h,
                                "\(c.name) ψ at u = \(u) near kink \(sign * kink)")
          Self.expectDerivative(loss.psiDerivative(u), Self.derivative(loss.psi, at: u, step: h),
                                size: Self.stencilSize(loss.psi, at: u, step: h), step: h,
                                "\(c.name) ψ′ at u = \(u) near kink \(sign * kink)")
        }
      }
    }
  }

  @Test("Huber's ψ′ jumps from 1 to 0 at |u| = 1; Tukey's ψ′ reaches 0 continuously there")
  func kinkValues() {
    let huber = HuberLoss(), tukey = TukeyBiweightLoss()
    for sign in [-1.0, 1.0] {
      #expect(huber.psiDerivative(sign * (1 - 1e-12)) == 1)
      #expect(huber.psiDerivative(sign * (1 + 1e-12)) == 0)
      // ψ itself is continuous at the kink: ψ(±1) = ±1 from both sides.
      #expect(abs(huber.psi(sign * (1 - 1e-12)) - sign) < 1e-11)
      #expect(huber.psi(sign * (1 + 1e-12)) == sign)
      #expect(abs(tukey.psiDerivative(sign * (1 - 1e-9))) < 1e-8)
      #expect(tukey.psiDerivative(sign * (1 + 1e-9)) == 0)
      #expect(abs(tukey.rho(sign * (1 - 1e-9)) - 1.0 / 6) < 1e-15)
    }
    // At the kink itself ψ′ is one of the one-sided values (the header documents the left one).
    #expect([0.0, 1.0].contains(huber.psiDerivative(1)))
    #expect(tukey.psiDerivative(1) == 0)
  }

  @Test("ρ(0) = 0, ψ(0) = 0; ρ and w even, ψ odd, ψ′ even (bit for bit)", arguments: LossCase.all)
  func symmetry(case c: LossCase) {
    let loss = c.loss
    #expect(loss.rho(0) == 0)
    #expect(loss.psi(0) == 0)
    for u in Self.points(avoiding: []) + [1e-300, 1e-8, 0.999, 1.001, 1e3, 1e8, 1e100] {
      #expect(loss.rho(-u) == loss.rho(u), "\(c.name): ρ(−\(u)) ≠ ρ(\(u))")
      #expect(loss.psi(-u) == -loss.psi(u), "\(c.name): ψ(−\(u)) ≠ −ψ(\(u))")
      #expect(loss.psiDerivative(-u) == loss.psiDerivative(u), "\(c.name): ψ′ not even at \(u)")
      #expect(loss.weight(-u) == loss.weight(u), "\(c.name): w not even at \(u)")
      #expect(loss.rho(u) >= 0, "\(c.name): ρ(\(u)) < 0")
    }
  }

  @Test("w(0) = 1 and ψ′(0) = 1 for every smooth loss", arguments: LossCase.smooth)
  func unitWeightAtZero(case c: LossCase) {
    #expect(c.loss.weight(0) == 1)
    #expect(c.loss.psiDerivative(0) == 1)
    // ρ ≈ u²/2 near 0.
    let u = 1e-6
    #expect(abs(c.loss.rho(u) / (u * u / 2) - 1) < 1e-9)
  }

  @Test("w(u)·u = ψ(u) (to 2 ulps)", arguments: LossCase.all)
  func weightTimesUIsPsi(case c: LossCase) {
    let loss = c.loss
    // L1's weight is floored at 1/floor; above the floor w·u = sign(u).
    let lower = (loss as? AbsoluteLoss)?.floor ?? 0
    for u in Self.points(avoiding: []) + [1e-8, 0.999, 1.001, 1e3, 1e8] where abs(u) >= lower && u != 0 {
      let product = loss.weight(u) * u, psi = loss.psi(u)
      if psi.isInfinite {  // α = +∞ overflows beyond |u| ≈ 37.7: both sides must be the same infinity
        #expect(product == psi, "\(c.name): w(\(u))·u = \(product), ψ = \(psi)")
        continue
      }
      #expect(abs(product - psi) <= 2 * Double.ulpOfOne * abs(psi),
              "\(c.name): w(\(u))·u = \(product), ψ = \(psi)")
    }
  }

  @Test("Convexity and redescending metadata agree with ψ′ and ψ", arguments: LossCase.all)
  func metadataAgreesWithShape(case c: LossCase) {
    let loss = c.loss
    let grid = Self.points(avoiding: [], limit: 30)
    let minimumSlope = grid.map { loss.psiDerivative($0) }.min()!
    // Convex ⇔ ψ′ ≥ 0 everywhere (checked on the grid; for non-convex losses ψ′ < 0 beyond ~1.7).
    #expect(loss.isConvex == (minimumSlope >= 0), "\(c.name): isConvex \(loss.isConvex), min ψ′ \(minimumSlope)")
    // Redescending ⇔ ψ(u) → 0: ψ far out is tiny compared with its peak.
    let peak = grid.map { abs(loss.psi($0)) }.max()!
    #expect(loss.isRedescending == (abs(loss.psi(1e8)) < 1e-3 * peak), "\(c.name): isRedescending")
  }

  static let hugeResiduals: [Double] = [1e100, 1e140, 1e150, 1e154, 1e155, 1e200, 1e300, .greatestFiniteMagnitude]

  @Test("ρ, ψ and w are never NaN, even where u² overflows", arguments: LossCase.all)
  func neverNaNForHugeResiduals(case c: LossCase) {
    let loss = c.loss
    for u in Self.hugeResiduals {
      for v in [u, -u] {
        #expect(!loss.rho(v).isNaN, "\(c.name): ρ(\(v)) is NaN")
        #expect(!loss.psi(v).isNaN, "\(c.name): ψ(\(v)) is NaN")
        #expect(!loss.weight(v).isNaN, "\(c.name): w(\(v)) is NaN")
      }
    }
  }

  /// Regression test (fixed): BarronLoss.psiDerivative used to compute 0·∞ = NaN once z = u² (or
  /// z/b) overflows — (z/b + 1)^(α/2 − 2) underflows to 0 while 1 + (α − 1)·z/b is ±∞ (general α), and
  /// exp(−z/2)·(1 − z) (Welsch), (1 − z/2)/(z/2 + 1)² (Cauchy) likewise. |u| ≥ 1.35e154 for every α
  /// ≠ ±∞, 2; for α within 1e-9 of 2 already from |u| ≈ 1.3e150 (z/b overflows). The true limits are
  /// finite (0 for α < 2). Effect in a fit: the sandwich's mean ψ′ is NaN, so standard errors are
  /// dropped with the misleading message "mean of ψ′ is nan ≤ 0".
  @Test("ψ′ is never NaN, even where u² overflows",
        arguments: LossCase.all)
  func psiDerivativeNeverNaNForHugeResiduals(case c: LossCase) {
    for u in Self.hugeResiduals {
      for v in [u, -u] {
        #expect(!c.loss.psiDerivative(v).isNaN, "\(c.name): ψ′(\(v)) is NaN")
      }
    }
  }

  // MARK: Named members of the family

  /// Docs/spec.md §2's closed forms of the named losses, written independently of BarronLoss.
  static let namedClosedForms: [(Loss, Double, @Sendable (Double) -> Double, @Sendable (Double) -> Double)] = [
    (.pseudoHuber, 1, { u in u * u / ((u * u + 1).squareRoot() + 1) }, { u in 1 / (u * u + 1).squareRoot() }),
    (.cauchy, 0, { u in log1p(u * u / 2) }, { u in 1 / (u * u / 2 + 1) }),
    (.gemanMcClure, -2, { u in 2 * u * u / (u * u + 4) }, { u in 16 / ((u * u + 4) * (u * u + 4)) }),
    (.welsch, -.infinity, { u in -expm1(-u * u / 2) }, { u in exp(-u * u / 2) }),
    (.squared, 2, { u in u * u / 2 }, { _ in 1 }),
  ]

  @Test("Named losses are Barron's loss at their α and equal Docs/spec.md §2's closed forms",
        arguments: 0..<namedClosedForms.count)
  func namedLossesAreBarronMembers(index: Int) {
    let (named, alpha, rho, weight) = Self.namedClosedForms[index]
    #expect(named.barronAlpha == alpha)
    #expect(Loss.general(alpha: alpha).barronAlpha == alpha)
    let barron = BarronLoss(alpha: alpha)
    for u in Self.points(avoiding: []) + [1e-8, 3.7, 1e3, 1e8] {
      let r = rho(u), w = weight(u)
      #expect(abs(barron.rho(u) - r) <= 1e-14 * abs(r), "\(named) ρ(\(u)): \(barron.rho(u)) vs \(r)")
      #expect(abs(barron.weight(u) - w) <= 1e-14 * abs(w), "\(named) w(\(u)): \(barron.weight(u)) vs \(w)")
    }
  }

  @Test("Huber, Tukey and L1 are not Barron members; the L2/general default tunings follow Docs/spec.md §2")
  func nonBarronLosses() {
    #expect(Loss.huber.barronAlpha == nil)
    #expect(Loss.tukey.barronAlpha == nil)
    #expect(Loss.absolute.barronAlpha == nil)
    #expect(Loss.squared.tuningConstant == nil)
    #expect(Loss.absolute.tuningConstant == nil)
    #expect(Loss.general(alpha: 2).tuningConstant == nil)
    // The general loss at a named α solves to that loss's published constant (4 digits).
    let k = Loss.general(alpha: 0).tuningConstant
    #expect(k.map { abs($0 / 1.6864 - 1) < 1e-4 } == true)
  }

  @Test("Barron's loss is continuous at its special α: α ± 1e-9 is close to the closed form")
  func continuityAtSpecialAlphas() {
    for (special, neighbours) in [(0.0, [1e-9, -1e-9]), (1.0, [1 - 1e-9, 1 + 1e-9])] {
      let exact = BarronLoss(alpha: special)
      for alpha in neighbours {
        let near = BarronLoss(alpha: alpha)
        for u in [1e-8, 0.3, 1, 3, 10] {
          // ρ is smooth in α here with |∂ρ/∂α| ≲ ρ·(1 + log(1 + z)) for these u, so a 1e-9 change in α
          // moves ρ and w by at most ~1e-8 relative.
          #expect(abs(near.rho(u) - exact.rho(u)) <= 1e-8 * exact.rho(u), "α = \(alpha), u = \(u)")
          #expect(abs(near.weight(u) - exact.weight(u)) <= 1e-8 * exact.weight(u), "α = \(alpha), u = \(u)")
        }
      }
    }
    // At α = 2 the family is continuous but not differentiable in α: with b = |α − 2| → 0,
    // w = (1 + z/b)^(−b/2)·… = 1 − (b/2)·log(1 + z/b) + …  and  ρ = z/2 − (z·b/4)·log(z/b) + …,
    // so the distance to the closed form is b·log(1/b)-sized (≈ 1e-8 for b = 1e-9), not b-sized.
    let squared = BarronLoss(alpha: 2)
    for alpha in [2 - 1e-9, 2 + 1e-9] {
      let near = BarronLoss(alpha: alpha), b = abs(alpha - 2)
      for u in [1e-8, 0.3, 1, 3, 10] {
        let z = u * u, log = log1p(z / b)
        #expect(abs(near.weight(u) - 1) <= b * log, "α = \(alpha), u = \(u)")
        #expect(abs(near.rho(u) - squared.rho(u)) <= z * b * (1 + log) / 2, "α = \(alpha), u = \(u)")
        // and the leading term is really there (the special case was not silently used for α ≠ 2):
        #expect(near.weight(u) != 1 || u < 1e-4, "α = \(alpha), u = \(u)")
      }
    }
    // α → −∞ tends to Welsch: (1 + z/|α|)^(α/2) = exp(−z/2)·(1 + O(z²/|α|)).
    let welsch = BarronLoss(alpha: -.infinity), far = BarronLoss(alpha: -1e12)
    for u in [0.3, 1, 3] {
      #expect(abs(far.rho(u) - welsch.rho(u)) <= 1e-10 * welsch.rho(u))
    }
  }

  @Test("Loss(name:) round-trips every named loss, and the names are Docs/spec.md §2's")
  func namesRoundTrip() {
    #expect(Loss.named.map(\.name) == ["l2", "l1", "huber", "pseudo-huber", "cauchy", "geman-mcclure", "welsch", "tukey"])
    for loss in Loss.named {
      #expect(Loss(name: loss.name) == loss, "\(loss.name)")
      #expect(Loss(name: loss.name.uppercased()) == loss, "\(loss.name) in upper case")
    }
    #expect(Loss(name: "general", alpha: 0.5) == .general(alpha: 0.5))
    #expect(Loss(name: "general", alpha: -.infinity) == .general(alpha: -.infinity))
    #expect(Loss(name: "general") == nil)
    #expect(Loss(name: "general", alpha: .nan) == nil)
    #expect(Loss(name: "no-such-loss") == nil)
    #expect(Loss.general(alpha: 0.5).name == "general")
  }
}
