import Foundation

/// Why a distributed fit stopped.
package enum DistributedFitError: Error, CustomStringConvertible {
  /// The host's pass failed, or answered something a pass cannot.
  case host(String)
  /// A loss, option or data property the distributed fit does not handle (yet).
  case unsupported(String)
  /// NaN or ±∞ in the data or the residuals.
  case nonFinite(String)
  /// The library refused the data (too few rows, collinear columns, an overflow).
  case regression(String)

  package var description: String {
    switch self {
    case .host(let message): "the host's pass failed: \(message)"
    case .unsupported(let message): "not supported by the distributed fit: \(message)"
    case .nonFinite(let message): "non-finite values: \(message)"
    case .regression(let message): message
    }
  }
}

/// A robustfit M-estimate over rows the driver never holds (Docs/scaling.md): the IRLS loop of a fit in
/// memory (``IRLS/run(pass:loss:start:fixedScale:tuning:updateScale:options:scratch:startSigma:)``) on a
/// ``DistributedPass``, then σ̂ and Huber's sandwich from merged sums. The data are the design's
/// predictor columns (in the host's order, with an intercept first unless `intercept` is false) and y.
///
/// Losses run as sums over the rows: those whose automatic start is OLS — `l2`, `huber` and Barron's
/// loss at a fixed α ∈ [1, 2] (`pseudo-huber`, `general` with α ≥ 1) — with the MAD scale re-estimated
/// at every β, or fixed. Every other loss (adaptive, mm, s, the redescending ones, l1) runs on the
/// driver over the rows brought there (``DriverSample``), up to its limit of rows; above it S and MM run
/// their candidate search on a sample and the rest as passes (``highBreakdownFit``), and so do the
/// redescending losses' S start and their IRLS (``redescendingFit``), and the adaptive loss its start and
/// α scan (``adaptiveFit``); the others are refused.
package final class DistributedFit {
  package let loss: Loss
  package let predictors: Int
  package let intercept: Bool
  /// Whether the host sends a case-weights column with every batch (frequency weights: row i counts as
  /// wᵢ rows, ``Regression/fit(_:response:weights:)``).
  package let weighted: Bool
  let options: FitOptions

  /// The fit's outcome.
  package struct Result: Sendable {
    package var names: [String]
    package var coefficients: [Double]
    package var standardErrors: [Double]?
    package var scale: Double
    package var sigma: Double
    package var objective: Double
    package var iterations: Int
    package var termination: String
    package var rows: Int
    package var passes: [String: Int]
    /// Barron's shape α (fixed or estimated; nil outside the family) and its standard error when estimated.
    package var alpha: Double? = nil
    package var alphaStandardError: Double? = nil
    /// The residual degrees of freedom of the t intervals: Σw − p with case weights, else n − p (at least 1).
    package var degreesOfFreedom = 1
    /// Σwᵢ of a weighted fit (nil without case weights).
    package var totalWeight: Double? = nil
    /// The adaptive fit: its α range, se(c), whether α or c ended on a bound, and the selection (the
    /// profile points evaluated and the profile-likelihood interval of α, as the fit in memory's).
    package var alphaRange: ClosedRange<Double>? = nil
    package var scaleStandardError: Double? = nil
    package var alphaOnBound = false, scaleOnBound = false
    package var shapeSelection: RegressionFit.ShapeSelection? = nil
    /// The inference the standard errors come from (its covariance: the map back of a conditioned fit).
    var inference: Inference? = nil
    /// The residuals' quantiles, the outlier count and R² (``summarizes``; nil when not asked for).
    package var residualSummary: DistributedResidualSummary? = nil
  }

  /// How the fit runs: IRLS on the driver over sums from the host (``DistributedPass``), or the fit in
  /// memory on the driver over the rows brought there (``DriverSample``; at most its limit of rows).
  enum Route { case sums, driverRows }
  /// Most |r| values one σ̂ pass may bring to the driver (``DistributedPass/valueLimit``): the default
  /// suits a driver collecting over a network; a host on the same machine (the CLI's out-of-core fit)
  /// may take more, so that σ̂ takes one window pass where it would take a histogram and a values pass.
  package var valueLimit = DistributedPass.defaultValueLimit
  /// Whether the fit ends with the passes of its residual summary (``DistributedResidualSummary``: two
  /// or more passes over the rows at β̂), whose outliers are the rows with |r|/σ̂ above
  /// ``outlierThreshold`` (S and MM: lmrob's rule, robustness weight below 0.1/n).
  package var summarizes = false
  package var outlierThreshold = 2.5
  let route: Route
  let regression: Regression

  /// A fit of `lossName` (a `--loss` name; `alpha` for `general`), `tuning` k (nil: the loss's
  /// default), `fixedScale` c (nil: k·σ̂ with σ̂ re-estimated at every β; for the adaptive loss c held
  /// fixed); `weighted`: the host passes case weights with every batch.
  package init(lossName: String, alpha: Double?, tuning: Double?, fixedScale: Double?, predictors: Int,
               intercept: Bool, weighted: Bool = false, tolerance: Double, maxIterations: Int)
    throws(DistributedFitError) {
    guard var loss = Loss(name: lossName, alpha: alpha) else {
      throw .unsupported("unknown loss \(lossName)")
    }
    // The CLI's rule (FitRequest): k and c apply to the losses with a settable scale; the adaptive loss
    // may hold c fixed.
    let settableScale = loss.absoluteMethod == nil && loss.alphaRange == nil && !loss.isHighBreakdown
    if let tuning {
      guard settableScale else { throw .unsupported("a tuning constant for the loss \(loss.name)") }
      loss = loss.withTuningConstant(tuning)
    }
    if fixedScale != nil, !(settableScale || loss.alphaRange != nil) {
      throw .unsupported("a fixed scale for the loss \(loss.name)")
    }
    switch loss.kind {
    case .squared, .huber, .pseudoHuber: route = .sums
    case .general(let a) where a >= 1: route = .sums  // convex: OLS start, as the fit in memory
    default: route = .driverRows
    }
    guard predictors >= 0, predictors + (intercept ? 1 : 0) >= 1 else { throw .unsupported("a design without columns") }
    guard tolerance > 0, maxIterations >= 1 else { throw .unsupported("tolerance ≤ 0 or fewer than 1 iteration") }
    if let fixedScale, !(fixedScale > 0 && fixedScale.isFinite) { throw .unsupported("a fixed scale ≤ 0") }
    self.loss = loss
    self.predictors = predictors
    self.intercept = intercept
    self.weighted = weighted
    options = FitOptions(scale: fixedScale.map { .fixed($0) } ?? .mad, tolerance: tolerance,
                         maxIterations: maxIterations)
    regression = Regression(loss: loss, scale: fixedScale.map { .fixed($0) } ?? .mad, tolerance: tolerance,
                            maxIterations: maxIterations)
  }

  /// Runs the fit, each pass through `host`.
  package func run(names: [String], host: @escaping PassHost) throws(DistributedFitError) -> Result {
    do {
      return try fit(names: names, host: host)
    } catch let error as DistributedFitError {
      throw error
    } catch let error as RegressionError {
      if case .objectiveOverflow = error {
        throw .regression("the objective Σρ(r/c) or XᵀWX overflows the double range (a residual near 1e308 against c)")
      }
      throw .regression(error.description)
    } catch {
      throw .host("\(error)")
    }
  }

  private func fit(names: [String], host: @escaping PassHost) throws -> Result {
    let p = predictors + (intercept ? 1 : 0)
    // S, MM, the redescending losses and the adaptive loss above the driver's limit run as passes over all
    // rows (DistributedHighBreakdown, DistributedRedescending, DistributedAdaptive), whose sums need data in
    // range as the sums route's do: conditioned as the fit in memory conditions them (DistributedConditioning).
    // The rows brought to the driver are fitted in memory, which conditions them itself.
    let passesAboveLimit = loss.isHighBreakdown || startsFromSEstimate || loss.adaptiveCriterion == .likelihood
    let range = try checkRange(host: host)
    let (rows, weights) = (range.rows, range.weights)
    guard route == .sums || (passesAboveLimit && rows > DriverSample.limit(columns: p)) else {
      // The fit in memory on the driver conditions the rows itself; its summary is at the β of the data
      // as given.
      let result = try driverFit(rows: rows, names: names, host: host)
      return try summarized(result, fitted: result, host: host, responseMagnitude: range.magnitudes[0])
    }
    let conditioning = try decideConditioning(range, host: host)
    guard !conditioning.isIdentity else {
      let result = try routed(rows: rows, responseMagnitude: range.magnitudes[0], magnitudes: range.magnitudes,
                              weights: weights, names: names, host: host, conditioning: nil)
      return try summarized(result, fitted: result, host: host, responseMagnitude: range.magnitudes[0])
    }
    // The conditioned magnitudes: y's, then each predictor's (`conditionedMagnitudes` is per design column).
    let magnitudes = [range.largest(0, shift: conditioning.response.shift) * conditioning.response.factor]
      + conditioning.conditionedMagnitudes.dropFirst(intercept ? 1 : 0)
    let conditionedHost = Self.conditioned(host, by: conditioning)
    let result = try routed(rows: rows, responseMagnitude: magnitudes[0], magnitudes: magnitudes, weights: weights,
                            names: names, host: conditionedHost, conditioning: conditioning)
    // The summary at the conditioned β̃, as the fit in memory takes its residuals (r̃/s_y).
    return try summarized(original(result, conditioning: conditioning), fitted: result, host: conditionedHost,
                          responseMagnitude: range.magnitudes[0])
  }

  /// `result` with its residual summary when ``summarizes``: at the β and loss scale of `fitted` (the
  /// same result in the units of `host`), σ̂ of `result` (in the units of y).
  private func summarized(_ result: Result, fitted: Result, host: @escaping PassHost,
                          responseMagnitude: Double) throws -> Result {
    guard summarizes else { return result }
    let total = result.totalWeight ?? Double(result.rows)
    let rule: DistributedResidualSummary.OutlierRule = loss.isHighBreakdown
      ? .bisquareWeight(scale: fitted.scale > 0 ? fitted.scale : 1, threshold: 0.1 / total)
      : .ratio(sigma: result.sigma, threshold: outlierThreshold)
    let summary = try DistributedResidualSummary.compute(
      host: host, beta: fitted.coefficients, predictors: predictors, intercept: intercept, rows: result.rows,
      totalWeight: result.totalWeight, rule: rule, responseMagnitude: loss.kind == .squared ? responseMagnitude : nil,
      parameters: result.coefficients.count, valueLimit: valueLimit)
    var summarized = result
    summarized.residualSummary = summary
    summarized.passes.merge(summary.passes, uniquingKeysWith: +)
    return summarized
  }

  /// The fit's route after its range pass, on data in range (`conditioning`: how they were brought there,
  /// whose unit of y a fixed c and the squared loss's c are in).
  private func routed(rows: Int, responseMagnitude: Double, magnitudes: [Double],
                      weights: (total: Double, positive: Int, invalid: Int)?, names: [String],
                      host: @escaping PassHost, conditioning: DataConditioning?) throws -> Result {
    let p = predictors + (intercept ? 1 : 0)
    let limit = DriverSample.limit(columns: p), sampled = loss.isHighBreakdown || startsFromSEstimate
    let adaptive = loss.adaptiveCriterion == .likelihood
    if route == .driverRows {
      if sampled && rows > limit {
        return try startsFromSEstimate
          ? redescendingFit(rows: rows, responseMagnitude: responseMagnitude, weights: weights, names: names, host: host)
          : highBreakdownFit(rows: rows, responseMagnitude: responseMagnitude, weights: weights, names: names,
                             host: host)
      }
      if adaptive && rows > limit {
        return try adaptiveFit(rows: rows, responseMagnitude: responseMagnitude, magnitudes: magnitudes,
                               weights: weights, names: names, host: host, conditioning: conditioning)
      }
      return try driverFit(rows: rows, names: names, host: host)
    }
    guard rows > p else { throw RegressionError.tooFewObservations(n: rows, p: p) }
    try Self.validate(weights, columns: p, highBreakdown: false)
    let pass = DistributedPass(predictors: predictors, intercept: intercept, rows: rows,
                               responseMagnitude: responseMagnitude, weighted: weighted,
                               totalWeight: weights?.total, valueLimit: valueLimit, host: host)
    // XᵀX and Xᵀy: the OLS start and (XᵀX)⁻¹ of the sandwich (FitProblem's first pass).
    try pass.run(beta: [Double](repeating: 0, count: p), loss: UnitWeights(), scale: 1, accumulate: true)
    guard case .solved(let ols) = try NormalEquations.solveCholesky(gram: pass.gram, rhs: pass.rhs, order: p) else {
      throw DistributedFitError.regression("the design's columns are collinear (or XᵀX is too ill-conditioned "
                                          + "for the distributed fit, which has no QR fallback)")
    }
    let inverseGram = try Self.inverseGram(of: pass)
    let setting = FitProblem.scaleSetting(for: loss, options: conditioning.map { $0.conditioned(options) } ?? options,
                                          responseUnit: conditioning?.response.factor ?? 1)
    switch loss.kind {
    case .huber: return try fit(HuberLoss(), pass: pass, start: ols, setting: setting, inverseGram: inverseGram, names: names)
    default:
      return try fit(BarronLoss(alpha: loss.barronAlpha!), pass: pass, start: ols, setting: setting,
                     inverseGram: inverseGram, names: names)
    }
  }

  /// IRLS, σ̂ and the sandwich (``FitProblem/fitMEstimator(_:loss:)``'s steps from one start; `startSigma`:
  /// the first σ̂ when the start is the S-estimate, whose scale it is).
  func fit<L: RobustLoss>(_ robustLoss: L, pass: DistributedPass, start: [Double], setting: FitProblem.ScaleSetting,
                          inverseGram: [Double], names: [String], startSigma: Double? = nil) throws -> Result {
    let p = pass.columns, n = pass.rows
    let noScratch = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    let outcome = try IRLS.run(pass: pass, loss: robustLoss, start: start, fixedScale: setting.fixedScale,
                               tuning: setting.tuning, updateScale: setting.updatesScale, options: options,
                               scratch: noScratch, startSigma: startSigma)
    guard outcome.termination != .zeroScale else {
      throw DistributedFitError.unsupported("σ̂ = 0 (more than half of the rows on one hyperplane)")
    }
    guard outcome.objective.isFinite else { throw IRLS.overflow(pass: pass, scale: outcome.scale) }
    let sigma = try pass.medianAbsoluteResidual(at: outcome.coefficients) / Selection.madConsistency
    let inference = try sandwichInference(pass: pass, loss: robustLoss, beta: outcome.coefficients,
                                          scale: outcome.scale, inverseGram: inverseGram)
    var result = Result(names: names, coefficients: outcome.coefficients, standardErrors: inference?.standardErrors,
                  scale: outcome.scale, sigma: sigma, objective: outcome.objective, iterations: outcome.iterations,
                  termination: Self.label(outcome.termination), rows: n,
                  passes: pass.passCounts,
                  alpha: loss.barronAlpha,
                  degreesOfFreedom: FitProblem.residualDegreesOfFreedom(totalWeight: pass.totalWeight, parameters: p),
                  totalWeight: weighted ? pass.totalWeight : nil)
    result.inference = inference
    return result
  }

  /// Huber's sandwich standard errors from its sums at β and c (``Sandwich/covariance(loss:residuals:scale:inverseGram:coefficients:confidenceLevel:caseWeights:degreesOfFreedom:)``
  /// from merged sums): Σ(cψ)² and m first, then the variance of ψ′ about m; nil when m ≤ 0.
  func sandwichInference<L: RobustLoss>(pass: DistributedPass, loss robustLoss: L, beta: [Double], scale c: Double,
                                        inverseGram: [Double]) throws -> Inference? {
    let first = try pass.sandwichSums(beta: beta, loss: robustLoss, scale: c, meanSlope: 0)
    let meanSlope = first[1] / first[3]
    guard meanSlope > 0 else { return nil }
    let second = try pass.sandwichSums(beta: beta, loss: robustLoss, scale: c, meanSlope: meanSlope)
    let factor = Sandwich.varianceFactor(sumScaledPsiSquared: first[0], meanSlope: meanSlope,
                                         slopeVariance: second[2] / first[3], observations: first[3],
                                         parameters: pass.columns)
    return Inference(covariance: inverseGram.map { $0 * factor }, coefficients: beta,
                     degreesOfFreedom: FitProblem.residualDegreesOfFreedom(totalWeight: pass.totalWeight,
                                                                           parameters: pass.columns),
                     method: .huberSandwich, confidenceLevel: options.confidenceLevel)
  }

  /// Regression.validate(weights:design:highBreakdown:)'s rule, from the range pass's counts of the
  /// case weights (nil: the fit has none).
  static func validate(_ weights: (total: Double, positive: Int, invalid: Int)?, columns p: Int,
                       highBreakdown: Bool) throws {
    guard let weights else { return }
    guard weights.invalid == 0 else {
      throw DistributedFitError.regression("\(weights.invalid) case weights are negative, NaN or infinite")
    }
    let least = highBreakdown ? 2 * p : p
    guard weights.positive > least, weights.total > Double(least) else {
      throw RegressionError.tooFewWeightedObservations(positive: weights.positive, total: weights.total, p: p,
                                                       highBreakdown: highBreakdown)
    }
  }

  /// (XᵀX)⁻¹ from the last unit-weight pass's Gram matrix.
  static func inverseGram(of pass: DistributedPass) throws -> [Double] {
    var factor = pass.gram
    guard try LAPACK.choleskyFactor(&factor, order: pass.columns) else {
      throw DistributedFitError.regression("the design's columns are collinear")
    }
    return try LAPACK.choleskyInverse(factor, order: pass.columns)
  }

  /// The CLI's spelling (``Termination/reportName``), so the distributed result compares with its JSON.
  static func label(_ termination: Termination) -> String { termination.reportName }

  /// The fit in memory on the driver over every row (``DriverSample``), when there are at most the
  /// sample's limit of them; above it the loss is not distributed yet (S and MM are: ``highBreakdownFit``).
  private func driverFit(rows n: Int, names: [String], host: @escaping PassHost) throws -> Result {
    let p = predictors + (intercept ? 1 : 0), limit = DriverSample.limit(columns: p)
    guard n <= limit else {
      throw DistributedFitError.unsupported(
        "the \(loss.name) fit of \(n) rows: its start (or whole fit) needs the rows on the driver, which the "
        + "distributed fit does for at most \(limit) rows (p = \(p)); above that only l2, huber, Barron's loss "
        + "at α ∈ [1, 2], s, mm, the redescending losses and adaptive (the likelihood) are distributed yet "
        + "(Docs/scaling.md)")
    }
    let data = try DriverSample.allRows(host: host, predictors: predictors, intercept: intercept, weighted: weighted,
                                        rows: n, names: names)
    let fit = try regression.fit(data.design, response: data.response, weights: data.weights)
    var alphaStandardError: Double?
    if case .estimated(_, let se, _, _) = fit.shape { alphaStandardError = se }
    var result = Result(names: names, coefficients: fit.estimates, standardErrors: fit.standardErrors,
                  // L1 has no loss scale (NaN: null in the C ABI's JSON, as in the CLI's).
                  scale: loss.absoluteMethod != nil ? .nan : fit.lossScale, sigma: fit.residualScale,
                  objective: fit.objective.value,
                  iterations: fit.iterations, termination: Self.label(fit.termination), rows: n,
                  passes: ["range": 1, "rows": 1], alpha: fit.shape.alpha, alphaStandardError: alphaStandardError,
                  degreesOfFreedom: fit.residualDegreesOfFreedom, totalWeight: weighted ? fit.totalWeight : nil)
    if case .estimated(_, _, let onBound, let range) = fit.shape, loss.adaptiveCriterion == .likelihood {
      result.alphaRange = range
      result.alphaOnBound = onBound
      if case .estimated(let se, let onFloor) = fit.lossScaleSource { (result.scaleStandardError, result.scaleOnBound) = (se, onFloor) }
      result.shapeSelection = fit.shapeSelection
    }
    return result
  }

  /// What the range pass found: n, per variable (y, then each predictor) min v, max v and the smallest
  /// nonzero |v| seen, and (weighted) Σwᵢ with the counts of positive and invalid weights.
  struct Range {
    var rows: Int
    var low: [Double], high: [Double], smallest: [Double]
    var weights: (total: Double, positive: Int, invalid: Int)?
    /// max|v| per variable.
    var magnitudes: [Double] { zip(low, high).map { max(abs($0), abs($1)) } }
    /// max|v − shift| of variable k.
    func largest(_ k: Int, shift: Double) -> Double {
      shift == 0 ? max(abs(low[k]), abs(high[k])) : max(high[k] - shift, shift - low[k])
    }
  }

  /// The range pass, after checking that every value is finite.
  func checkRange(host: PassHost) throws -> Range {
    var request = PassRequest(kind: .range, predictors: predictors, intercept: intercept)
    request.beta = []
    request.weighted = weighted
    let answer = try host(request)
    let variables = predictors + 1, stride = request.rangeStride
    guard answer.count % stride == 0, !answer.isEmpty else {
      throw DistributedFitError.host("a range pass returned \(answer.count) values")
    }
    var low = [Double](repeating: .infinity, count: variables), high = [Double](repeating: -.infinity, count: variables)
    var smallest = [Double](repeating: .infinity, count: variables)
    var nonFinite = 0.0, rows = 0.0, totalWeight = 0.0, positive = 0.0, invalid = 0.0
    for batch in 0..<(answer.count / stride) {
      rows += answer[batch * stride]
      if weighted {
        let base = batch * stride + 1 + 4 * variables
        totalWeight += answer[base]
        positive += answer[base + 1]
        invalid += answer[base + 2]
      }
      for k in 0..<variables {
        let base = batch * stride + 1 + 4 * k
        low[k] = min(low[k], answer[base])
        high[k] = max(high[k], answer[base + 1])
        smallest[k] = min(smallest[k], answer[base + 2])
        nonFinite += answer[base + 3]
      }
    }
    guard nonFinite == 0 else { throw DistributedFitError.nonFinite("\(Int(nonFinite)) values are NaN or infinite") }
    return Range(rows: Int(rows), low: low, high: high, smallest: smallest,
                 weights: weighted ? (totalWeight, Int(positive), Int(invalid)) : nil)
  }
}
