import Foundation
import Testing
@testable import RobustRegression

/// Predictions with intervals (issue 15, item 7): least squares against statsmodels' OLS `get_prediction`
/// (Scripts/ols_prediction_reference.py, Fixtures/reference/ols_prediction.json), with and without case
/// weights; robust fits use σ̂ for a new observation's error.
@Suite("Predictions: confidence and prediction intervals")
struct PredictionTests {
  struct Reference: Decodable {
    struct Row: Decodable {
      let fitted: Double, se: Double
      let mean_ci: [Double], obs_ci: [Double]
    }
    let new_rows: [[Double]]
    let weights: [Double]
    let ols: [Row]
    let repeated_ols: [Row]
  }

  static func reference() throws -> Reference {
    let data = try Data(contentsOf: Fixtures.url("reference/ols_prediction.json"))
    return try JSONDecoder().decode(Reference.self, from: data)
  }

  static func check(_ got: [Prediction], _ expected: [Reference.Row], _ label: String) throws {
    for (g, e) in zip(got, expected) {
      func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
      #expect(close(g.fitted, e.fitted), "\(label): fitted \(g.fitted) vs \(e.fitted)")
      #expect(close(try #require(g.standardError), e.se), "\(label): se")
      let ci = try #require(g.confidenceInterval), pi = try #require(g.predictionInterval)
      #expect(close(ci.lowerBound, e.mean_ci[0]) && close(ci.upperBound, e.mean_ci[1]), "\(label): mean CI \(ci) vs \(e.mean_ci)")
      #expect(close(pi.lowerBound, e.obs_ci[0]) && close(pi.upperBound, e.obs_ci[1]), "\(label): PI \(pi) vs \(e.obs_ci)")
    }
  }

  @Test("l2 equals statsmodels' OLS get_prediction (mean_ci and obs_ci at 95 %), also with frequency weights")
  func leastSquares() throws {
    let reference = try Self.reference()
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let newRows = (1..<4).map { j in reference.new_rows.map { $0[j] } }
    let fit = try Regression(loss: .squared).fit(design, response: y)
    try Self.check(try fit.predictions(predictors: newRows), reference.ols, "ols")
    let weighted = try Regression(loss: .squared).fit(design, response: y, weights: reference.weights)
    try Self.check(try weighted.predictions(predictors: newRows), reference.repeated_ols, "weighted")
  }

  @Test("robust fits: the prediction interval uses σ̂; levels widen the intervals; bad input is a typed error")
  func robust() throws {
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let fit = try Regression(loss: .huber).fit(design, response: y)
    #expect(fit.predictionErrorScale == fit.residualScale)
    let rows = [[60.0], [20.0], [85.0]]
    let p95 = try #require(try fit.predictions(predictors: rows).first)
    let p99 = try #require(try fit.predictions(predictors: rows, level: 0.99).first)
    #expect(p95.fitted == p99.fitted)
    let t = StudentT.quantile(0.975, degreesOfFreedom: Double(fit.covariance!.degreesOfFreedom))
    let se = try #require(p95.standardError)
    let expected = t * (fit.residualScale * fit.residualScale + se * se).squareRoot()
    #expect(abs((p95.predictionInterval!.upperBound - p95.fitted) - expected) <= 1e-12 * expected)
    #expect(p99.confidenceInterval!.lowerBound < p95.confidenceInterval!.lowerBound)
    #expect(throws: RegressionError.invalidArgument(.confidenceLevel(1))) { try fit.predictions(predictors: rows, level: 1) }
    #expect(throws: RegressionError.self) { try fit.predictions(predictors: [[1.0]]) }
  }

  @Test("a FittedModel survives JSON and predicts the same numbers")
  func archive() throws {
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let fit = try Regression(loss: .huber).fit(design, response: y)
    let data = try JSONEncoder().encode(fit.model)
    let model = try JSONDecoder().decode(FittedModel.self, from: data)
    #expect(model == fit.model)
    let rows = [[60.0, 70], [20.0, 25], [85.0, 90]]
    #expect(try model.predictions(predictors: rows) == fit.predictions(predictors: rows))
  }
}
