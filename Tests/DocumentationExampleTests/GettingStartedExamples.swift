import Foundation
import RobustRegression
import Testing

/// The Swift examples of the DocC article GettingStarted.md, one test per example, each as written
/// there, followed by the numbers its comments claim. The examples after the first continue it: their
/// tests take `x`, `y`, `design` and `fit` from ``LineWithOutlier``.
@Suite("GettingStarted.md's examples")
struct GettingStartedExamples {
  @Test("Fit a line with an outlier: Cauchy ignores it, least squares follows it")
  func fitALine() throws {
    let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
    let y: [Double] = [1.1, 2.9, 5.2, 7.1, 8.8, 40, 13.1, 15.0]   // y = 40 at x = 5 is an outlier
    let design = try DesignMatrix(predictors: [x], names: ["x"])

    let fit = try Regression(loss: .cauchy).fit(design, response: y)
    print(fit.estimates)     // ≈ [1.056, 1.994]: intercept and slope
    print(fit.weights[5])    // ≈ 0.000195: the outlier hardly counts
    print(fit.outlierRows)   // [5]

    let leastSquares = try Regression(loss: .squared).fit(design, response: y)
    print(leastSquares.estimates)   // ≈ [1.05, 3.03]: the outlier pulls the slope up by half

    #expect(x == LineWithOutlier.x && y == LineWithOutlier.y)
    #expect(design.names == ["intercept", "x"])
    #expect(isAbout(fit.estimates[0], 1.056, within: 5e-4) && isAbout(fit.estimates[1], 1.994, within: 5e-4),
            "\(fit.estimates)")
    #expect(isAbout(fit.weights[5], 0.000195, within: 5e-7), "\(fit.weights[5])")
    #expect(fit.outlierRows == [5])
    #expect(fit.loss.tuningConstant == 1.6864)
    #expect(fit.lossScaleSource == .residualScale(k: 1.6864))
    let ls = leastSquares.estimates
    #expect(isAbout(ls[0], 1.05, within: 5e-3) && isAbout(ls[1], 3.03, within: 5e-3), "\(ls)")
  }

  @Test("Read the coefficients: estimates, standard errors, intervals, the covariance's method")
  func readTheCoefficients() throws {
    let fit = try LineWithOutlier.cauchyFit()

    for coefficient in fit.coefficients {
      guard let standardError = coefficient.standardError,
            let interval = coefficient.confidenceInterval else { continue }
      print(coefficient.name, coefficient.estimate, standardError, interval)
    }
    // intercept ≈ 1.056 ± 0.114, interval ≈ 0.778...1.333
    // x         ≈ 1.994 ± 0.027, interval ≈ 1.928...2.061
    if let covariance = fit.covariance {
      print(covariance.method, covariance.degreesOfFreedom)   // Huber sandwich (H1) 6
    }

    let table = fit.coefficients
    #expect(table.map(\.name) == ["intercept", "x"])
    let claims: [(estimate: Double, standardError: Double, lower: Double, upper: Double)] = [
      (1.056, 0.114, 0.778, 1.333), (1.994, 0.027, 1.928, 2.061),
    ]
    for (row, claim) in zip(table, claims) {
      let interval = try #require(row.confidenceInterval)
      #expect(isAbout(row.estimate, claim.estimate, within: 5e-4), "\(row)")
      #expect(isAbout(try #require(row.standardError), claim.standardError, within: 5e-4), "\(row)")
      #expect(isAbout(interval.lowerBound, claim.lower, within: 5e-4)
              && isAbout(interval.upperBound, claim.upper, within: 5e-4), "\(row)")
    }
    let covariance = try #require(fit.covariance)
    #expect("\(covariance.method) \(covariance.degreesOfFreedom)" == "Huber sandwich (H1) 6")
    #expect(fit.standardErrors == table.map(\.standardError))
  }

  @Test("Check the termination and the warnings: a capped fit is returned, with its warning")
  func terminationAndWarnings() throws {
    let (design, y, fit) = (try LineWithOutlier.design(), LineWithOutlier.y, try LineWithOutlier.cauchyFit())

    print(fit.termination, fit.iterations)   // converged 11
    print(fit.warnings)                      // []

    let capped = try Regression(loss: .cauchy, maxIterations: 3).fit(design, response: y)
    print(capped.converged)     // false
    print(capped.termination)   // stopped at the iteration limit before converging
    for warning in capped.warnings {
      if case .iterationLimit(let iterations, _) = warning {
        print("no convergence in \(iterations) iterations")   // no convergence in 3 iterations
      }
    }

    #expect(fit.termination == .converged && fit.iterations == 11)
    #expect("\(fit.warnings)" == "[]")
    #expect(!capped.converged && capped.termination == .iterationLimit)
    #expect("\(capped.termination)" == "stopped at the iteration limit before converging")
    #expect(capped.warnings == [.iterationLimit(iterations: 3, tolerance: 1e-10)])
  }

  @Test("Let the data choose the loss: the adaptive fit's α, on a bound, and its scale and NLL")
  func adaptiveLoss() throws {
    let (design, y) = (try LineWithOutlier.design(), LineWithOutlier.y)

    let adaptive = try Regression(loss: .adaptive).fit(design, response: y)
    print(adaptive.estimates)   // ≈ [1.110, 1.990]
    switch adaptive.shape {
    case .estimated(let alpha, let standardError?, _, _):
      print("α = \(alpha) ± \(standardError)")
    case .estimated(let alpha, nil, _, let range):
      print("α = \(alpha), on a bound of \(range)")   // α = 0.0, on a bound of 0.0...2.0
    case .fixed, .notInFamily:
      break
    }
    print(adaptive.lossScale, adaptive.objective)   // ≈ 0.0561 negative log-likelihood ≈ 6.922

    let estimates = adaptive.estimates
    #expect(isAbout(estimates[0], 1.110, within: 5e-4) && isAbout(estimates[1], 1.990, within: 5e-4),
            "\(estimates)")
    #expect(adaptive.shape == .estimated(alpha: 0, standardError: nil, onBound: true, range: 0...2))
    #expect("\(0.0...2.0)" == "0.0...2.0")
    #expect(isAbout(adaptive.lossScale, 0.0561, within: 5e-5), "\(adaptive.lossScale)")
    #expect(adaptive.objective.kind == .negativeLogLikelihood)
    #expect(isAbout(adaptive.objective.value, 6.922, within: 5e-4), "\(adaptive.objective)")
    #expect("\(adaptive.objective)".hasPrefix("negative log-likelihood = "))
  }

  @Test("Bring your own loss: the Fair loss through Loss.custom(_:k:)")
  func customLoss() throws {
    let (design, y) = (try LineWithOutlier.design(), LineWithOutlier.y)

    /// The Fair loss ρ(u) = |u| − log(1 + |u|): convex, with weights 1/(1 + |u|).
    struct Fair: RobustLoss {
      func rho(_ u: Double) -> Double { abs(u) - log1p(abs(u)) }
      func psi(_ u: Double) -> Double { u / (1 + abs(u)) }
      func psiDerivative(_ u: Double) -> Double { 1 / ((1 + abs(u)) * (1 + abs(u))) }
      func weight(_ u: Double) -> Double { 1 / (1 + abs(u)) }
      var isConvex: Bool { true }
      var isRedescending: Bool { false }
    }

    let fair = try Regression(loss: .custom(Fair(), k: 1.3998)).fit(design, response: y)
    print(fair.loss)        // Fair(k: 1.3998)
    print(fair.estimates)   // ≈ [1.071, 2.009]

    #expect("\(fair.loss)" == "Fair(k: 1.3998)")
    #expect(isAbout(fair.estimates[0], 1.071, within: 5e-4) && isAbout(fair.estimates[1], 2.009, within: 5e-4),
            "\(fair.estimates)")
    #expect(fair.shape == .notInFamily && fair.converged)
  }

  @Test("Predict new rows, from predictor columns and from a design")
  func predictNewRows() throws {
    let fit = try LineWithOutlier.cauchyFit()

    print(try fit.predict(predictors: [[8, 9]]))   // ≈ [17.009, 19.004]
    let newRows = try DesignMatrix(predictors: [[8, 9]], names: ["x"])
    print(try fit.predict(newRows))                // ≈ [17.009, 19.004]

    for predicted in [try fit.predict(predictors: [[8, 9]]), try fit.predict(newRows)] {
      #expect(predicted.count == 2)
      #expect(isAbout(predicted[0], 17.009, within: 5e-4) && isAbout(predicted[1], 19.004, within: 5e-4),
              "\(predicted)")
    }
  }

  @Test("Handle input that cannot be fitted: collinear columns, a negative tuning constant")
  func errors() throws {
    let (x, y, design) = (LineWithOutlier.x, LineWithOutlier.y, try LineWithOutlier.design())

    do throws(RegressionError) {
      let doubled = x.map { 2 * $0 }
      _ = try Regression().fit(predictors: [x, doubled], names: ["x", "2x"], response: y)
    } catch {
      print(error)   // the predictors are collinear: 2x is a linear combination of the other columns
      if case .collinear(let columns, _) = error {
        print(columns)   // [2]: the column index in the design, after the intercept and x
      }
    }

    do {
      _ = try Regression(loss: .huber(k: -1)).fit(design, response: y)
    } catch {
      print(error)   // the tuning constant must be a positive finite number, not -1.0
    }

    let collinear = #expect(throws: RegressionError.self) {
      try Regression().fit(predictors: [x, x.map { 2 * $0 }], names: ["x", "2x"], response: y)
    }
    #expect(collinear == .collinear(columns: [2], names: ["2x"]))
    #expect("\(try #require(collinear))"
            == "the predictors are collinear: 2x is a linear combination of the other columns")
    let negative = #expect(throws: RegressionError.self) {
      try Regression(loss: .huber(k: -1)).fit(design, response: y)
    }
    #expect(negative == .invalidArgument(.tuningConstant(-1)))
    #expect("\(try #require(negative))" == "the tuning constant must be a positive finite number, not -1.0")
  }
}
