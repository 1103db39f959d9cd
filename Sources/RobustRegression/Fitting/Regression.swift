/// Robust linear regression: the entry points.
///
/// ```swift
/// import RobustRegression
///
/// let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
/// let y: [Double] = [1.1, 2.9, 5.2, 7.1, 8.8, 40, 13.1, 15.0]   // one gross outlier
/// let design = DesignMatrix(predictors: [x], names: ["x"])
/// let fit = try Regression.fit(design, response: y, loss: .cauchy)
/// print(fit.coefficients)            // ≈ [1.06, 1.99]: the outlier at x = 5 has weight ≈ 2e-4
/// let adaptive = try Regression.fitAdaptive(design, response: y)
/// print(adaptive.alpha!)             // the shape Barron's NLL prefers
/// ```
public enum Regression {
  /// The warning a fit carries when Barron's general loss at `alpha` has no tuning constant with 95 %
  /// efficiency at the Gaussian (α in about (1.5788, 2.5184), α ≠ 2: every k is more efficient) and
  /// none was given, so that k = 1 (c = σ̂) was used.
  public static func noEfficientTuningWarning(alpha: Double) -> String {
    "no 95 %-efficiency tuning constant k exists for α = \(alpha) (every k is more efficient); k = 1 was "
      + "used, so c = σ̂ (give a tuning constant or a scale to choose c)"
  }

  /// Fits `response` on `design` under `loss` by IRLS (Docs/spec.md §4).
  ///
  /// - Throws: ``RegressionError`` when the data cannot be fitted (non-finite values, n ≤ p,
  ///   collinear columns, invalid options). A fit that stops early is returned with its
  ///   ``Termination``.
  public static func fit(_ design: DesignMatrix, response: [Double], loss: Loss,
                         options: FitOptions = FitOptions()) throws -> RegressionFit {
    if case .general(let alpha) = loss, alpha.isNaN {
      throw RegressionError.invalidOption("Barron's shape α must be a number or ±infinity, not NaN")
    }
    return try Prepared.fitting(design, response: response, options: options) { prepared in
      try prepared.fit(loss)
    }
  }

  /// Convenience: predictors as columns, an intercept added.
  public static func fit(predictors: [[Double]], response: [Double], loss: Loss,
                         options: FitOptions = FitOptions()) throws -> RegressionFit {
    try fit(DesignMatrix(predictors: predictors, rows: response.count), response: response, loss: loss,
            options: options)
  }
}

extension Prepared {
  /// The fit of one fixed loss.
  func fit(_ loss: Loss) throws -> RegressionFit {
    switch loss {
    case .huber:
      return try fitMEstimator(HuberLoss(), loss: loss)
    case .tukey:
      return try fitMEstimator(TukeyBiweightLoss(), loss: loss)
    case .absolute:
      return try fitAbsolute()
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

  /// Checks the data and options, brings the data into range (``DataConditioning``), runs `body` on the
  /// prepared data and maps its fit back to the units and origins of the data.
  static func fitting(_ design: DesignMatrix, response: [Double], options: FitOptions,
                      _ body: (Prepared) throws -> RegressionFit) throws -> RegressionFit {
    try validate(design: design, response: response, options: options)
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

  /// The checks every fit makes before it touches the data: lengths, finiteness, options.
  static func validate(design: DesignMatrix, response: [Double], options: FitOptions) throws {
    let n = design.rows, p = design.columns
    guard response.count == n else { throw RegressionError.dimensionMismatch(rows: n, responses: response.count) }
    guard p >= 1, n > p else { throw RegressionError.tooFewObservations(n: n, p: p) }
    if let row = response.firstIndex(where: { !$0.isFinite }) {
      throw RegressionError.nonFinite(variable: "y", row: row)
    }
    for j in 0..<p {
      if let i = (0..<n).first(where: { !design.values[j * n + $0].isFinite }) {
        throw RegressionError.nonFinite(variable: design.names[j], row: i)
      }
    }
    guard options.tolerance > 0, options.tolerance.isFinite else {
      throw RegressionError.invalidOption("the tolerance must be a positive number")
    }
    guard options.maxIterations >= 1 else {
      throw RegressionError.invalidOption("the iteration limit must be at least 1")
    }
    if case .fixed(let c) = options.scale, !(c > 0 && c.isFinite) {
      throw RegressionError.invalidOption("the loss scale must be a positive finite number, not \(c)")
    }
    if case .mad(let k?, _) = options.scale, !(k > 0 && k.isFinite) {
      throw RegressionError.invalidOption("the tuning constant must be a positive finite number, not \(k)")
    }
  }

  /// The pass buffers, XᵀX's factor and the OLS fit of data that ``validate(design:response:options:)``
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
      if !dependent.isEmpty { throw RegressionError.collinear(dependent: dependent) }
      guard let ols = try NormalEquations.solveQR(design: design, response: response, weights: nil) else {
        throw RegressionError.collinear(dependent: design.names)
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
    case .coefficients(let beta):
      guard beta.count == design.columns, beta.allSatisfy(\.isFinite) else {
        throw RegressionError.invalidOption("the start needs \(design.columns) finite coefficients")
      }
      return beta
    case .ordinaryLeastSquares: return ordinaryLeastSquares
    case .absolute:
      return try fitAbsolute().coefficients
    case .huber: return try huberStart(scratch: scratch)
    case .automatic: return isConvex ? ordinaryLeastSquares : try huberStart(scratch: scratch)
    }
  }

  private func huberStart(scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double] {
    let outcome = try IRLS.run(pass: pass, loss: HuberLoss(), start: ordinaryLeastSquares, fixedScale: nil,
                               tuning: 1.345, updateScale: true,
                               options: FitOptions(tolerance: 1e-8, maxIterations: 1000), scratch: scratch)
    return outcome.coefficients
  }

  /// An M-estimator fit for every loss except L1.
  func fitMEstimator<L: RobustLoss>(_ robustLoss: L, loss: Loss) throws -> RegressionFit {
    let n = design.rows
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    // Freed as soon as σ̂ is known, before the outputs are built (peak memory of large fits).
    var scratchAllocated = true
    defer { if scratchAllocated { scratch.deallocate() } }
    let startBeta = try start(isConvex: robustLoss.isConvex, scratch: scratch)
    var fixedScale: Double?
    var tuning = 1.0
    var update = true
    var tuningWarning: String?
    switch options.scale {
    case .fixed(let c): fixedScale = c
    case .mad(let k, let u):
      update = u
      if loss == .squared && k == nil {
        fixedScale = responseUnit  // c does not change the squared-loss fit; report Σr²/2 in units of y.
      } else {
        tuning = k ?? loss.defaultTuning ?? 1
        if k == nil, loss.defaultTuning == nil, case .general(let alpha) = loss, alpha != 2 {
          tuningWarning = Regression.noEfficientTuningWarning(alpha: alpha)
        }
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
    var warnings: [String] = tuningWarning.map { [$0] } ?? []
    var inference: Inference?
    if outcome.termination == .zeroScale {
      warnings.append("the robust scale is 0: more than half of the points lie exactly on the fitted "
        + "hyperplane, so the fit interpolates them; standard errors are not available (fix the scale with --scale)")
    } else {
      switch Sandwich.covariance(loss: robustLoss, residuals: residuals, scale: outcome.scale,
                                 inverseGram: inverseGram, coefficients: outcome.coefficients) {
      case .success(let result): inference = result
      case .failure(let reason): warnings.append(reason.description)
      }
    }
    if outcome.termination == .iterationLimit {
      warnings.append("IRLS did not converge in \(outcome.iterations) iterations (tolerance \(options.tolerance))")
    }
    if outcome.termination == .rankDeficient {
      warnings.append("the weighted least-squares system lost rank (too many points with weight 0)")
    }
    return RegressionFit(
      lossName: loss.name, names: design.names, coefficients: outcome.coefficients,
      residuals: residuals, weights: weights, scale: outcome.scale, sigma: sigma,
      tuning: fixedScale == nil ? tuning : nil, alpha: loss.barronAlpha,
      objective: outcome.termination == .zeroScale ? 0 : outcome.objective,
      iterations: outcome.iterations, termination: outcome.termination, inference: inference,
      outliers: zeroScale ? onFit.map { !$0 } : flagOutliers(residuals, sigma: sigma), history: outcome.history, warnings: warnings,
      adaptive: nil)
  }

  /// |r|/σ̂ above the threshold; with σ̂ = 0 every non-zero residual is flagged.
  func flagOutliers(_ residuals: [Double], sigma: Double) -> [Bool] {
    residuals.map { sigma > 0 ? abs($0) / sigma > options.outlierThreshold : $0 != 0 }
  }
}
