import Foundation
import Testing
@testable import RobustRegression

/// Student's t p-values and quantiles against closed forms (ν = 1, 2), a printed t-table value, the
/// normal limit and identities of the regularised incomplete beta function.
@Suite("Student's t distribution")
struct StudentTTests {
  static let tValues: [Double] = [0, 1e-8, 0.1, 0.5, 1, 1.5, 2, 2.086, 3, 5, 10, 30, 100, 1e3, 1e5]

  static func relativeError(_ a: Double, _ b: Double) -> Double { a == b ? 0 : abs(a - b) / abs(b) }

  /// The p-value is I_x(ν/2, ½) with x = ν/(ν + t²) rounded to a double: for small |t| the rounding of
  /// x (absolute ε) is all there is of 1 − x = t²/(ν + t²), so 1 − p, which grows like |t|/√ν, carries
  /// an absolute error of about ε·√ν/|t| (≈ 6e-9 at t = 1e-8, where p comes out as exactly 1). This is
  /// irrelevant for a p-value near 1 and allowed here; otherwise p must be right to 1e-12 relative.
  static func pTolerance(_ t: Double, nu: Double, exact: Double) -> Double {
    1e-12 * exact + (t == 0 ? 0 : 4 * Double.ulpOfOne * nu.squareRoot() / abs(t))
  }

  @Test("ν = 1 (Cauchy): p = 1 − 2·atan(|t|)/π = 2·atan(1/|t|)/π")
  func cauchyClosedForm() {
    for t in Self.tValues {
      // The second form has no cancellation for large |t|.
      let exact = t == 0 ? 1 : 2 * atan(1 / abs(t)) / Double.pi
      for v in [t, -t] {
        let p = StudentT.twoSidedPValue(v, degreesOfFreedom: 1)
        #expect(abs(p - exact) <= Self.pTolerance(t, nu: 1, exact: exact), "t = \(v): \(p) vs \(exact)")
      }
      if t < 1e3 { #expect(abs(exact - (1 - 2 * atan(abs(t)) / Double.pi)) <= 1e-15) }
    }
  }

  @Test("ν = 2: p = 1 − |t|/√(2 + t²) = 2/(√(2 + t²)·(√(2 + t²) + |t|))")
  func twoDegreesClosedForm() {
    for t in Self.tValues {
      let s = (2 + t * t).squareRoot()
      let exact = 2 / (s * (s + abs(t)))
      for v in [t, -t] {
        let p = StudentT.twoSidedPValue(v, degreesOfFreedom: 2)
        #expect(abs(p - exact) <= Self.pTolerance(t, nu: 2, exact: exact), "t = \(v): \(p) vs \(exact)")
      }
    }
  }

  @Test("The printed t-table: t(0.975, 20) = 2.086, t(0.975, 10) = 2.228, t(0.995, 5) = 4.032")
  func tTable() {
    #expect(abs(StudentT.twoSidedPValue(2.086, degreesOfFreedom: 20) - 0.05) < 1e-4)
    #expect(abs(StudentT.twoSidedPValue(2.228, degreesOfFreedom: 10) - 0.05) < 1e-4)
    #expect(abs(StudentT.twoSidedPValue(4.032, degreesOfFreedom: 5) - 0.01) < 1e-4)
    #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 20) - 2.086) < 5e-4)
    #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 10) - 2.228) < 5e-4)
    #expect(abs(StudentT.quantile(0.995, degreesOfFreedom: 5) - 4.032) < 5e-4)
  }

  @Test("Large ν tends to the normal: p(t; ν) − erfc(|t|/√2) ≈ (t³ + t)·φ(t)/(2ν)")
  func normalLimit() {
    for nu in [1e4, 1e6] {
      for t in [0.5, 1, 1.96, 3] {
        let p = StudentT.twoSidedPValue(t, degreesOfFreedom: nu)
        let normal = erfc(t / 2.0.squareRoot())
        // The first term of the Cornish–Fisher/Edgeworth expansion of the t tail in 1/ν.
        let phi = exp(-t * t / 2) / (2 * Double.pi).squareRoot()
        let firstOrder = (t * t * t + t) * phi / (2 * nu)
        #expect(abs((p - normal) - firstOrder) <= 0.01 * firstOrder, "t = \(t), ν = \(nu): \(p - normal) vs \(firstOrder)")
      }
    }
  }

  @Test("Quantiles: closed forms for ν = 1, 2 and cdf(quantile(q)) = q")
  func quantiles() {
    for q in [0.0001, 0.01, 0.2, 0.5, 0.6, 0.975, 0.999] {
      let cauchy = tan(Double.pi * (q - 0.5))
      #expect(abs(StudentT.quantile(q, degreesOfFreedom: 1) - cauchy) <= 1e-12 * max(1, abs(cauchy)), "q = \(q)")
      let two = (2 * q - 1) / (2 * q * (1 - q)).squareRoot()
      #expect(abs(StudentT.quantile(q, degreesOfFreedom: 2) - two) <= 1e-12 * max(1, abs(two)), "q = \(q)")
      for nu in [3.0, 7.5, 30, 1000] {
        let t = StudentT.quantile(q, degreesOfFreedom: nu)
        #expect(abs(StudentT.cdf(t, degreesOfFreedom: nu) - q) <= 1e-12, "q = \(q), ν = \(nu)")
      }
    }
  }

  @Test("The CDF is monotone and symmetric: F(−t) = 1 − F(t)")
  func cdfShape() {
    for nu in [1.0, 4, 19] {
      var previous = 0.0
      for t in stride(from: -20.0, through: 20, by: 0.25) {
        let f = StudentT.cdf(t, degreesOfFreedom: nu)
        #expect(f >= previous)
        previous = f
        #expect(abs(StudentT.cdf(-t, degreesOfFreedom: nu) - (1 - f)) <= 1e-14)
      }
    }
    #expect(StudentT.twoSidedPValue(.infinity, degreesOfFreedom: 5) == 0)
    #expect(StudentT.twoSidedPValue(0, degreesOfFreedom: 5) == 1)
  }

  @Test("Incomplete beta identities: I_x(a,1) = xᵃ, I_x(1,b) = 1 − (1−x)ᵇ, I_½(a,a) = ½, symmetry")
  func incompleteBeta() {
    for x in [1e-6, 0.1, 0.3, 0.5, 0.77, 0.999] {
      for a in [0.5, 1, 2.5, 10, 40] {
        let ia1 = StudentT.regularizedIncompleteBeta(x, a: a, b: 1)
        #expect(Self.relativeError(ia1, pow(x, a)) <= 1e-12, "I_\(x)(\(a), 1)")
        let i1b = StudentT.regularizedIncompleteBeta(x, a: 1, b: a)
        let exact = -expm1(a * log1p(-x))
        #expect(Self.relativeError(i1b, exact) <= 1e-12, "I_\(x)(1, \(a))")
        for b in [0.5, 3, 17] {
          let sum = StudentT.regularizedIncompleteBeta(x, a: a, b: b)
            + StudentT.regularizedIncompleteBeta(1 - x, a: b, b: a)
          #expect(abs(sum - 1) <= 1e-13, "I_x(a,b) + I_{1−x}(b,a) at x = \(x), a = \(a), b = \(b)")
        }
      }
    }
    // The prefactor exp(logΓ(2a) − 2·logΓ(a) + …) loses about ε·logΓ(2a) (≈ 1e-12 at a = 400).
    for a in [0.5, 1, 3, 50, 400] {
      let tolerance = 1e-14 + 4 * Double.ulpOfOne * lgamma(2 * a)
      #expect(abs(StudentT.regularizedIncompleteBeta(0.5, a: a, b: a) - 0.5) <= tolerance, "a = \(a)")
    }
  }
}
