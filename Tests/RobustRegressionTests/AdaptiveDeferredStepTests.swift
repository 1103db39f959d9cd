import Foundation
import Testing
@testable import RobustRegression

/// Above max(2000, 50p) rows the adaptive descent takes its (α, c) Newton step untested and lets the
/// next fused pass test it (``AdaptiveFitter``'s `defersShapeTest`): the NLL still never increases, the
/// returned NLL is that of the returned point (whose pass the summary reuses), and the fit is the
/// optimum a fit to a far tighter tolerance finds.
@Suite("The adaptive descent with the untested (α, c) step, above the scan's rows")
struct AdaptiveDeferredStepTests {
  static let cases = ["barron 0", "barron 1", "barron 1.9", "line outliers"]

  static func data(_ name: String) throws -> (DesignMatrix, [Double]) {
    if name.hasPrefix("barron ") {
      return try AdaptiveRecoveryTests.data(alpha: Double(name.dropFirst(7))!, seed: 91, n: 6000)
    }
    return try AdaptiveFitTests.line(n: 6000, outlierFraction: 0.2, seed: 13)
  }

  @Test("NLL never increases, the returned NLL is the returned point's, β within 1 % of a standard error of the tight optimum",
        arguments: cases)
  func deferredStep(_ name: String) throws {
    let (design, y) = try Self.data(name)
    let fit = try Regression(loss: .adaptive, recordsHistory: true).fit(design, response: y)
    #expect(fit.converged)
    let objectives = fit.history.map(\.objective)
    #expect(objectives.count == fit.iterations && objectives.count >= 2)
    for (a, b) in zip(objectives, objectives.dropFirst()) {
      #expect(b <= a + 1e-12 * max(1, abs(a)), "NLL rose from \(a) to \(b)")
    }
    let alpha = try #require(fit.shape.alpha)
    let again = BarronDistribution.negativeLogLikelihood(residuals: fit.residuals, alpha: alpha, scale: fit.lossScale)
    #expect(abs(fit.objective.value - again) <= 1e-12 * abs(again))
    let tight = try Regression(loss: .adaptive, tolerance: 1e-15, maxIterations: 2000).fit(design, response: y)
    let se = try #require(fit.standardErrors)
    for j in se.indices {
      #expect(abs(fit.estimates[j] - tight.estimates[j]) <= 0.01 * se[j],
              "β\(j): \(fit.estimates[j]) vs \(tight.estimates[j]), se \(se[j])")
    }
    #expect(abs(alpha - tight.shape.alpha!) <= 1e-3)
    #expect(abs(fit.lossScale - tight.lossScale) <= 1e-5 * tight.lossScale)
    #expect(fit.objective.value <= tight.objective.value + 1e-8 * abs(tight.objective.value))
  }
}
