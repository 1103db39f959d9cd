/// Validated data with the pieces every fit shares: the pass buffers, XᵀX's Cholesky factor and the
/// OLS solution.
struct FitProblem {
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
  /// The case weights (``Regression/fit(_:response:weights:)``), or nil for 1 each.
  let caseWeights: [Double]?

  /// The case weights as a buffer, for the sums that take one.
  var weightBuffer: UnsafeBufferPointer<Double>? { pass.caseWeights.map { UnsafeBufferPointer($0) } }

  /// Σwᵢ, or n without case weights: the number of observations the rows stand for.
  var totalWeight: Double { pass.totalWeight }

  /// The residual degrees of freedom Σwᵢ − p (n − p without case weights), Σwᵢ rounded to a whole number
  /// of observations, at least 1.
  var residualDegreesOfFreedom: Int {
    Self.residualDegreesOfFreedom(totalWeight: totalWeight, parameters: design.columns)
  }

  /// The one rule for the residual degrees of freedom, shared with ``RegressionFit``.
  static func residualDegreesOfFreedom(totalWeight: Double, parameters p: Int) -> Int {
    max(1, Int(totalWeight.rounded()) - p)
  }

  /// Brings the data into range (``DataConditioning``, from `ranges` when the caller knows them), runs
  /// `body` on the prepared data and maps its fit back to the units and origins of the data.
  static func fitting(_ design: DesignMatrix, response: [Double], caseWeights: [Double]? = nil,
                      ranges: DataRanges? = nil, options: FitOptions,
                      _ body: (FitProblem) throws -> FitOutcome) throws -> FitOutcome {
    let conditioning = DataConditioning(design: design, response: response, ranges: ranges)
    if conditioning.isIdentity {
      return try body(FitProblem(design: design, response: response, caseWeights: caseWeights, options: options,
                               columnMagnitudes: conditioning.conditionedMagnitudes))
    }
    let problem = try FitProblem(design: conditioning.conditioned(design), response: conditioning.conditioned(response),
                                caseWeights: caseWeights,
                                options: conditioning.conditioned(options), responseUnit: conditioning.response.factor,
                                columnMagnitudes: conditioning.conditionedMagnitudes)
    return try conditioning.original(try body(problem), totalWeight: problem.totalWeight)
  }

  /// The pass buffers, XᵀX's factor and the OLS fit of data that ``Regression/validate(design:response:)``
  /// accepted.
  /// `columnMagnitudes` is max|xᵢⱼ| per column (``DataConditioning/conditionedMagnitudes``, read in the
  /// same pass that decides the conditioning).
  init(design: DesignMatrix, response: [Double], caseWeights: [Double]? = nil, options: FitOptions,
       responseUnit: Double = 1, columnMagnitudes: [Double]) throws {
    BLASThreads.pin()
    let p = design.columns
    self.responseUnit = responseUnit
    self.columnMagnitudes = columnMagnitudes
    self.design = design
    self.response = response
    self.options = options
    self.caseWeights = caseWeights
    pass = WeightedPass(design: design, response: response, caseWeights: caseWeights)
    // XᵀX and Xᵀy with unit weights (the squared loss's weight is 1 whatever the scale), times the case
    // weights: XᵀWX, and the OLS solution is weighted least squares.
    pass.runWithUnitWeights(beta: [Double](repeating: 0, count: p))
    var factor = pass.gram
    let solved = try NormalEquations.solveCholesky(gram: pass.gram, rhs: pass.rhs, order: p)
    guard case .solved(let ols) = solved else {
      let dependent = try NormalEquations.dependentColumns(of: design)
      if !dependent.isEmpty {
        throw RegressionError.collinear(columns: dependent, names: dependent.map { design.names[$0] })
      }
      let rowWeights = pass.caseWeights.map { UnsafeBufferPointer($0) }
      guard let ols = try NormalEquations.solveQR(design: design, response: response, weights: rowWeights) else {
        throw RegressionError.collinear(columns: Array(design.names.indices), names: design.names)
      }
      ordinaryLeastSquares = ols
      inverseGram = try LAPACK.inverseGramByQR(caseWeights.map { design.scalingRows(by: $0.map { $0.squareRoot() }) }
                                                  ?? design)
      return
    }
    _ = try LAPACK.choleskyFactor(&factor, order: p)
    ordinaryLeastSquares = ols
    inverseGram = try LAPACK.choleskyInverse(factor, order: p)
  }

  /// The automatic start for a loss: OLS when convex, Huber when redescending.
  ///
  /// The automatic start of a non-convex loss is the S-estimate (50 % breakdown: outliers in x cannot
  /// carry it away, where OLS, L1 and Huber can), or the Huber fit where n ≤ 2p leaves S undefined.
  func start(isConvex: Bool, scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double] {
    switch options.start {
    case .coefficients(let beta): return beta  // checked by Regression.validate
    case .ordinaryLeastSquares: return ordinaryLeastSquares
    case .absolute:
      return try fitAbsolute().coefficients
    case .huber: return try huberStart(scratch: scratch)
    case .automatic: return isConvex ? ordinaryLeastSquares : try highBreakdownStart(scratch: scratch)
    }
  }

  /// The S-estimate's coefficients (the high-breakdown start), or the Huber start where n ≤ 2p.
  func highBreakdownStart(scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double] {
    try highBreakdownEstimate()?.coefficients ?? huberStart(scratch: scratch)
  }

  /// The S-estimate with the problem's seed; nil where n ≤ 2p leaves it undefined.
  func highBreakdownEstimate() throws -> SEstimator.Estimate? {
    guard design.rows > 2 * design.columns else { return nil }
    return try SEstimator(problem: self, seed: options.seed).fit()
  }

  /// Every start a non-convex loss could take (the S-estimate, Huber, OLS, L1), for fits that keep the
  /// lowest objective among them.
  func candidateStarts(scratch: UnsafeMutableBufferPointer<Double>) throws -> [[Double]] {
    var starts = [try highBreakdownStart(scratch: scratch), try huberStart(scratch: scratch), ordinaryLeastSquares]
    if let absolute = try? fitAbsolute().coefficients { starts.append(absolute) }
    return starts
  }

  func huberStart(scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double] {
    let outcome = try IRLS.run(pass: pass, loss: HuberLoss(), start: ordinaryLeastSquares, fixedScale: nil,
                               tuning: Loss.huber.tuningConstant!, updateScale: true,
                               options: FitOptions(tolerance: 1e-8, maxIterations: 1000), scratch: scratch)
    return outcome.coefficients
  }

  /// |r|/σ̂ above the threshold; with σ̂ = 0 every non-zero residual is flagged.
  func flagOutliers(_ residuals: [Double], sigma: Double) -> [Bool] {
    residuals.map { sigma > 0 ? abs($0) / sigma > options.outlierThreshold : $0 != 0 }
  }
}

extension FitProblem {
  /// A deterministic pseudo-random subsample of `count` rows (one row from each block of ⌈n/count⌉),
  /// the problem itself when it has at most `count` rows, or all rows when the subsample cannot be prepared (e.g. its columns are collinear).
  func scanSubsample(rows count: Int) -> FitProblem {
    let n = design.rows
    guard n > count else { return self }
    let stride = (n + count - 1) / count
    var generator = SplitMix64(seed: 0x5EED_ADA9)
    var rows: [Int] = []
    rows.reserveCapacity(count)
    var blockStart = 0
    while blockStart < n {
      let width = min(stride, n - blockStart)
      rows.append(blockStart + Int(generator.next() % UInt64(width)))
      blockStart += stride
    }
    return (try? FitProblem(design: design.selectingRows(rows), response: rows.map { response[$0] },
                          caseWeights: caseWeights.map { w in rows.map { w[$0] } }, options: options,
                          responseUnit: responseUnit, columnMagnitudes: columnMagnitudes))
      ?? self
  }
}
