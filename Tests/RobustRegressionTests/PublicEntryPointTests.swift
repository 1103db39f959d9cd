import Foundation
import Testing
import RobustRegression

/// Every class of bad input through every public entry point: each is a typed ``RegressionError`` naming
/// the problem (with column indices where there is a column), never a trap and never a silent NaN.
/// (`import RobustRegression` without `@testable`: only what a user can call.)
@Suite("Public entry points never trap")
struct PublicEntryPointTests {
  static let x: [Double] = (0..<12).map(Double.init)
  static let y: [Double] = x.map { 1 + 2 * $0 + ($0 == 5 ? 30 : 0.1 * sin($0)) }

  /// One fit the tests can predict with.
  static func fitted() throws -> RegressionFit {
    try Regression(loss: .huber).fit(predictors: [x], names: ["x"], response: y)
  }

  /// Runs `body` and returns its typed error; records an issue when it does not throw.
  /// Runs `body` and returns its error, which must be a ``RegressionError`` with a one-line description;
  /// records an issue when it does not throw.
  static func error<T>(_ body: () throws -> T,
                       sourceLocation: SourceLocation = #_sourceLocation) -> RegressionError? {
    do {
      let value = try body()
      Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
      return nil
    } catch let error as RegressionError {
      #expect(!error.description.isEmpty && !error.description.contains("\n"), sourceLocation: sourceLocation)
      return error
    } catch {
      Issue.record("expected a RegressionError, got \(error)", sourceLocation: sourceLocation)
      return nil
    }
  }

  // MARK: DesignMatrix

  @Test("DesignMatrix(predictors:): columns of unequal length and a wrong number of names")
  func designFromPredictors() {
    #expect(Self.error { try DesignMatrix(predictors: [[1, 2, 3], [1, 2]], names: ["a", "b"]) }
            == .predictorLength(column: 1, name: "b", count: 2, rows: 3))
    #expect(Self.error { try DesignMatrix(predictors: [[1, 2, 3]], rows: 4) }
            == .predictorLength(column: 0, name: "x1", count: 3, rows: 4))
    #expect(Self.error { try DesignMatrix(predictors: [[1, 2, 3]], names: ["a", "b"]) } == .nameCount(names: 2, columns: 1))
    #expect(Self.error { try DesignMatrix(predictors: [[1, 2], [3, 4]], names: []) } == .nameCount(names: 0, columns: 2))
  }

  @Test("DesignMatrix(rows:columns:columnMajor:…): counts that disagree")
  func designFromValues() {
    #expect(Self.error { try DesignMatrix(rows: 3, columns: 2, columnMajor: [1, 2, 3], names: ["a", "b"], hasIntercept: false) }
            == .valueCount(count: 3, rows: 3, columns: 2))
    #expect(Self.error { try DesignMatrix(rows: -1, columns: 2, columnMajor: [], names: ["a", "b"], hasIntercept: false) }
            == .valueCount(count: 0, rows: -1, columns: 2))
    #expect(Self.error { try DesignMatrix(rows: 2, columns: 1, columnMajor: [1, 2], names: [], hasIntercept: false) }
            == .nameCount(names: 0, columns: 1))
  }

  // MARK: Regression.fit

  @Test("fit: lengths, an empty design, p ≥ n, and NaN or ±∞ in y or in a column (with its index)",
        arguments: [Loss.squared, .absolute, .huber, .cauchy, .tukey, .general(alpha: 0.5), .adaptive, .mm, .s])
  func fitData(loss: Loss) throws {
    let regression = Regression(loss: loss)
    let design = try DesignMatrix(predictors: [Self.x], names: ["x"])
    #expect(Self.error { try regression.fit(design, response: Array(Self.y.dropLast())) }
            == .dimensionMismatch(rows: 12, responses: 11))
    let empty = try DesignMatrix(predictors: [], intercept: false, rows: 12)
    #expect(Self.error { try regression.fit(empty, response: Self.y) } == .tooFewObservations(n: 12, p: 0))
    let wide = try DesignMatrix(predictors: [[1, 2], [3, 5]], names: ["a", "b"])
    #expect(Self.error { try regression.fit(wide, response: [1, 2]) } == .tooFewObservations(n: 2, p: 3))
    #expect(Self.error { try regression.fit(predictors: [Self.x], response: Array(Self.y.prefix(5))) }
            == .predictorLength(column: 0, name: "x1", count: 12, rows: 5))
    for bad in [Double.nan, .infinity, -.infinity] {
      var badY = Self.y
      badY[4] = bad
      #expect(Self.error { try regression.fit(design, response: badY) } == .nonFinite(column: nil, name: "y", row: 4))
      var badX = Self.x
      badX[9] = bad
      let badDesign = try DesignMatrix(predictors: [Self.x, badX], names: ["x", "z"])
      #expect(Self.error { try regression.fit(badDesign, response: Self.y) } == .nonFinite(column: 2, name: "z", row: 9))
    }
  }

  @Test("fit: collinear columns are named by index and name")
  func fitCollinear() throws {
    let design = try DesignMatrix(predictors: [Self.x, Self.x.map { 3 * $0 }], names: ["x", "three_x"])
    guard case .collinear(let columns, let names) = Self.error({ try Regression().fit(design, response: Self.y) }) else {
      Issue.record("expected collinear")
      return
    }
    #expect(columns.count == 1 && names.count == 1)
    #expect(columns.map { design.names[$0] } == names)
  }

  @Test("fit: every setting out of its domain — NaN, ±∞, zero, negative — is invalidArgument")
  func fitSettings() throws {
    let design = try DesignMatrix(predictors: [Self.x], names: ["x"])
    func invalid(_ regression: Regression) -> InvalidArgument? {
      guard case .invalidArgument(let argument) = Self.error({ try regression.fit(design, response: Self.y) }) else {
        Issue.record("\(regression): expected invalidArgument")
        return nil
      }
      return argument
    }
    for value in [Double.nan, .infinity, -.infinity, 0, -1] {
      #expect(invalid(Regression(loss: .huber(k: value))) == .tuningConstant(value) || value.isNaN)
      #expect(invalid(Regression(scale: .fixed(value))) != nil)
      #expect(invalid(Regression(tolerance: value)) != nil)
      #expect(invalid(Regression(confidenceLevel: value)) != nil)
      if value != .infinity {  // an infinite threshold is meaningful: no row is flagged
        #expect(invalid(Regression(outlierThreshold: value)) != nil)
      }
      #expect(invalid(Regression(loss: .general(alpha: 0.5, k: value))) != nil)
    }
    #expect(invalid(Regression(loss: .general(alpha: .nan))) == .shapeNotANumber)
    #expect(invalid(Regression(loss: .adaptive(alphaRange: -1...2))) == .alphaRange(lower: -1, upper: 2, criterion: .likelihood))
    #expect(invalid(Regression(loss: .adaptive(criterion: .variance, alphaRange: 0...3)))
      == .alphaRange(lower: 0, upper: 3, criterion: .variance))
    #expect(invalid(Regression(maxIterations: 0)) == .iterationLimit(0))
    #expect(invalid(Regression(maxIterations: -5)) == .iterationLimit(-5))
    #expect(invalid(Regression(confidenceLevel: 1)) == .confidenceLevel(1))
    #expect(invalid(Regression(start: .coefficients([1]))) == .startCoefficients(count: 1, columns: 2))
    #expect(invalid(Regression(start: .coefficients([1, .nan]))) == .startCoefficients(count: 2, columns: 2))
  }

  /// A loss whose weight is NaN beyond |u| = 3.
  struct Broken: RobustLoss {
    func rho(_ u: Double) -> Double { u * u / 2 }
    func psi(_ u: Double) -> Double { u }
    func psiDerivative(_ u: Double) -> Double { 1 }
    func weight(_ u: Double) -> Double { abs(u) > 3 ? .nan : 1 }
    var isConvex: Bool { true }
    var isRedescending: Bool { false }
  }

  @Test("fit: a custom loss that returns NaN, and one decoded without its functions, are named")
  func fitCustomLosses() throws {
    let design = try DesignMatrix(predictors: [Self.x], names: ["x"])
    #expect(Self.error { try Regression(loss: .custom(Broken(), k: 1)).fit(design, response: Self.y) }
            == .invalidArgument(.customLossNotFinite(name: "Broken", u: 5)))
    let archived = try JSONEncoder().encode(Regression(loss: .custom(Broken(), k: 1)))
    let decoded = try JSONDecoder().decode(Regression.self, from: archived)
    #expect(decoded.loss.name == "Broken" && decoded.loss.tuningConstant == 1)
    #expect(Self.error { try decoded.fit(design, response: Self.y) }
            == .invalidArgument(.customLossWithoutFunctions(name: "Broken")))
  }

  @Test("fit: an iteration cap of Int.max is honoured without overflow (the subgradient L1 multiplies it)")
  func hugeIterationCap() throws {
    let regression = Regression(loss: .absolute(method: .subgradient), maxIterations: .max)
    let fit = try regression.fit(predictors: [Self.x], response: Self.y)
    #expect(fit.estimates.allSatisfy { $0.isFinite })
  }

  // MARK: Loss constructors

  @Test("Loss constructors accept anything without trapping; the fit judges the value")
  func lossConstructors() {
    for alpha in [Double.nan, .infinity, -.infinity, 0, 2, 1.7, -1e308, 1e308, .leastNonzeroMagnitude] {
      let loss = Loss.general(alpha: alpha)
      #expect(loss.name == "general")
      #expect(!loss.description.isEmpty)
    }
    #expect(Loss.huber(k: .nan).tuningConstant!.isNaN)
    #expect(Loss.adaptive(alphaRange: 0...Double.infinity).alphaRange == 0...Double.infinity)
  }

  // MARK: predict

  @Test("predict: other columns, names or lengths, and NaN rows are typed errors")
  func predictErrors() throws {
    let fit = try Self.fitted()
    #expect(Self.error { try fit.predict(DesignMatrix(predictors: [[1, 2], [3, 4]], names: ["x", "z"])) }
            == .columnMismatch(expected: ["intercept", "x"], got: ["intercept", "x", "z"]))
    #expect(Self.error { try fit.predict(DesignMatrix(predictors: [[1, 2]], names: ["w"])) }
            == .columnMismatch(expected: ["intercept", "x"], got: ["intercept", "w"]))
    #expect(Self.error { try fit.predict(predictors: [[1], [2]]) }
            == .columnMismatch(expected: ["x"], got: ["x1", "x2"]))
    #expect(Self.error { try fit.predict(predictors: [[1, .nan]]) } == .nonFinite(column: 1, name: "x", row: 1))
  }

  @Test("predict: X·β of new rows equals the fitted values on the fitted rows")
  func predictMatchesFittedValues() throws {
    let fit = try Self.fitted()
    let predicted = try fit.predict(predictors: [Self.x])
    let fitted = fit.fittedValues(response: Self.y)
    for (a, b) in zip(predicted, fitted) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
    #expect(try fit.predict(predictors: [[100]]) == [fit.estimates[0] + 100 * fit.estimates[1]])
  }

  // MARK: The result describes itself

  @Test("A fit survives a JSON round trip unchanged, and says what was fitted",
        arguments: [Loss.huber, .tukey(k: 4), .general(alpha: 0.5), .absolute, .adaptive])
  func codableRoundTrip(loss: Loss) throws {
    let fit = try Regression(loss: loss, recordsHistory: true).fit(predictors: [Self.x], names: ["x"], response: Self.y)
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let decoded = try decoder.decode(RegressionFit.self, from: encoder.encode(fit))
    #expect(decoded == fit)
    #expect(fit.regression.loss == loss)
    #expect(fit.loss.name == loss.name)
    #expect(fit.names == ["intercept", "x"])
    #expect(fit.coefficients.map(\.estimate) == fit.estimates)
  }

  @Test("The loss prints like statsmodels' norms, and k travels with it")
  func lossDescriptions() {
    #expect(Loss.huber.description == "huber(k: 1.345)")
    #expect(Loss.tukey(k: 4).description == "tukey(k: 4.0)")
    #expect(Loss.squared.description == "l2")
    #expect(Loss.absolute.description == "l1(method: irls)")
    #expect(Loss.adaptive.description == "adaptive(alpha: 0.0...2.0)")
    #expect(Loss.huber == Loss.huber(k: 1.345))
    #expect(Loss.huber.withTuningConstant(2) == .huber(k: 2))
  }

  @Test("Where c came from, for each scale rule")
  func lossScaleSources() throws {
    let design = try DesignMatrix(predictors: [Self.x], names: ["x"])
    #expect(try Regression(loss: .huber).fit(design, response: Self.y).lossScaleSource == .residualScale(k: 1.345))
    #expect(try Regression(loss: .huber, scale: .madOfStart).fit(design, response: Self.y).lossScaleSource
            == .startScale(k: 1.345))
    #expect(try Regression(loss: .huber, scale: .fixed(2)).fit(design, response: Self.y).lossScaleSource == .given)
    #expect(try Regression(loss: .squared).fit(design, response: Self.y).lossScaleSource == .notUsed)
    // Least squares' sandwich is the classical covariance, and says so.
    #expect(try Regression(loss: .squared).fit(design, response: Self.y).covariance?.method == .classical)
    #expect(try Regression(loss: .huber).fit(design, response: Self.y).covariance?.method == .huberSandwich)
    #expect(try Regression(loss: .absolute, scale: .fixed(2)).fit(design, response: Self.y).lossScaleSource == .notUsed)
    #expect(try Regression(loss: .tukey).fit(design, response: Self.y).residualScaleSource == .medianAbsoluteResidual)
    guard case .estimated = try Regression(loss: .adaptive).fit(design, response: Self.y).lossScaleSource else {
      Issue.record("the adaptive fit estimates c")
      return
    }
  }
}
