import Foundation
import Testing
@testable import RobustRegression

/// Case weights are frequency weights: integer weights give the fit of the data with each row repeated
/// that many times (issue 15, item 1), for every estimator; weight 0 drops a row.
@Suite("Case weights equal row repetition")
struct CaseWeightTests {
  /// A line with outliers (stackloss-sized), integer weights 0…3, and the same data with each row
  /// repeated by its weight.
  struct Case {
    let design: DesignMatrix
    let y: [Double]
    let weights: [Double]
    let repeatedDesign: DesignMatrix
    let repeatedY: [Double]
  }

  static func data(rows n: Int = 40, seed: UInt64 = 7) throws -> Case {
    var generator = SplitMix64(seed: seed)
    func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
    let x = (0..<n).map { _ in 10 * uniform() }
    var y = x.map { 1 + 0.8 * $0 + (uniform() - 0.5) }
    for i in stride(from: 3, to: n, by: 7) { y[i] += 8 + 4 * uniform() }
    let weights = (0..<n).map { i in Double([1, 2, 3, 0, 1, 2][i % 6]) }
    var rx: [Double] = [], ry: [Double] = []
    for i in 0..<n {
      for _ in 0..<Int(weights[i]) {
        rx.append(x[i])
        ry.append(y[i])
      }
    }
    return Case(design: try DesignMatrix(predictors: [x], names: ["x"]), y: y, weights: weights,
                repeatedDesign: try DesignMatrix(predictors: [rx], names: ["x"]), repeatedY: ry)
  }

  /// The weighted fit and the fit of the repeated rows agree in coefficients, scales, objective and
  /// standard errors to `tolerance` (relative).
  static func expectSame(_ a: RegressionFit, _ b: RegressionFit, tolerance: Double, _ label: String) {
    func close(_ u: Double, _ v: Double) -> Bool { abs(u - v) <= tolerance * max(1, abs(v)) }
    for j in a.estimates.indices {
      #expect(close(a.estimates[j], b.estimates[j]), "\(label): β\(j) \(a.estimates[j]) vs repeated \(b.estimates[j])")
    }
    #expect(close(a.lossScale, b.lossScale), "\(label): c \(a.lossScale) vs \(b.lossScale)")
    #expect(close(a.residualScale, b.residualScale), "\(label): σ̂ \(a.residualScale) vs \(b.residualScale)")
    #expect(close(a.objective.value, b.objective.value), "\(label): objective \(a.objective.value) vs \(b.objective.value)")
    #expect(a.covariance?.degreesOfFreedom == b.covariance?.degreesOfFreedom, "\(label): df")
    #expect(a.residualDegreesOfFreedom == b.residualDegreesOfFreedom, "\(label): residual df")
    #expect(a.totalWeight == Double(b.observationCount), "\(label): Σw \(a.totalWeight) vs repeated n \(b.observationCount)")
    if let df = a.covariance?.degreesOfFreedom {
      #expect(a.residualDegreesOfFreedom == df, "\(label): the fit's residual df is the covariance's")
    }
    if let sa = a.standardErrors, let sb = b.standardErrors {
      for j in sa.indices { #expect(close(sa[j], sb[j]), "\(label): se\(j) \(sa[j]) vs \(sb[j])") }
    } else {
      #expect(a.standardErrors == nil && b.standardErrors == nil, "\(label): standard errors on one side only")
    }
  }

  @Test("M-estimators: l2, Huber (σ̂ updated, held, and c fixed), pseudo-Huber, Cauchy at a fixed c",
        arguments: [
          ("l2", Regression(loss: .squared)),
          ("huber", Regression(loss: .huber)),
          ("huber, σ̂ held", Regression(loss: .huber, scale: .madOfStart)),
          ("huber, c = 0.7", Regression(loss: .huber, scale: .fixed(0.7))),
          ("pseudo-huber", Regression(loss: .pseudoHuber)),
          ("cauchy, c = 0.5", Regression(loss: .cauchy, scale: .fixed(0.5), start: .ordinaryLeastSquares)),
        ])
  func mEstimators(label: String, regression: Regression) throws {
    let c = try Self.data()
    let weighted = try regression.fit(c.design, response: c.y, weights: c.weights)
    let repeated = try regression.fit(c.repeatedDesign, response: c.repeatedY)
    Self.expectSame(weighted, repeated, tolerance: 1e-9, label)
    #expect(weighted.caseWeights == c.weights && weighted.residuals.count == c.y.count)
    // The weights matter: the unweighted fit is another one.
    let unweighted = try regression.fit(c.design, response: c.y)
    #expect(abs(unweighted.estimates[1] - weighted.estimates[1]) > 1e-6, "\(label): the weights changed nothing")
  }

  @Test("L1 (exact): the weighted objective equals the repeated data's optimum, and the standard errors agree")
  func absolute() throws {
    let c = try Self.data()
    let weighted = try Regression(loss: .absolute).fit(c.design, response: c.y, weights: c.weights)
    let repeated = try Regression(loss: .absolute).fit(c.repeatedDesign, response: c.repeatedY)
    #expect(weighted.converged && repeated.converged)
    // The LP optimum's value is unique (the line may not be): equal objectives.
    #expect(abs(weighted.objective.value - repeated.objective.value) <= 1e-10 * repeated.objective.value)
    let sum = zip(weighted.residuals, c.weights).reduce(0) { $0 + $1.1 * abs($1.0) }
    #expect(abs(sum - weighted.objective.value) <= 1e-12 * sum)
    Self.expectSame(weighted, repeated, tolerance: 1e-8, "l1")
    // Fractional weights: an optimum of Σw|r| (no vertex does better), standard errors not given.
    let fractional = c.weights.map { $0 * 0.37 + 0.01 }
    let fit = try Regression(loss: .absolute).fit(c.design, response: c.y, weights: fractional)
    #expect(fit.converged && fit.standardErrors == nil)
    #expect(fit.warnings.contains(.standardErrorsUnavailable(.sparsityNeedsWholeWeights)))
    let x = (0..<c.design.rows).map { c.design[$0, 1] }
    var best = Double.infinity
    for i in 0..<x.count { for j in (i + 1)..<x.count where x[i] != x[j] {
      let slope = (c.y[j] - c.y[i]) / (x[j] - x[i]), intercept = c.y[i] - slope * x[i]
      best = min(best, (0..<x.count).reduce(0) { $0 + fractional[$1] * abs(c.y[$1] - intercept - slope * x[$1]) })
    } }
    #expect(fit.objective.value <= best * (1 + 1e-12), "Σw|r| \(fit.objective.value) vs best vertex \(best)")
  }

  @Test("the adaptive fit (likelihood): NLL, α, c, β and the observed-information standard errors equal row repetition")
  func adaptiveLikelihood() throws {
    let c = try Self.data(rows: 60, seed: 11)
    // The same start for both (the S-estimate's random subsets differ between 60 weighted and ~90
    // repeated rows): the Huber start.
    let regression = Regression(loss: .adaptive, start: .huber)
    let weighted = try regression.fit(c.design, response: c.y, weights: c.weights)
    let repeated = try regression.fit(c.repeatedDesign, response: c.repeatedY)
    Self.expectSame(weighted, repeated, tolerance: 1e-6, "adaptive")
    #expect(abs(weighted.shape.alpha! - repeated.shape.alpha!) <= 1e-6)
    let wi = try #require(weighted.shapeSelection?.alphaInterval), ri = try #require(repeated.shapeSelection?.alphaInterval)
    #expect(abs(wi.lower - ri.lower) <= 1e-4 && abs(wi.upper - ri.upper) <= 1e-4)
  }

  @Test("the S-scale at a given β and the MM step from a given S-estimate are those of the repeated rows")
  func highBreakdown() throws {
    let c = try Self.data(rows: 60, seed: 5)
    // The weighted M-scale of the residuals equals the repeated one (the S-equation with n − p = Σw − p).
    let beta = [1.0, 0.8]
    let r = (0..<c.y.count).map { c.y[$0] - beta[0] - beta[1] * c.design[$0, 1] }
    let rr = (0..<c.repeatedY.count).map { c.repeatedY[$0] - beta[0] - beta[1] * c.repeatedDesign[$0, 1] }
    let total = c.weights.reduce(0, +)
    let weighted = r.withUnsafeBufferPointer { rb in c.weights.withUnsafeBufferPointer {
      MScale.solve(rb, degreesOfFreedom: total - 2, initial: 1, weights: $0).scale } }
    let repeated = rr.withUnsafeBufferPointer { MScale.solve($0, degreesOfFreedom: Double(rr.count) - 2, initial: 1).scale }
    #expect(abs(weighted - repeated) <= 1e-9 * repeated, "S-scale \(weighted) vs \(repeated)")
    // S and MM: both find the majority line; their scales and coefficients agree closely, the random
    // subsets being different draws.
    for loss in [Loss.s, .mm] {
      let a = try Regression(loss: loss).fit(c.design, response: c.y, weights: c.weights)
      let b = try Regression(loss: loss).fit(c.repeatedDesign, response: c.repeatedY)
      Self.expectSame(a, b, tolerance: loss == .mm ? 1e-6 : 1e-3, loss.name)
    }
  }

  @Test("the variance criterion: α, c and τ̂ follow the weights (a given start)")
  func adaptiveVariance() throws {
    let c = try Self.data(rows: 60, seed: 13)
    let regression = Regression(loss: .adaptive(criterion: .variance), start: .huber)
    let weighted = try regression.fit(c.design, response: c.y, weights: c.weights)
    let repeated = try regression.fit(c.repeatedDesign, response: c.repeatedY)
    Self.expectSame(weighted, repeated, tolerance: 1e-6, "adaptive (variance)")
  }

  @Test("weighted median: integer weights equal the median of the repeated values; weight 0 drops a value")
  func weightedMedian() {
    let values = [5.0, 1, 3, 9, 7, 2], weights = [1.0, 2, 0, 3, 1, 1]
    var repeated: [Double] = []
    for (v, w) in zip(values, weights) { repeated += Array(repeating: v, count: Int(w)) }
    let expected = repeated.withUnsafeMutableBufferPointer { Selection.median(reordering: $0) }
    let got = values.withUnsafeBufferPointer { v in weights.withUnsafeBufferPointer { Selection.weightedMedian(values: v, weights: $0) } }
    #expect(got == expected)
    // An even total that splits between two values: their midpoint.
    let even = [1.0, 4].withUnsafeBufferPointer { v in [2.0, 2].withUnsafeBufferPointer { Selection.weightedMedian(values: v, weights: $0) } }
    #expect(even == 2.5)
  }

  @Test("bad weights are typed errors: count, negative, NaN, ∞, too few positive")
  func badWeights() throws {
    let c = try Self.data(rows: 10)
    func error(_ weights: [Double]) -> RegressionError? {
      do { _ = try Regression(loss: .huber).fit(c.design, response: c.y, weights: weights); return nil } catch { return error }
    }
    #expect(error(Array(repeating: 1, count: 9)) == .weightCount(count: 9, rows: 10))
    var w = Array(repeating: 1.0, count: 10)
    w[4] = -1
    #expect(error(w) == .invalidWeight(row: 4, value: -1))
    w[4] = .infinity
    #expect(error(w) == .invalidWeight(row: 4, value: .infinity))
    w[4] = .nan
    if case .invalidWeight(4, let v)? = error(w) { #expect(v.isNaN) } else { Issue.record("NaN weight not reported") }
    let twoRows = [1.0, 1] + Array(repeating: 0, count: 8)
    #expect(error(twoRows) == .tooFewWeightedObservations(positive: 2, total: 2, p: 2))
  }
}
