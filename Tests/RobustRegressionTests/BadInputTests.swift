import Foundation
import Testing
@testable import RobustRegression

/// Data and options a fit cannot use: each gives a typed ``RegressionError`` naming the problem, or a
/// fit with a typed ``Termination``; no path produces a NaN coefficient.
@Suite("Bad input: typed errors, never NaN coefficients")
struct BadInputTests {
  static let losses: [Loss] = [
    .squared, .absolute, .huber, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .tukey, .general(alpha: 0.5),
    .general(alpha: -.infinity),
  ]

  static func line(n: Int = 40, seed: UInt64 = 5) -> (x: [Double], y: [Double]) {
    var random = TestRandom(state: seed)
    let x = (0..<n).map { _ in 10 * random.uniform() }
    let y = x.map { 3 - 0.7 * $0 + random.normal() }
    return (x, y)
  }

  /// Every number a fit reports is finite or, for inference, absent.
  static func expectNoNaN(_ fit: RegressionFit, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(fit.estimates.allSatisfy { $0.isFinite }, "\(what): coefficients \(fit.estimates)",
            sourceLocation: sourceLocation)
    #expect(fit.residuals.allSatisfy { $0.isFinite }, "\(what): residuals", sourceLocation: sourceLocation)
    #expect(fit.weights.allSatisfy { !$0.isNaN }, "\(what): weights", sourceLocation: sourceLocation)
    #expect(fit.objective.value.isFinite, "\(what): objective \(fit.objective.value)", sourceLocation: sourceLocation)
    #expect(!fit.lossScale.isNaN && !fit.residualScale.isNaN, "\(what): scale", sourceLocation: sourceLocation)
    if fit.covariance != nil {
      #expect(fit.coefficients.allSatisfy { $0.standardError?.isFinite == true }, "\(what): se",
              sourceLocation: sourceLocation)
      #expect(fit.coefficients.allSatisfy { $0.pValue.map { !$0.isNaN } == true }, "\(what): p-values",
              sourceLocation: sourceLocation)
    }
  }

  static func expectError(_ expected: RegressionError, _ body: () throws -> RegressionFit,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      let fit = try body()
      Issue.record("expected \(expected), got a fit with \(fit.termination) and β = \(fit.estimates)",
                   sourceLocation: sourceLocation)
    } catch let error as RegressionError {
      #expect(error == expected, "got \(error)", sourceLocation: sourceLocation)
      #expect(!error.description.isEmpty, sourceLocation: sourceLocation)
    } catch {
      Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
  }

  /// The collinear error for `predictors`; returns the named columns.
  static func collinearColumns(_ predictors: [[Double]], names: [String], y: [Double], loss: Loss) -> [String]? {
    do {
      let fit = try Regression(loss: loss).fit(try DesignMatrix(predictors: predictors, names: names), response: y)
      Issue.record("\(loss): expected .collinear, got a fit with β = \(fit.estimates)")
      return nil
    } catch RegressionError.collinear(let columns, let dependent) {
      #expect(columns.map { names[$0 - 1] } == dependent, "column indices name the same columns")
      return dependent
    } catch {
      Issue.record("\(loss): expected .collinear, got \(error)")
      return nil
    }
  }

  // MARK: Rank deficiency

  @Test("A duplicated column is reported as collinear, naming one of the pair", arguments: losses)
  func duplicateColumn(loss: Loss) {
    let (x, y) = Self.line()
    let z = x.map { $0 * $0 }
    guard let named = Self.collinearColumns([x, z, x], names: ["a", "b", "a_copy"], y: y, loss: loss) else { return }
    #expect(named.count == 1 && ["a", "a_copy"].contains(named[0]), "\(loss): \(named)")
  }

  @Test("A column equal to twice another is reported as collinear", arguments: losses)
  func multipleColumn(loss: Loss) {
    let (x, y) = Self.line()
    guard let named = Self.collinearColumns([x, x.map { 2 * $0 }], names: ["a", "twice_a"], y: y, loss: loss)
    else { return }
    #expect(named.count == 1 && ["a", "twice_a"].contains(named[0]), "\(loss): \(named)")
  }

  @Test("A constant column next to the intercept is reported as collinear", arguments: losses)
  func constantColumn(loss: Loss) {
    let (x, y) = Self.line()
    let constant = [Double](repeating: 5, count: x.count)
    guard let named = Self.collinearColumns([x, constant], names: ["x", "five"], y: y, loss: loss) else { return }
    #expect(named.count == 1 && ["intercept", "five"].contains(named[0]), "\(loss): \(named)")
  }

  @Test("A linear combination of three columns names one of them")
  func combination() {
    let (x, y) = Self.line()
    var random = TestRandom(state: 17)
    let w = x.map { _ in random.normal() }
    let sum = zip(x, w).map { 0.5 * $0 - 3 * $1 + 2 }
    guard let named = Self.collinearColumns([x, w, sum], names: ["x", "w", "mix"], y: y, loss: .huber) else { return }
    #expect(named.count == 1 && ["intercept", "x", "w", "mix"].contains(named[0]), "\(named)")
  }

  // MARK: Too few observations, mismatched lengths

  @Test("n ≤ p is tooFewObservations", arguments: losses)
  func tooFewObservations(loss: Loss) {
    let x1: [Double] = [1, 2, 3], x2: [Double] = [0, 5, 1], y: [Double] = [1, 2, 4]
    Self.expectError(.tooFewObservations(n: 3, p: 3)) {
      try Regression(loss: loss).fit(try DesignMatrix(predictors: [x1, x2]), response: y)
    }
    Self.expectError(.tooFewObservations(n: 2, p: 3)) {
      try Regression(loss: loss).fit(try DesignMatrix(predictors: [[1, 2], [3, 1]]), response: [1, 2])
    }
    Self.expectError(.tooFewObservations(n: 1, p: 1)) {
      try Regression(loss: loss).fit(try DesignMatrix(predictors: [], rows: 1), response: [1])
    }
  }

  @Test("y and X of different lengths is dimensionMismatch")
  func dimensionMismatch() {
    let (x, y) = Self.line()
    Self.expectError(.dimensionMismatch(rows: 40, responses: 39)) {
      try Regression(loss: .huber).fit(try DesignMatrix(predictors: [x]), response: Array(y.dropLast()))
    }
  }

  // MARK: Non-finite data

  @Test("NaN or ±Inf in X or y is nonFinite, naming the variable and the row", arguments: losses)
  func nonFiniteValues(loss: Loss) {
    let (x, y) = Self.line()
    let z = x.map { $0.squareRoot() }
    for bad in [Double.nan, .infinity, -.infinity] {
      var badY = y
      badY[7] = bad
      Self.expectError(.nonFinite(column: nil, name: "y", row: 7)) {
        try Regression(loss: loss).fit(try DesignMatrix(predictors: [x, z], names: ["x", "z"]), response: badY)
      }
      var badZ = z
      badZ[31] = bad
      badZ[35] = bad
      Self.expectError(.nonFinite(column: 2, name: "z", row: 31)) {
        try Regression(loss: loss).fit(try DesignMatrix(predictors: [x, badZ], names: ["x", "z"]), response: y)
      }
      var badX = x
      badX[0] = bad
      Self.expectError(.nonFinite(column: 1, name: "x", row: 0)) {
        try Regression(loss: loss).fit(try DesignMatrix(predictors: [badX, z], names: ["x", "z"]), response: y)
      }
    }
  }

  @Test("The non-finite message gives a 1-based row")
  func nonFiniteMessage() {
    #expect(RegressionError.nonFinite(column: nil, name: "y", row: 7).description.contains("row 8"))
  }

  // MARK: Invalid options

  @Test("Invalid settings are invalidArgument")
  func invalidOptions() throws {
    let (x, y) = Self.line()
    let design = try DesignMatrix(predictors: [x])
    for loss in [Loss.huber, .cauchy, .tukey] {
      let bad: [Regression] = [
        Regression(scale: .fixed(0)), Regression(scale: .fixed(-1)), Regression(scale: .fixed(.nan)),
        Regression(scale: .fixed(.infinity)), Regression(loss: loss.withTuningConstant(-1.345)),
        Regression(loss: loss.withTuningConstant(0)), Regression(loss: loss.withTuningConstant(.nan)),
        Regression(tolerance: 0), Regression(tolerance: -1e-8), Regression(tolerance: .nan), Regression(maxIterations: 0),
        Regression(start: .coefficients([1])), Regression(start: .coefficients([1, .nan])),
      ]
      for options in bad {
        let settings = options.loss == .huber ? options.using(loss) : options
        do {
          let fit = try settings.fit(design, response: y)
          Issue.record("\(settings): expected invalidArgument, got a fit β = \(fit.estimates)")
        } catch RegressionError.invalidArgument(let argument) {
          #expect(!argument.description.isEmpty)
        } catch {
          Issue.record("\(settings): expected invalidArgument, got \(error)")
        }
      }
    }
  }

  // MARK: Zero scale

  /// Constant y. Whether σ̂ is exactly 0 depends on rounding: the OLS start leaves residuals of
  /// ~1e-15 when x is not dyadic, so σ̂ can be a rounding-level positive number and the fit then
  /// converges (with c and the standard errors at rounding level) instead of stopping with zeroScale.
  /// Both outcomes are accepted; what is required is the exact answer, finite numbers, and a typed stop.
  @Test("Constant y: a finite fit (intercept = y, slopes 0) that converges or stops with zeroScale",
        arguments: losses)
  func constantResponse(loss: Loss) throws {
    let (x, _) = Self.line()
    let y = [Double](repeating: 4.25, count: x.count)
    let fit = try Regression(loss: loss).fit(try DesignMatrix(predictors: [x]), response: y)
    Self.expectNoNaN(fit, "\(loss)")
    #expect(abs(fit.estimates[0] - 4.25) <= 1e-12 && abs(fit.estimates[1]) <= 1e-12, "\(loss): \(fit.estimates)")
    #expect(fit.residuals.allSatisfy { abs($0) <= 1e-12 })
    #expect(fit.residualScale <= 1e-13 * 4.25, "σ̂ = \(fit.residualScale) is not rounding-level")
    if loss == .squared || loss == .absolute {
      // No MAD scale is involved in these fits: they converge.
      #expect(fit.termination == .converged, "\(loss): \(fit.termination)")
    } else {
      #expect([.converged, .zeroScale].contains(fit.termination), "\(loss): \(fit.termination)")
    }
    if fit.termination == .zeroScale {
      #expect(fit.covariance == nil)
      #expect(!fit.warnings.isEmpty)
    }
  }

  @Test("Constant y with dyadic x (OLS exact): σ̂ = 0 and zeroScale for every MAD-scaled loss",
        arguments: losses.filter { $0 != .squared && $0 != .absolute })
  func constantResponseExact(loss: Loss) throws {
    let x = (0..<40).map { Double($0) / 4 }
    let y = [Double](repeating: 4.25, count: x.count)
    let fit = try Regression(loss: loss).fit(try DesignMatrix(predictors: [x]), response: y)
    Self.expectNoNaN(fit, "\(loss)")
    // Exact up to the rounding of the solve (whether OLS lands on [4.25, 0] exactly depends on the Gram
    // kernel's summation order, which the CPU's vector width decides).
    #expect(abs(fit.estimates[0] - 4.25) <= 1e-14 && abs(fit.estimates[1]) <= 1e-15,
            "\(loss): \(fit.estimates)")
    #expect(fit.termination == .zeroScale, "\(loss): \(fit.termination)")
    #expect(fit.residualScale == 0)
    #expect(fit.covariance == nil)
    #expect(!fit.warnings.isEmpty)
  }

  /// 30 points exactly on y = 1 + 2x (integers: exact in binary) and 10 gross outliers.
  static func mostlyExactLine() throws -> (DesignMatrix, [Double]) {
    var x = [Double](), y = [Double]()
    for i in 0..<30 { x.append(Double(i)); y.append(1 + 2 * Double(i)) }
    for i in 0..<10 { x.append(Double(3 * i) + 0.5); y.append(100 + 7 * Double(i)) }
    return (try DesignMatrix(predictors: [x]), y)
  }

  @Test("σ̂ = 0 at the start (most points exactly on the start line) stops with zeroScale, finite β",
        arguments: losses.filter { $0 != .squared && $0 != .absolute })
  func zeroScaleAtStart(loss: Loss) throws {
    let (design, y) = try Self.mostlyExactLine()
    let fit = try Regression(loss: loss, start: .coefficients([1, 2])).fit(design, response: y)
    Self.expectNoNaN(fit, "\(loss)")
    #expect(fit.termination == .zeroScale, "\(loss): \(fit.termination)")
    #expect(fit.estimates == [1, 2])
    #expect(fit.residualScale == 0)
    #expect(fit.covariance == nil)
    #expect(!fit.warnings.isEmpty)
    // Every point off the line is flagged (σ̂ = 0), none on it.
    #expect(fit.outliers == (0..<40).map { $0 >= 30 })
  }

  @Test("Most points exactly on a line from the default start: the line is found, β finite, stop typed",
        arguments: losses)
  func zeroScaleReached(loss: Loss) throws {
    let (design, y) = try Self.mostlyExactLine()
    let fit = try Regression(loss: loss).fit(design, response: y)
    Self.expectNoNaN(fit, "\(loss)")
    if loss == .squared { return }  // OLS is pulled by the outliers; nothing to check beyond finiteness
    // Every robust loss here ends at the exact line (the 10 outliers are 25 % of the data), either
    // converged with σ̂ → rounding level or stopped because σ̂ became exactly 0.
    #expect(abs(fit.estimates[0] - 1) <= 1e-6 && abs(fit.estimates[1] - 2) <= 1e-7,
            "\(loss): \(fit.estimates), \(fit.termination)")
    if loss == .absolute {
      // The L1 optimum: Σ|r| over the 10 outliers only.
      let optimum = zip(design.multiplied(by: [1, 2]), y).reduce(0.0) { $0 + abs($1.1 - $1.0) }
      #expect(abs(fit.objective.value - optimum) <= 1e-12 * optimum)
      return  // its termination: see absoluteDegenerateVertex
    }
    #expect([.converged, .zeroScale].contains(fit.termination), "\(loss): \(fit.termination)")
    if fit.termination == .zeroScale { #expect(fit.covariance == nil && fit.residualScale == 0) }
  }

  /// A degenerate LP vertex: 30 of 40 residuals are exactly 0 at the optimum, so the p basis rows
  /// alone cannot certify it (the 10 outliers' signs must be balanced by the other 28 interpolated
  /// rows). The simplex finish gives those rows a side and makes degenerate pivots until |d| ≤ 1.
  @Test("L1 at a degenerate optimum (30 of 40 points on the line) is certified: converged, few steps")
  func absoluteDegenerateVertex() throws {
    let (design, y) = try Self.mostlyExactLine()
    let fit = try Regression(loss: .absolute).fit(design, response: y)
    #expect(fit.estimates == [1, 2])
    #expect(fit.termination == .converged, "\(fit.termination) after \(fit.iterations) iterations")
    #expect(fit.iterations < 200)
    #expect(!fit.warnings.contains(.absoluteFinishUnproven))
  }

  // MARK: Exact fits reached geometrically

  /// Four points, three on y = −0.25 + 2.25x: Huber's MAD scale has no positive fixed point, and IRLS
  /// shrinks σ̂ by a constant factor per iteration (it ran 500 iterations to c ≈ 3e-11 before the
  /// exact-fit test). The line through the three points is the answer, found long before the cap.
  @Test("Three of four points collinear: zeroScale at the exact line, long before the cap",
        arguments: losses.filter { $0 != .squared && $0 != .absolute })
  func exactFitOfFourPoints(loss: Loss) throws {
    let design = try DesignMatrix(predictors: [[1, 2, 3, 5]])
    let y = [2.0, 4, 6.5, 11]
    let fit = try Regression(loss: loss).fit(design, response: y)
    Self.expectNoNaN(fit, "\(loss)")
    #expect(fit.termination == .zeroScale, "\(loss): \(fit.termination) after \(fit.iterations)")
    #expect(abs(fit.estimates[0] + 0.25) <= 1e-13 && abs(fit.estimates[1] - 2.25) <= 1e-13,
            "\(loss): \(fit.estimates)")
    #expect(fit.iterations <= 64, "\(loss): \(fit.iterations) iterations")
    #expect(fit.residualScale == 0 && fit.covariance == nil && !fit.warnings.isEmpty)
    #expect(fit.weights == [1, 0, 1, 1])
    #expect(fit.outliers == [false, true, false, false])
  }

  /// 34 of 41 points on a plane in two predictors with non-dyadic coefficients (so residuals on it
  /// are rounding-level, never exactly 0), 7 gross outliers: the plane is found from the default start.
  /// (Nearer 50 % contamination, or with moderate noise instead of gross outliers, the M-estimator has
  /// other fixed points with σ̂ > 0 and may converge there; those are not exact fits.)
  @Test("Most points on a plane, the rest gross outliers: zeroScale at the plane from the default start",
        arguments: losses.filter { $0 != .squared && $0 != .absolute })
  func exactFitOfMostPoints(loss: Loss) throws {
    var random = SplitMix64(seed: 7)
    var x1 = [Double](), x2 = [Double](), y = [Double]()
    for i in 0..<41 {
      let a = Double.random(in: 0..<1, using: &random) * 10, b = Double.random(in: 0..<1, using: &random) * 10
      x1.append(a); x2.append(b)
      y.append(0.3 + 1.7 * a - 0.9 * b + (i < 34 ? 0 : 20 + 30 * Double.random(in: 0..<1, using: &random)))
    }
    let fit = try Regression(loss: loss).fit(try DesignMatrix(predictors: [x1, x2]), response: y)
    Self.expectNoNaN(fit, "\(loss)")
    #expect(fit.termination == .zeroScale, "\(loss): \(fit.termination) after \(fit.iterations)")
    for (estimate, truth) in zip(fit.estimates, [0.3, 1.7, -0.9]) {
      #expect(abs(estimate - truth) <= 1e-12, "\(loss): \(fit.estimates)")
    }
    #expect(fit.weights == (0..<41).map { $0 < 34 ? 1 : 0 })
    #expect(fit.outliers == (0..<41).map { $0 >= 34 })
  }

  /// Genuine small noise is not mistaken for an exact fit: noise of 1e-9 on values of size 1e3 is
  /// far above rounding (ε·1e3 ≈ 2e-13), so the fit converges with a positive σ̂ and inference. The
  /// objective is then known only to ~1e-4 relative (rounding of the residuals), so convergence must
  /// allow for that floor rather than wait for a relative change of 1e-10.
  @Test("Small noise on a large offset: converged with σ̂ of the noise's size, not zeroScale",
        arguments: losses.filter { $0 != .squared && $0 != .absolute })
  func tinyNoiseIsNotExact(loss: Loss) throws {
    // (offset, noise half-width): values near 1e3 with noise 1e-9, and Unix-time-like values with noise 1.
    for (offset, noise) in [(1000.0, 1e-9), (1.7e9, 1.0)] {
      var random = SplitMix64(seed: 11)
      var x = [Double](), y = [Double]()
      for _ in 0..<200 {
        let a = Double.random(in: 0..<100, using: &random)
        x.append(a)
        y.append(offset + 3 * a + noise * 2 * (Double.random(in: 0..<1, using: &random) - 0.5))
      }
      let fit = try Regression(loss: loss).fit(try DesignMatrix(predictors: [x]), response: y)
      #expect(fit.termination == .converged, "\(loss), offset \(offset): \(fit.termination)")
      // Uniform noise on ±h has MAD h/2, so σ̂ ≈ 0.74 h.
      #expect(fit.residualScale > 0.5 * noise && fit.residualScale < noise, "offset \(offset): σ̂ = \(fit.residualScale)")
      #expect(fit.covariance != nil)
      #expect(abs(fit.estimates[1] - 3) <= 1e-2 * noise)
    }
  }
}
