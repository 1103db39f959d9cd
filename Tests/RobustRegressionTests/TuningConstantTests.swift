import Foundation
import Testing
@testable import RobustRegression

@Suite("Tuning constants reproduce the 95 % efficiency values")
struct TuningConstantTests {
  @Test("Gauss–Legendre integrates polynomials of degree 39 exactly")
  func gaussLegendreIsExactForPolynomials() {
    let rule = GaussLegendre.standard
    #expect(abs(rule.weights.reduce(0, +) - 2) < 1e-14)
    // ∫_{-1}^{1} x^38 dx = 2/39.
    let value = rule.integrate(-1, 1) { x in pow(x, 38) }
    #expect(abs(value - 2.0 / 39) < 1e-15)
  }

  @Test("A Gaussian expectation of 1 and of z² is 1")
  func gaussianMoments() {
    #expect(abs(gaussianExpectationOfEven { _ in 1 } - 1) < 1e-14)
    #expect(abs(gaussianExpectationOfEven { z in z * z } - 1) < 1e-14)
    #expect(abs(gaussianExpectationOfEven { z in z * z * z * z } - 3) < 1e-13)
  }

  static let textbook: [(String, any RobustLoss, Double)] = [
    ("huber", HuberLoss(), 1.345),
    ("tukey", TukeyBiweightLoss(), 4.685),
    ("pseudo-huber", BarronLoss(alpha: 1), 1.2871),
    ("cauchy", BarronLoss(alpha: 0), 1.6864),
    ("geman-mcclure", BarronLoss(alpha: -2), 1.8937),
    ("welsch", BarronLoss(alpha: -.infinity), 2.1105),
    ("alpha 0.5", BarronLoss(alpha: 0.5), 1.5517),
    ("alpha -1", BarronLoss(alpha: -1), 1.8238),
  ]

  @Test("k(α) reproduces Docs/spec.md §2 to 4 digits", arguments: 0..<textbook.count)
  func reproducesPublishedConstants(index: Int) throws {
    let (_, loss, expected) = Self.textbook[index]
    let solved = TuningConstant.efficient(for: loss)
    let k = try #require(solved)
    // The published values carry 4 significant digits.
    #expect(abs(k / expected - 1) < 1e-4, "k = \(k), published \(expected)")
  }

  @Test("The squared loss has no 95 % constant")
  func squaredLossHasNone() {
    #expect(TuningConstant.efficient(for: BarronLoss(alpha: 2)) == nil)
  }

  @Test("A general α without a 95 % constant fits with k = 1 and says so; a given k, or an α with one, does not")
  func fitWarnsWithoutEfficientTuning() throws {
    let (design, y) = try Fixtures.regressionData("line_outliers.csv")
    let warning = FitWarning.noEfficientTuningConstant(alpha: 1.8)
    let fit = try Regression(loss: .general(alpha: 1.8)).fit(design, response: y)
    #expect(fit.warnings.contains(warning))
    #expect(abs(fit.lossScale / fit.residualScale - 1) < 1e-9)  // k = 1: c = σ̂ at the returned coefficients
    let tuned = try Regression(loss: Loss.general(alpha: 1.8).withTuningConstant(1.5)).fit(design, response: y)
    #expect(!tuned.warnings.contains(warning))
    let efficient = try Regression(loss: .general(alpha: 0.5)).fit(design, response: y)
    #expect(!efficient.warnings.contains { if case .noEfficientTuningConstant = $0 { true } else { false } })
  }
}
