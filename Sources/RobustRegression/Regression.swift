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
  /// The seed of the random subsets of the high-breakdown estimators (``Loss/s``, ``Loss/mm``): the same
  /// data and seed give the same fit, bit for bit.
  public var seed: UInt64
  /// The standard errors of the L1 fit (``Loss/absolute``): quantreg's `se = "iid"` (the default) or its
  /// `se = "nid"` sandwich, for errors whose spread changes with x (``AbsoluteStandardErrors``). Other
  /// losses do not read it.
  public var absoluteStandardErrors: AbsoluteStandardErrors

  /// An estimator with the given settings; each defaults to Docs/spec.md §4's value.
  public init(loss: Loss = .huber, scale: ScaleRule = .mad, start: StartRule = .automatic,
              tolerance: Double = 1e-10, maxIterations: Int = 500, confidenceLevel: Double = 0.95,
              outlierThreshold: Double = 2.5, recordsHistory: Bool = false, seed: UInt64 = 1,
              absoluteStandardErrors: AbsoluteStandardErrors = .iid) {
    self.loss = loss
    self.scale = scale
    self.start = start
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.confidenceLevel = confidenceLevel
    self.outlierThreshold = outlierThreshold
    self.recordsHistory = recordsHistory
    self.seed = seed
    self.absoluteStandardErrors = absoluteStandardErrors
  }

  enum CodingKeys: String, CodingKey {
    case loss, scale, start, tolerance, maxIterations, confidenceLevel, outlierThreshold, recordsHistory, seed
    case absoluteStandardErrors
  }

  /// Decodes every setting; an archive written before ``absoluteStandardErrors`` existed (a model file
  /// of `robustfit fit --save-fit`) has iid standard errors, what its fit reported.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    loss = try c.decode(Loss.self, forKey: .loss)
    scale = try c.decode(ScaleRule.self, forKey: .scale)
    start = try c.decode(StartRule.self, forKey: .start)
    tolerance = try c.decode(Double.self, forKey: .tolerance)
    maxIterations = try c.decode(Int.self, forKey: .maxIterations)
    confidenceLevel = try c.decode(Double.self, forKey: .confidenceLevel)
    outlierThreshold = try c.decode(Double.self, forKey: .outlierThreshold)
    recordsHistory = try c.decode(Bool.self, forKey: .recordsHistory)
    seed = try c.decode(UInt64.self, forKey: .seed)
    absoluteStandardErrors = try c.decodeIfPresent(AbsoluteStandardErrors.self, forKey: .absoluteStandardErrors) ?? .iid
  }

  /// Fits `response` on `design`.
  ///
  /// - Throws: ``RegressionError`` when the data or the settings cannot be used (lengths that disagree,
  ///   NaN or infinite values, n ≤ p, collinear columns, settings out of their domain) or a result lies
  ///   beyond the double range. A fit that stops early is returned with its ``Termination``.
  public func fit(_ design: DesignMatrix, response: [Double]) throws(RegressionError) -> RegressionFit {
    try fit(design, response: response, weights: nil)
  }

  /// Fits `response` on `design` with case weights: row i counts as `weights[i]` observations (frequency
  /// weights, statsmodels' `freq_weights`, R's `weights =` of `rq` and `lmrob`), so integer weights give
  /// the fit of the data with each row repeated that many times — its coefficients, scales, objective
  /// and standard errors (with Σwᵢ − p degrees of freedom). A weight of 0 leaves its row out of the fit
  /// (its residual is still reported). These are not MASS `rlm`'s inverse-variance weights
  /// (`wt.method = "inv.var"`), which rescale each row's residual instead (Docs/weights.md).
  ///
  /// - Throws: ``RegressionError/weightCount(count:rows:)``, ``RegressionError/invalidWeight(row:value:)``
  ///   (negative, NaN or infinite), ``RegressionError/tooFewWeightedObservations(positive:total:p:)``,
  ///   and everything ``fit(_:response:)`` throws.
  public func fit(_ design: DesignMatrix, response: [Double], weights: [Double]?) throws(RegressionError)
    -> RegressionFit {
    try fit(design, response: response, weights: weights, ranges: nil)
  }

  /// ``fit(_:response:weights:)`` of data whose ranges the caller has already read (``DataRanges``: every
  /// value finite, each range exact), so that the fit does not read X for them again; nil reads them, as
  /// do ranges of the wrong width (not one per design column).
  package func fit(_ design: DesignMatrix, response: [Double], weights: [Double]?, ranges given: DataRanges?)
    throws(RegressionError) -> RegressionFit {
    let ranges = given?.columns.count == design.columns ? given : nil
    if let ranges {
      assert(ranges == DataRanges(design: design, response: response), "DataRanges are not those of the data")
    }
    try validate(design: design, response: response, finite: ranges != nil)
    if let weights { try Self.validate(weights: weights, design: design, highBreakdown: loss.isHighBreakdown) }
    let options = fitOptions
    let loss = self.loss
    do {
      let outcome = try FitProblem.fitting(design, response: response, caseWeights: weights, ranges: ranges,
                                           options: options) { problem in
        try problem.fit(loss)
      }
      return RegressionFit(regression: self, names: design.names, outcome: outcome, caseWeights: weights)
    } catch let error as RegressionError {
      throw error
    } catch {
      // The engine throws only RegressionError; LAPACK's argument errors are programming errors.
      preconditionFailure("unexpected error from the fitting engine: \(error)")
    }
  }

  /// The engine's options of this regression's fits.
  var fitOptions: FitOptions {
    FitOptions(scale: scale, start: start, tolerance: tolerance, maxIterations: maxIterations,
               recordHistory: recordsHistory, absoluteMethod: loss.absoluteMethod ?? .irls,
               absoluteStandardErrors: absoluteStandardErrors,
               outlierThreshold: outlierThreshold, confidenceLevel: confidenceLevel, seed: seed)
  }

  /// Fits `response` on predictor columns (each of one length), with an intercept added.
  public func fit(predictors: [[Double]], names: [String]? = nil,
                  response: [Double]) throws(RegressionError) -> RegressionFit {
    try fit(DesignMatrix(predictors: predictors, names: names, rows: response.count), response: response)
  }

  /// Case weights: one per row, finite and not negative, with more than p positive ones summing to more
  /// than p (more than 2p of each for a high-breakdown fit).
  static func validate(weights: [Double], design: DesignMatrix, highBreakdown: Bool) throws(RegressionError) {
    guard weights.count == design.rows else { throw .weightCount(count: weights.count, rows: design.rows) }
    if let row = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
      throw .invalidWeight(row: row, value: weights[row])
    }
    let positive = weights.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }, total = weights.reduce(0, +)
    let p = design.columns, needed = highBreakdown ? 2 * p : p
    guard positive > needed, total > Double(needed) else {
      throw .tooFewWeightedObservations(positive: positive, total: total, p: p, highBreakdown: highBreakdown)
    }
  }

  /// The checks every fit makes before it touches the data: lengths, finiteness (unless the values are
  /// known to be `finite`), settings.
  func validate(design: DesignMatrix, response: [Double], finite: Bool = false) throws(RegressionError) {
    let n = design.rows, p = design.columns
    guard response.count == n else { throw .dimensionMismatch(rows: n, responses: response.count) }
    guard p >= 1, n > p else { throw .tooFewObservations(n: n, p: p) }
    if !finite {
      if let row = response.firstIndex(where: { !$0.isFinite }) {
        throw .nonFinite(column: nil, name: "y", row: row)
      }
      try design.checkFinite()
    }
    if loss.isHighBreakdown, n <= 2 * p { throw .tooFewObservationsForBreakdown(n: n, p: p) }
    func invalid(_ argument: InvalidArgument) -> RegressionError { .invalidArgument(argument) }
    if let alpha = loss.barronAlpha, alpha.isNaN { throw invalid(.shapeNotANumber) }
    if let range = loss.alphaRange, let criterion = loss.adaptiveCriterion,
       !(criterion.admissibleAlphaRange.contains(range.lowerBound)
         && criterion.admissibleAlphaRange.contains(range.upperBound)) {
      throw invalid(.alphaRange(lower: range.lowerBound, upper: range.upperBound, criterion: criterion))
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

extension FitProblem {
  /// The fit of one loss.
  func fit(_ loss: Loss) throws -> FitOutcome {
    switch loss.kind {
    case .huber:
      return try fitMEstimator(HuberLoss(), loss: loss)
    case .tukey:
      return try fitMEstimator(TukeyBiweightLoss(), loss: loss)
    case .absolute:
      return try fitAbsolute()
    case .adaptive(let alphaRange, .likelihood):
      return try AdaptiveFitter(fitProblem: self, alphaRange: alphaRange).fit()
    case .adaptive(let alphaRange, .variance):
      return try MinimumVarianceFitter(fitProblem: self, alphaRange: alphaRange).fit()
    case .custom:
      return try fitMEstimator(loss.customFunctions!.loss, loss: loss)
    case .sEstimate:
      return try fitS()
    case .mm:
      return try fitMM(k: loss.tuningConstant!)
    case .squared, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .general:
      return try fitMEstimator(BarronLoss(alpha: loss.barronAlpha!), loss: loss)
    }
  }
}
