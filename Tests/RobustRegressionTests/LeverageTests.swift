import Foundation
import Testing
@testable import RobustRegression

/// `RegressionFit.leverage(_:)`: hᵢ = wᵢ·xᵢᵀ(XᵀWX)⁻¹xᵢ, checked against the hat matrix computed in the test
/// by plain Gauss–Jordan inversion.
@Suite("Leverage of the weighted fit")
struct LeverageTests {
  /// (XᵀWX)⁻¹ by Gauss–Jordan with partial pivoting, row-major p × p; `weights` nil means W = I.
  static func inverseGram(_ design: DesignMatrix, weights: [Double]?) -> [[Double]] {
    let n = design.rows, p = design.columns
    var a = [[Double]](repeating: [Double](repeating: 0, count: 2 * p), count: p)
    for j in 0..<p {
      for k in 0..<p {
        var s = 0.0
        for i in 0..<n { s += (weights?[i] ?? 1) * design[i, j] * design[i, k] }
        a[j][k] = s
      }
      a[j][p + j] = 1
    }
    for col in 0..<p {
      let pivot = (col..<p).max { abs(a[$0][col]) < abs(a[$1][col]) }!
      a.swapAt(col, pivot)
      let d = a[col][col]
      for k in 0..<(2 * p) { a[col][k] /= d }
      for r in 0..<p where r != col {
        let f = a[r][col]
        for k in 0..<(2 * p) { a[r][k] -= f * a[col][k] }
      }
    }
    return a.map { Array($0[p...]) }
  }

  /// The direct hᵢ = wᵢ·xᵢᵀ(XᵀWX)⁻¹xᵢ.
  static func directHat(_ design: DesignMatrix, weights: [Double]?) -> [Double] {
    let inverse = inverseGram(design, weights: weights)
    let p = design.columns
    return (0..<design.rows).map { i in
      var s = 0.0
      for j in 0..<p { for k in 0..<p { s += design[i, j] * inverse[j][k] * design[i, k] } }
      return (weights?[i] ?? 1) * s
    }
  }

  @Test("l2 on stackloss: the closed-form hat values diag(X(XᵀX)⁻¹Xᵀ), summing to p")
  func leastSquaresHatMatrix() throws {
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let fit = try Regression(loss: .squared).fit(design, response: y)
    let h = try fit.leverage(design)
    let expected = Self.directHat(design, weights: nil)
    #expect(h.count == 21)
    for (a, b) in zip(h, expected) { #expect(abs(a - b) <= 1e-12, "\(a) vs \(b)") }
    #expect(abs(h.reduce(0, +) - 4) <= 1e-12)
    #expect(h.allSatisfy { $0 > 0 && $0 < 1 })
    // R 4.2.2: print(hatvalues(lm(stack.loss ~ ., stackloss))[c(1, 17, 21)], digits = 10)
    #expect(abs(h[0] - 0.3015554689) < 1e-9 && abs(h[16] - 0.4121234979) < 1e-9 && abs(h[20] - 0.2845334627) < 1e-9)
  }

  @Test("Huber fit with outliers: equal to wᵢ·xᵢᵀ(XᵀWX)⁻¹xᵢ with the fit's final weights")
  func weightedFitMatchesDirectComputation() throws {
    let (design, y) = try Fixtures.regressionData("line_outliers.csv")
    let fit = try Regression(loss: .huber).fit(design, response: y)
    #expect(fit.weights.contains { $0 < 0.5 }, "the fixture has downweighted rows")
    let h = try fit.leverage(design)
    let expected = Self.directHat(design, weights: fit.weights)
    for (a, b) in zip(h, expected) { #expect(abs(a - b) <= 1e-12, "\(a) vs \(b)") }
    // The trace of the weighted hat matrix is still p.
    #expect(abs(h.reduce(0, +) - Double(design.columns)) <= 1e-12)
  }

  @Test("A Cauchy fit of stackloss (p = 4): direct computation; a row with weight 0 has leverage 0")
  func redescendingFit() throws {
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let fit = try Regression(loss: .cauchy).fit(design, response: y)
    let h = try fit.leverage(design)
    let expected = Self.directHat(design, weights: fit.weights)
    for (a, b) in zip(h, expected) { #expect(abs(a - b) <= 1e-11, "\(a) vs \(b)") }
    let zeroed = try Leverage.hatValues(design: design, weights: fit.weights.enumerated().map { $0 == 3 ? 0 : $1 })
    #expect(zeroed[3] == 0)
  }

  @Test("Invariant to the scale of a column (1e-6 and 1e8), and to the units of y")
  func columnScaleInvariance() throws {
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let fit = try Regression(loss: .huber).fit(design, response: y)
    let h = try fit.leverage(design)
    var values = design.values
    let n = design.rows
    for i in 0..<n { values[1 * n + i] *= 1e-6; values[3 * n + i] *= 1e8 }
    let scaled = try DesignMatrix(rows: n, columns: design.columns, columnMajor: values, names: design.names,
                                  hasIntercept: true)
    let hScaled = try Leverage.hatValues(design: scaled, weights: fit.weights)
    for (a, b) in zip(h, hScaled) { #expect(abs(a - b) <= 1e-12, "\(a) vs \(b)") }
    // Refitting the scaled design gives the same weights, hence the same leverage.
    let refit = try Regression(loss: .huber).fit(scaled, response: y.map { $0 * 1000 })
    for (a, b) in zip(h, try refit.leverage(scaled)) { #expect(abs(a - b) <= 1e-8, "\(a) vs \(b)") }
  }

  @Test("An ill-conditioned design (x near 1e8 with spread 1) takes the QR path and still matches")
  func illConditionedDesign() throws {
    let x = (0..<30).map { 1e8 + Double($0) / 10 }
    let design = try DesignMatrix(predictors: [x, x.map { ($0 - 1e8) * ($0 - 1e8) }], names: ["x", "x2"])
    let weights = (0..<30).map { 1 / (1 + Double($0 % 7)) }
    let h = try Leverage.hatValues(design: design, weights: weights)
    #expect(abs(h.reduce(0, +) - 3) <= 1e-6)
    // The same design centred (the column space is unchanged, so the hat values are too).
    let centred = try DesignMatrix(predictors: [x.map { $0 - 1e8 }, x.map { ($0 - 1e8) * ($0 - 1e8) }],
                                   names: ["x", "x2"])
    let reference = Self.directHat(centred, weights: weights)
    for (a, b) in zip(h, reference) { #expect(abs(a - b) <= 1e-6, "\(a) vs \(b)") }
  }

  @Test("Wrong columns, wrong row count, and a singular XᵀWX are typed errors")
  func errors() throws {
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let fit = try Regression(loss: .huber).fit(design, response: y)
    let other = try DesignMatrix(predictors: [design.values[21..<42].map { $0 }], names: ["air_flow"])
    #expect(throws: RegressionError.columnMismatch(expected: design.names, got: other.names)) {
      try fit.leverage(other)
    }
    let fewer = design.selectingRows(Array(0..<20))
    #expect(throws: RegressionError.dimensionMismatch(rows: 20, responses: 21)) { try fit.leverage(fewer) }
    // Weight on three rows only: four columns cannot be determined.
    let sparse = (0..<21).map { $0 < 3 ? 1.0 : 0 }
    #expect {
      _ = try Leverage.hatValues(design: design, weights: sparse)
    } throws: { error in
      guard case .collinear(let columns, let names)? = error as? RegressionError else { return false }
      return !columns.isEmpty && names.count == columns.count
    }
  }
}
