/// The adaptive loss over more rows than the driver holds (Docs/scaling.md, "The adaptive loss above the
/// driver's limit"): what a fit in memory does on its likelihood sample runs on the driver over the same
/// sample, and what it does on all rows runs as passes, through the same functions of ``AdaptiveFitter``.
///
/// 1. The sample: the m = ``DriverSample/limit(columns:)`` distinct rows of smallest key, each weighted by
///    its count, in the canonical order
///    (``DriverSample/sample(host:predictors:intercept:weighted:size:names:slack:)``) — the rows a fit in
///    memory of more than m rows scans (``FitProblem/likelihoodSample(rows:)``).
/// 2. On it, in memory (``AdaptiveFitter/startOnSample(_:subsampled:)``): the S start, c's floor, the α
///    scan from the S and Huber starts, and the polish to the sample's optimum.
/// 3. On all rows, as passes (``AdaptivePass``): the joint descent (one `barronShape` pass an iteration:
///    XᵀWX, XᵀWy and the shape sums at (β, α, c); its (α, c) step from those sums, a trial of it a `run`
///    pass), the observed information (one `information` pass), σ̂ (the exact MAD), and the α interval's
///    profiled fits, each a descent of the same passes with α held.
///
/// So the result equals the fit in memory's up to the order in which sums over all rows are added.
extension DistributedFit {
  func adaptiveFit(rows n: Int, responseMagnitude: Double, magnitudes: [Double],
                   weights: (total: Double, positive: Int, invalid: Int)?, names: [String],
                   host: @escaping PassHost, conditioning: DataConditioning? = nil) throws -> Result {
    let p = predictors + (intercept ? 1 : 0)
    guard n > p else { throw RegressionError.tooFewObservations(n: n, p: p) }
    try Self.validate(weights, columns: p, highBreakdown: false)
    guard let alphaRange = loss.alphaRange else { throw DistributedFitError.unsupported("the loss \(loss.name)") }
    // 1–2: the sample and the start on it, with the fit in memory's options and unit of y (those of the
    // conditioned data) and column magnitudes (max|xᵢⱼ| over all rows, from the range pass).
    let sample = try DriverSample.sample(host: host, predictors: predictors, intercept: intercept, weighted: weighted,
                                         size: DriverSample.limit(columns: p), names: names)
    let columnMagnitudes = (intercept ? [1] : []) + magnitudes.dropFirst()
    let sampleProblem = try FitProblem(design: sample.design, response: sample.response, caseWeights: sample.weights,
                                       options: conditioning.map { $0.conditioned(regression.fitOptions) } ?? regression.fitOptions,
                                       responseUnit: conditioning?.response.factor ?? 1, columnMagnitudes: columnMagnitudes)
    let fitter = AdaptiveFitter(fitProblem: sampleProblem, alphaRange: alphaRange)
    let start = try fitter.startOnSample(sampleProblem, subsampled: true)
    // 3: all rows.
    let pass = DistributedPass(predictors: predictors, intercept: intercept, rows: n,
                               responseMagnitude: responseMagnitude, weighted: weighted,
                               totalWeight: weights?.total, valueLimit: valueLimit, host: host)
    let options = regression.fitOptions
    let state = try fitter.descend(pass, beta: start.beta, alpha: start.alpha, scale: start.scale, range: alphaRange,
                                   scaleFloor: start.scaleFloor, fixedScale: start.fixedScale,
                                   maxIterations: options.maxIterations, tolerance: options.tolerance,
                                   recordHistory: false, lengthens: true, defersShapeTest: true)
    let optimum = try fitter.inspect(state, pass: pass, scaleFloor: start.scaleFloor, fixedScale: start.fixedScale)
    let beta = state.outcome.coefficients
    let sigma = try pass.medianAbsoluteResidual(at: beta) / Selection.madConsistency
    let selection = try fitter.selection(state, pass: pass, scaleFloor: start.scaleFloor, fixedScale: start.fixedScale,
                                         scanned: nil, subsampled: true,
                                         alphaStandardError: optimum.information?.alphaStandardError,
                                         profileSlope: optimum.profileSlope)
    let degreesOfFreedom = FitProblem.residualDegreesOfFreedom(totalWeight: pass.totalWeight, parameters: p)
    let inference = optimum.information.flatMap {
      Inference(covariance: $0.betaCovariance, coefficients: beta, degreesOfFreedom: degreesOfFreedom,
                method: .observedInformation, confidenceLevel: options.confidenceLevel)
    }
    var result = Result(names: names, coefficients: beta, standardErrors: inference?.standardErrors, scale: state.outcome.scale,
                        sigma: sigma, objective: optimum.nll, iterations: state.outcome.iterations,
                        termination: Self.label(state.outcome.termination), rows: n,
                        passes: pass.passCounts.merging(sample.passes, uniquingKeysWith: +), alpha: state.alpha,
                        alphaStandardError: optimum.information?.alphaStandardError,
                        degreesOfFreedom: degreesOfFreedom, totalWeight: weighted ? pass.totalWeight : nil)
    result.inference = inference
    result.alphaRange = alphaRange
    result.scaleStandardError = optimum.information?.scaleStandardError
    result.shapeSelection = selection
    result.alphaOnBound = optimum.alphaOnBound
    result.scaleOnBound = optimum.scaleOnBound
    return result
  }
}

/// The adaptive fit's passes over a host's rows (``AdaptivePass``): the fused pass with the shape sums is
/// a `barronShape` request, the observed information an `information` request.
extension DistributedPass: AdaptivePass {
  func run(beta: [Double], loss: BarronLoss, scale c: Double, accumulate: Bool, shape: BarronShapeDerivatives?) throws {
    guard shape != nil else { return try run(beta: beta, loss: loss, scale: c, accumulate: accumulate) }
    let answer = try perform(adaptiveRequest(.barronShape, beta: beta, alpha: loss.alpha, scale: c,
                                             accumulate: accumulate))
    let p = columns
    adopt(answer, beta: beta, accumulate: accumulate, shapeSums: Array(answer[(p * p + p)...]))
  }

  func prepareResiduals(beta: [Double]) throws {
    try sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
  }

  var residualSums: any ShapeScaleSums { DistributedResidualSums(pass: self, beta: beta) }

  func informationSums(alpha: Double, scale c: Double, alphaSummed: Bool) throws -> ObservedInformation.Sums {
    let answer = try perform(adaptiveRequest(.information, beta: beta, alpha: alpha, scale: c, accumulate: alphaSummed))
    guard let sums = ObservedInformation.Sums(flat: answer, order: columns) else {
      throw DistributedFitError.host("an information pass returned a malformed answer")
    }
    return sums
  }

  /// A request of `kind` at β, α and c (`accumulate`: the system's sums, or for `information` α's entries).
  func adaptiveRequest(_ kind: PassRequest.Kind, beta: [Double], alpha: Double, scale c: Double,
                       accumulate: Bool) -> PassRequest {
    var request = PassRequest(kind: kind, predictors: predictors, intercept: intercept)
    request.beta = beta
    request.weighted = weighted
    request.loss = .barron
    request.alpha = alpha
    request.scale = c
    request.accumulate = accumulate
    return request
  }
}

/// ``ShapeScaleSums`` over a host's rows at one β: each sum one pass (the fused pass's own shape sums
/// spare most of them: ``AdaptiveFitter``'s deferred (α, c) step asks only for trial values).
struct DistributedResidualSums: ShapeScaleSums {
  let pass: DistributedPass
  let beta: [Double]

  var count: Double { pass.totalWeight }

  func sumRho(_ loss: BarronLoss, scale c: Double) throws -> Double {
    try pass.perform(pass.adaptiveRequest(.run, beta: beta, alpha: loss.alpha, scale: c, accumulate: false))[
      pass.columns * pass.columns + pass.columns]
  }

  func shapeSums(_ shape: BarronShapeDerivatives, scale c: Double) throws -> BarronShapeDerivatives.Sums {
    let p = pass.columns
    let answer = try pass.perform(pass.adaptiveRequest(.barronShape, beta: beta, alpha: shape.alpha, scale: c,
                                                       accumulate: false))
    return BarronShapeDerivatives.Sums(Array(answer[(p * p + p)...]))
  }

  /// Σwᵢrᵢ² as 2·Σwᵢρ(rᵢ; 2) (ρ(u; 2) = u²/2, exact in the factor 2).
  func sumSquares() throws -> Double {
    2 * (try sumRho(BarronLoss(alpha: 2), scale: 1))
  }
}
