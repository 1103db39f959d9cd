/// A configured robust-regression estimator: the loss (with its tuning constant), how the loss scale is
/// set, the start, and the stopping and reporting settings. ``fit(_:response:)`` serves every estimator:
/// the fixed losses, the adaptive loss, and custom losses alike.
///
/// ```swift
/// import RobustRegression
///
/// let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
/// let y: [Double] = [1.1, 2.9, 5.2, 7.1, 8.8, 40, 13.1, 15.0]   // one gross outlier
/// let design = try DesignMatrix(predictors: [x], names: ["x"])
/// let fit = try Regression(loss: .cauchy).fit(design, response: y)
/// print(fit.estimates)               // ≈ [1.06, 1.99]: the outlier at x = 5 has weight ≈ 2e-4
/// let adaptive = try Regression(loss: .adaptive).fit(design, response: y)
/// print(adaptive.shape)              // α estimated by Barron's likelihood, with its standard error
/// ```
///
/// The defaults follow Docs/spec.md §4: c = k·σ̂ re-estimated every iteration, OLS start for convex losses
/// and a Huber start otherwise, tolerance 1e-10, at most 500 iterations, 95 % intervals, outliers beyond
/// 2.5 σ̂.
public struct Regression: Sendable, Hashable, Codable {
  /// The loss, with its tuning constant.
  public var loss: Loss
  /// How the loss scale c is set.
  public var scale: ScaleRule
  /// Where the iterations start.
  public var start: StartRule
  /// Stop when the relative changes of the objective and of the coefficients are both below this.
  /// The default 1e-10 leaves the coefficients accurate to about 1e-9 relative while IRLS converges
  /// linearly.
  public var tolerance: Double
  /// The iteration cap; reaching it ends the fit with ``Termination/iterationLimit``.
  public var maxIterations: Int
  /// The coverage of the coefficients' confidence intervals.
  public var confidenceLevel: Double
  /// Rows with |r|/σ̂ above this are flagged as outliers.
  public var outlierThreshold: Double
  /// Whether the fit keeps one ``IterationRecord`` per iteration.
  public var recordsHistory: Bool

  /// An estimator with the given settings; each defaults to Docs/spec.md §4's value.
  public init(loss: Loss = .huber, scale: ScaleRule = .mad, start: StartRule = .automatic,
              tolerance: Double = 1e-10, maxIterations: Int = 500, confidenceLevel: Double = 0.95,
              outlierThreshold: Double = 2.5, recordsHistory: Bool = false) {
    self.loss = loss
    self.scale = scale
    self.start = start
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.confidenceLevel = confidenceLevel
    self.outlierThreshold = outlierThreshold
    self.recordsHistory = recordsHistory
  }

  /// Fits `response` on `design`.
  ///
  /// - Throws: ``RegressionError`` when the data or the settings cannot be used (lengths that disagree,
  ///   NaN or infinite values, n ≤ p, collinear columns, settings out of their domain) or a result lies
  ///   beyond the double range. A fit that stops early is returned with its ``Termination``.
  public func fit(_ design: DesignMatrix, response: [Double]) throws(RegressionError) -> RegressionFit {
    try validate(design: design, response: response)
    let options = FitOptions(scale: scale, start: start, tolerance: tolerance, maxIterations: maxIterations,
                             recordHistory: recordsHistory, absoluteMethod: loss.absoluteMethod ?? .irls,
                             outlierThreshold: outlierThreshold, confidenceLevel: confidenceLevel)
    let loss = self.loss
    do {
      let outcome = try Prepared.fitting(design, response: response, options: options) { prepared in
        try prepared.fit(loss)
      }
      return RegressionFit(regression: self, names: design.names, outcome: outcome)
    } catch let error as RegressionError {
      throw error
    } catch {
      // The engine throws only RegressionError; LAPACK's argument errors are programming errors.
      preconditionFailure("unexpected error from the fitting engine: \(error)")
    }
  }

  /// Fits `response` on predictor columns (each of one length), with an intercept added.
  public func fit(predictors: [[Double]], names: [String]? = nil,
                  response: [Double]) throws(RegressionError) -> RegressionFit {
    try fit(DesignMatrix(predictors: predictors, names: names, rows: response.count), response: response)
  }

  /// The checks every fit makes before it touches the data: lengths, finiteness, settings.
  func validate(design: DesignMatrix, response: [Double]) throws(RegressionError) {
    let n = design.rows, p = design.columns
    guard response.count == n else { throw .dimensionMismatch(rows: n, responses: response.count) }
    guard p >= 1, n > p else { throw .tooFewObservations(n: n, p: p) }
    if let row = response.firstIndex(where: { !$0.isFinite }) {
      throw .nonFinite(column: nil, name: "y", row: row)
    }
    try design.checkFinite()
    func invalid(_ argument: InvalidArgument) -> RegressionError { .invalidArgument(argument) }
    if let alpha = loss.barronAlpha, alpha.isNaN { throw invalid(.shapeNotANumber) }
    if let range = loss.alphaRange, !(range.lowerBound >= 0 && !range.upperBound.isNaN) {
      throw invalid(.alphaRange(lower: range.lowerBound, upper: range.upperBound))
    }
    if let k = loss.tuningConstant, !(k > 0 && k.isFinite) { throw invalid(.tuningConstant(k)) }
    if case .custom(let name) = loss.kind {
      guard let custom = loss.customFunctions?.loss else { throw invalid(.customLossWithoutFunctions(name: name)) }
      // The engine trusts ρ, ψ, ψ′ and w: probe them where residuals live (u = r/c of a few units up to
      // gross outliers) so that a loss returning NaN is named, not carried into the fit.
      for u in [0, 0.25, 1, 2, 5, 20, 1e3, 1e8].flatMap({ [$0, -$0] }) {
        let values = [custom.rho(u), custom.psi(u), custom.psiDerivative(u), custom.weight(u)]
        guard values.allSatisfy(\.isFinite), custom.weight(u) >= 0 else {
          throw invalid(.customLossNotFinite(name: name, u: u))
        }
      }
    }
    if case .fixed(let c) = scale, !(c > 0 && c.isFinite) { throw invalid(.lossScale(c)) }
    if case .coefficients(let beta) = start, beta.count != p || !beta.allSatisfy(\.isFinite) {
      throw invalid(.startCoefficients(count: beta.count, columns: p))
    }
    guard tolerance > 0, tolerance.isFinite else { throw invalid(.tolerance(tolerance)) }
    guard maxIterations >= 1 else { throw invalid(.iterationLimit(maxIterations)) }
    guard confidenceLevel > 0, confidenceLevel < 1 else { throw invalid(.confidenceLevel(confidenceLevel)) }
    guard outlierThreshold > 0, !outlierThreshold.isNaN else { throw invalid(.outlierThreshold(outlierThreshold)) }
  }
}

extension Prepared {
  /// The fit of one loss.
  func fit(_ loss: Loss) throws -> FitOutcome {
    switch loss.kind {
    case .huber:
      return try fitMEstimator(HuberLoss(), loss: loss)
    case .tukey:
      return try fitMEstimator(TukeyBiweightLoss(), loss: loss)
    case .absolute:
      return try fitAbsolute()
    case .adaptive(let alphaRange):
      return try AdaptiveFitter(prepared: self, alphaRange: alphaRange).fit()
    case .custom:
      return try fitMEstimator(loss.customFunctions!.loss, loss: loss)
    case .squared, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .general:
      return try fitMEstimator(BarronLoss(alpha: loss.barronAlpha!), loss: loss)
    }
  }
}

/// Validated data with the pieces every fit shares: the pass buffers, XᵀX's Cholesky factor and the
/// OLS solution.
struct Prepared {
  let design: DesignMatrix
  let response: [Double]
  let options: FitOptions
  let pass: WeightedPass
  /// The OLS coefficients.
  let ordinaryLeastSquares: [Double]
  /// (XᵀX)⁻¹, column-major.
  let inverseGram: [Double]
  /// The value of one unit of y in the prepared (possibly rescaled, ``DataConditioning``) data: the loss scale
  /// of the squared loss, whose c is 1 in the units of y.
  let responseUnit: Double
  /// max|xᵢⱼ| per column, bounding the rounding of X·β.
  let columnMagnitudes: [Double]

  /// Brings the data into range (``DataConditioning``), runs `body` on the
  /// prepared data and maps its fit back to the units and origins of the data.
  static func fitting(_ design: DesignMatrix, response: [Double], options: FitOptions,
                      _ body: (Prepared) throws -> FitOutcome) throws -> FitOutcome {
    let conditioning = DataConditioning(design: design, response: response)
    if conditioning.isIdentity {
      return try body(Prepared(design: design, response: response, options: options,
                               columnMagnitudes: conditioning.conditionedMagnitudes))
    }
    let prepared = try Prepared(design: conditioning.conditioned(design), response: conditioning.conditioned(response),
                                options: conditioning.conditioned(options), responseUnit: conditioning.response.factor,
                                columnMagnitudes: conditioning.conditionedMagnitudes)
    return try conditioning.original(try body(prepared))
  }

  /// The pass buffers, XᵀX's factor and the OLS fit of data that ``Regression/validate(design:response:)``
  /// accepted.
  /// `columnMagnitudes` is max|xᵢⱼ| per column (``DataConditioning/conditionedMagnitudes``, read in the
  /// same pass that decides the conditioning).
  init(design: DesignMatrix, response: [Double], options: FitOptions, responseUnit: Double = 1,
       columnMagnitudes: [Double]) throws {
    BLASThreads.pin()
    let p = design.columns
    self.responseUnit = responseUnit
    self.columnMagnitudes = columnMagnitudes
    self.design = design
    self.response = response
    self.options = options
    pass = WeightedPass(design: design, response: response)
    // XᵀX and Xᵀy with unit weights (the squared loss's weight is 1 whatever the scale).
    pass.runWithUnitWeights(beta: [Double](repeating: 0, count: p))
    var factor = pass.gram
    let solved = try NormalEquations.solveCholesky(gram: pass.gram, rhs: pass.rhs, order: p)
    guard case .solved(let ols) = solved else {
      let dependent = try NormalEquations.dependentColumns(of: design)
      if !dependent.isEmpty {
        throw RegressionError.collinear(columns: dependent, names: dependent.map { design.names[$0] })
      }
      guard let ols = try NormalEquations.solveQR(design: design, response: response, weights: nil) else {
        throw RegressionError.collinear(columns: Array(design.names.indices), names: design.names)
      }
      ordinaryLeastSquares = ols
      inverseGram = try LAPACK.inverseGramByQR(design)
      return
    }
    _ = try LAPACK.choleskyFactor(&factor, order: p)
    ordinaryLeastSquares = ols
    inverseGram = try LAPACK.choleskyInverse(factor, order: p)
  }

  /// The automatic start for a loss: OLS when convex, Huber when redescending.
  func start(isConvex: Bool, scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double] {
    switch options.start {
    case .coefficients(let beta): return beta  // checked by Regression.validate
    case .ordinaryLeastSquares: return ordinaryLeastSquares
    case .absolute:
      return try fitAbsolute().coefficients
    case .huber: return try huberStart(scratch: scratch)
    case .automatic: return isConvex ? ordinaryLeastSquares : try huberStart(scratch: scratch)
    }
  }

  private func huberStart(scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double] {
    let outcome = try IRLS.run(pass: pass, loss: HuberLoss(), start: ordinaryLeastSquares, fixedScale: nil,
                               tuning: Loss.huber.tuningConstant!, updateScale: true,
                               options: FitOptions(tolerance: 1e-8, maxIterations: 1000), scratch: scratch)
    return outcome.coefficients
  }

  /// An M-estimator fit for every loss except L1.
  func fitMEstimator<L: RobustLoss>(_ robustLoss: L, loss: Loss) throws -> FitOutcome {
    let n = design.rows
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    // Freed as soon as σ̂ is known, before the outputs are built (peak memory of large fits).
    var scratchAllocated = true
    defer { if scratchAllocated { scratch.deallocate() } }
    let startBeta = try start(isConvex: robustLoss.isConvex, scratch: scratch)
    var fixedScale: Double?
    var tuning = 1.0
    var update = true
    var warnings: [FitWarning] = []
    switch options.scale {
    case .fixed(let c): fixedScale = c
    case .mad, .madOfStart:
      update = options.scale == .mad
      if loss.kind == .squared && loss.tuningConstant == nil {
        fixedScale = responseUnit  // c does not change the squared-loss fit; report Σr²/2 in units of y.
      } else if let k = loss.tuningConstant {
        tuning = k
      } else if case .general(let alpha) = loss.kind, alpha != 2 {
        warnings.append(.noEfficientTuningConstant(alpha: alpha))  // and k = 1
      }
    }
    let outcome = try IRLS.run(pass: pass, loss: robustLoss, start: startBeta, fixedScale: fixedScale,
                               tuning: tuning, updateScale: update, options: options, scratch: scratch)
    if outcome.termination != .zeroScale, !outcome.objective.isFinite {
      pass.run(beta: outcome.coefficients, loss: robustLoss, scale: outcome.scale, accumulate: false)
      throw IRLS.overflow(pass: pass, scale: outcome.scale)
    }
    // The pass holds residuals and weights of the returned coefficients at the returned scale.
    pass.run(beta: outcome.coefficients, loss: robustLoss, scale: outcome.scale > 0 ? outcome.scale : 1,
             accumulate: false)
    let residuals = Array(pass.residuals)
    let zeroScale = outcome.termination == .zeroScale
    // At zero scale the rows on the hyperplane (to rounding) carry the fit: weight 1, all others 0.
    let onFit = zeroScale
      ? ExactFit.rowsOnFit(design: design, response: response, beta: outcome.coefficients, residuals: residuals)
      : []
    let weights = zeroScale ? onFit.map { $0 ? 1.0 : 0.0 } : Array(pass.weights)
    let sigma = zeroScale ? 0 : residuals.withUnsafeBufferPointer { Selection.madScale(of: $0, scratch: scratch) }
    scratch.deallocate()
    scratchAllocated = false
    var inference: Inference?
    if outcome.termination == .zeroScale {
      warnings.append(.zeroResidualScale)
    } else {
      switch Sandwich.covariance(loss: robustLoss, residuals: residuals, scale: outcome.scale,
                                 inverseGram: inverseGram, coefficients: outcome.coefficients,
                                 confidenceLevel: options.confidenceLevel) {
      case .success(let result): inference = result
      case .failure(let problem): warnings.append(.standardErrorsUnavailable(problem))
      }
    }
    if outcome.termination == .iterationLimit {
      warnings.append(.iterationLimit(iterations: outcome.iterations, tolerance: options.tolerance))
    }
    if outcome.termination == .rankDeficient { warnings.append(.rankLost) }
    return FitOutcome(
      names: design.names, coefficients: outcome.coefficients,
      residuals: residuals, weights: weights, scale: outcome.scale, sigma: sigma,
      tuning: fixedScale == nil ? tuning : nil, alpha: loss.barronAlpha,
      objective: outcome.termination == .zeroScale ? 0 : outcome.objective, objectiveKind: .sumOfLosses,
      iterations: outcome.iterations, termination: outcome.termination, inference: inference,
      outliers: zeroScale ? onFit.map { !$0 } : flagOutliers(residuals, sigma: sigma), history: outcome.history,
      warnings: warnings, adaptive: nil)
  }

  /// |r|/σ̂ above the threshold; with σ̂ = 0 every non-zero residual is flagged.
  func flagOutliers(_ residuals: [Double], sigma: Double) -> [Bool] {
    residuals.map { sigma > 0 ? abs($0) / sigma > options.outlierThreshold : $0 != 0 }
  }
}
