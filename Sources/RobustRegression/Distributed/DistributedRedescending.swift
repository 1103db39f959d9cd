/// The redescending M-estimates — Cauchy, Geman-McClure, Welsch, Tukey's bisquare and Barron's loss at a
/// fixed α < 1 — over more rows than the driver holds (Docs/scaling.md, "The redescending losses above
/// the driver's limit"), as the fit in memory makes them by default (``FitProblem/fitMEstimator(_:loss:)``
/// with the automatic start and c = k·σ̂):
///
/// 1. the start is the S-estimate of all rows (``sEstimateOfAllRows(rows:responseMagnitude:totalWeight:names:host:)``,
///    the steps MM and S take: fast-S on the driver's keyed sample, the S refinement and the M-scale as
///    passes), and its M-scale s is the first σ̂;
/// 2. IRLS with the loss's row code and c = k·σ̂, σ̂ the exact MAD re-estimated at every β (the loop of
///    every fit, on the ``DistributedPass``);
/// 3. σ̂ of the final residuals and Huber's sandwich with the loss at the final c over (XᵀX)⁻¹ (one
///    unit-weight pass), as for the convex losses.
///
/// k may be set (`tuning`) and the rows may carry case weights. A fixed scale c is refused: the fit in
/// memory then runs from four starts (S, Huber, OLS and L1) and keeps the lowest objective, and the L1
/// start is a linear programme the distributed fit does not solve.
extension DistributedFit {
  /// Whether the loss is a redescending M-estimate whose automatic start is the S-estimate (the losses
  /// of ``redescendingFit(rows:responseMagnitude:weights:names:host:)``).
  var startsFromSEstimate: Bool {
    switch loss.kind {
    case .cauchy, .gemanMcClure, .welsch, .tukey: true
    case .general(let alpha): alpha < 1
    default: false
    }
  }

  func redescendingFit(rows n: Int, responseMagnitude: Double,
                       weights: (total: Double, positive: Int, invalid: Int)?, names: [String],
                       host: @escaping PassHost) throws -> Result {
    let p = predictors + (intercept ? 1 : 0)
    if case .fixed = options.scale {
      throw DistributedFitError.unsupported(
        "a fixed scale for the \(loss.name) fit of \(n) rows: the fit in memory then keeps the best of four starts "
        + "(S, Huber, OLS and L1), and the L1 start is not distributed (c = k·σ̂ is)")
    }
    try Self.validate(weights, columns: p, highBreakdown: false)
    let estimate = try sEstimateOfAllRows(rows: n, responseMagnitude: responseMagnitude, totalWeight: weights?.total,
                                          names: names, host: host)
    let pass = estimate.pass
    // (XᵀX)⁻¹ of the sandwich.
    try pass.run(beta: [Double](repeating: 0, count: p), loss: UnitWeights(), scale: 1, accumulate: true)
    let inverseGram = try Self.inverseGram(of: pass)
    let setting = FitProblem.scaleSetting(for: loss, options: options, responseUnit: 1)
    var result: Result
    if loss.kind == .tukey {
      result = try fit(TukeyBiweightLoss(), pass: pass, start: estimate.coefficients, setting: setting,
                       inverseGram: inverseGram, names: names, startSigma: estimate.scale)
    } else {
      result = try fit(BarronLoss(alpha: loss.barronAlpha!), pass: pass, start: estimate.coefficients, setting: setting,
                       inverseGram: inverseGram, names: names, startSigma: estimate.scale)
    }
    result.passes = estimate.passes
    return result
  }
}
