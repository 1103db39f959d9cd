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

  @Test("The subsample's scan grid: every other point of the full grid, its last point and α = 2 kept")
  func coarseGrid() {
    #expect(AdaptiveFitter.scanGrid(0...2, coarse: true) == [0, 0.5, 1, 1.5, 2])
    #expect(AdaptiveFitter.scanGrid(0...2, coarse: false) == AdaptiveFitter.scanGrid(0...2))
    #expect(AdaptiveFitter.scanGrid(1...3, coarse: true) == [1, 1.5, 2, 2.5, 3])
    let wide = AdaptiveFitter.scanGrid(0...100, coarse: true)
    #expect(wide.contains(2) && wide.last == 100 && wide.first == 0)
  }

  /// A fixture repeated k times has the same optimum (β, α, c) with k times the NLL. Repeated past
  /// max(2000, 50p) rows it takes the subsample path (the coarse scan on the keyed sample, the untested
  /// (α, c) steps), while the fixture itself is scanned on all its rows with the full grid: both must end
  /// at the same optimum (seventy_thirty's profile has two basins, at α ≈ 0.03 and α = 2).
  ///
  /// Exact copies: the keyed sample (``FitProblem/likelihoodSample(rows:)``) takes distinct rows, each
  /// weighted by its count, so it is the fixture itself with weights k (a sample of rows took about
  /// 2000/k distinct rows: 65 of seventy_thirty's 100 at k = 31, from which the scan picked the α = 2
  /// basin, 77.7 above the optimum). Perturbed copies (copy j's y moved by j·1e-12 relative, which moves
  /// the optimum by far less than the bounds below) are all distinct: a sample of 2000 distinct rows.
  @Test("A fixture repeated past the scan's rows, exactly or perturbed: the same optimum as the fixture's own fit",
        arguments: ["seventy_thirty", "heavy_tailed", "multi_outliers"], [true, false])
  func repeatedFixture(_ name: String, exact: Bool) throws {
    let (design, y) = try Fixtures.regressionData(name + ".csv")
    let k = 3000 / design.rows + 1
    let p = design.columns
    let predictors = (1..<p).map { j in
      let column = Array(design.values[(j * design.rows)..<((j + 1) * design.rows)])
      return Array([[Double]](repeating: column, count: k).joined())
    }
    let repeated = try DesignMatrix(predictors: predictors, names: Array(design.names.dropFirst()))
    let yRepeated = (0..<k).flatMap { j in y.map { exact ? $0 : $0 + Double(j) * 1e-12 * max(1, abs($0)) } }
    let own = try Regression(loss: .adaptive).fit(design, response: y)
    let fit = try Regression(loss: .adaptive).fit(repeated, response: yRepeated)
    let alpha = try #require(fit.shape.alpha), ownAlpha = try #require(own.shape.alpha)
    #expect(abs(alpha - ownAlpha) <= 1e-3, "α \(alpha) vs \(ownAlpha)")
    #expect(abs(fit.objective.value - Double(k) * own.objective.value) <= 1e-7 * abs(fit.objective.value))
    let se = try #require(own.standardErrors)
    for j in se.indices { #expect(abs(fit.estimates[j] - own.estimates[j]) <= 0.01 * se[j]) }
  }
}
