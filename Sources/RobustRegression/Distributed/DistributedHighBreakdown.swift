/// S and MM over more rows than the driver holds (Docs/scaling.md, "S and MM above the driver's limit"):
/// fast-S runs on a sample of the rows brought to the driver, and everything after it runs as passes
/// over all rows.
///
/// 1. The sample: the m = ``DriverSample/limit(columns:)`` distinct rows of smallest key, each weighted by
///    its count (``DriverSample/sample(host:predictors:intercept:weighted:size:names:slack:)``), the same
///    rows in the same order with the same weights whatever the partitioning.
/// 2. Its S-estimate in memory (``Regression`` with the loss `s` and those case weights: the library's own
///    fast-S, unchanged) gives the start β and s.
/// 3. On all rows, the S refinement of a fit in memory (``SEstimator/refinementSteps(from:scale:steps:tolerance:degreesOfFreedom:step:)``,
///    one `sRefinement` pass a step, to lmrob's tolerance), then the M-scale of its β solved by
///    ``MScale/solve(initial:b:tolerance:maxIterations:sums:)``, one pass per Newton step: the S-estimate
///    of all rows (the fit in memory draws its candidates from 2000 rows too, and refines them on all rows).
/// 4. MM: the IRLS loop of a fit in memory with Tukey's bisquare at c = k·s held fixed, and lmrob's
///    covariance from one pass of sums (``MMInference/Sums``). S: Huber's sandwich with the bisquare
///    at c = 1.54764·s, as ``FitProblem/fitS()``. The redescending M-estimates start from steps 1–3 too
///    (``redescendingFit(rows:responseMagnitude:weights:names:host:)``).
///
/// Not distributed: the exact-fit case (s = 0, more than half of the rows on one hyperplane: refused)
/// and the robust R² (the result has no R²).
extension DistributedFit {
  /// The S-estimate of all rows (steps 1–3 above), the start of MM, of the S fit's sandwich and of the
  /// redescending M-estimates (``redescendingFit``): β, the M-scale s, the pass over all rows the steps
  /// ran on (its counts include theirs) and the sample's passes.
  struct AllRowsSEstimate {
    let pass: DistributedPass
    let coefficients: [Double]
    let scale: Double
    let samplePasses: [String: Int]
    /// The passes of the S-estimate and of every pass run on ``pass`` since, by kind.
    var passes: [String: Int] { pass.passCounts.merging(samplePasses, uniquingKeysWith: +) }
  }

  /// Steps 1–3: fast-S on the driver's keyed sample, then the S refinement and the M-scale of its β as
  /// passes over all `n` rows. The caller has checked the case weights.
  func sEstimateOfAllRows(rows n: Int, responseMagnitude: Double, totalWeight: Double?, names: [String],
                          host: @escaping PassHost) throws -> AllRowsSEstimate {
    let p = predictors + (intercept ? 1 : 0)
    guard n > 2 * p else { throw RegressionError.tooFewObservationsForBreakdown(n: n, p: p) }
    // 1–2: fast-S on the driver's sample.
    let sample = try DriverSample.sample(host: host, predictors: predictors, intercept: intercept, weighted: weighted,
                                         size: DriverSample.limit(columns: p), names: names)
    let sFit = try Regression(loss: Loss(name: "s")!, tolerance: options.tolerance, maxIterations: options.maxIterations)
      .fit(sample.design, response: sample.response, weights: sample.weights)
    guard sFit.residualScale > 0 else {
      throw DistributedFitError.unsupported("the S-scale of the sample is 0 (more than half of its rows on one "
                                            + "hyperplane), an exact fit the distributed S-estimate does not handle")
    }
    // 3: the S refinement and M-scale on all rows.
    let pass = DistributedPass(predictors: predictors, intercept: intercept, rows: n,
                               responseMagnitude: responseMagnitude, weighted: weighted,
                               totalWeight: totalWeight, valueLimit: valueLimit, host: host)
    let dof = pass.totalWeight - Double(p)
    let refined = try SEstimator.refinementSteps(from: sFit.estimates, scale: sFit.residualScale,
                                                 steps: SEstimator.refineSteps, tolerance: SEstimator.refineTolerance,
                                                 degreesOfFreedom: dof) { beta, c in
      let sums = try pass.sRefinement(beta: beta, scale: c, accumulate: true).sums
      return (sums, try IRLS.solveStep(pass: pass, scale: c))
    }
    let sBeta = refined.beta
    // mean ρ̃ and its slope in log s at scale s (a pass without XᵀWX); the first also checks that the
    // non-zero residuals are more than b·(n − p) (else the M-scale is 0: an exact fit).
    let c0 = MScale.breakdownConstant
    let exactFit = DistributedFitError.unsupported("the S-scale is 0 (more than half of the rows on one hyperplane), "
                                                   + "an exact fit the distributed S-estimate does not handle")
    guard refined.scale > 0 else { throw exactFit }
    let first = try pass.sRefinement(beta: sBeta, scale: c0 * refined.scale, accumulate: false)
    guard first.nonzero > MScale.b * dof else { throw exactFit }
    let (s, _) = try MScale.solve(initial: refined.scale) { scale in
      let sums = scale == refined.scale ? first.sums
        : try pass.sRefinement(beta: sBeta, scale: c0 * scale, accumulate: false).sums
      return (sums[0] / dof, sums[1] / dof)
    }
    guard s > 0, s.isFinite else { throw DistributedFitError.nonFinite("the S-scale is \(s)") }
    return AllRowsSEstimate(pass: pass, coefficients: sBeta, scale: s, samplePasses: sample.passes)
  }

  func highBreakdownFit(rows n: Int, responseMagnitude: Double,
                        weights: (total: Double, positive: Int, invalid: Int)?, names: [String],
                        host: @escaping PassHost) throws -> Result {
    let p = predictors + (intercept ? 1 : 0)
    guard n > 2 * p else { throw RegressionError.tooFewObservationsForBreakdown(n: n, p: p) }
    try Self.validate(weights, columns: p, highBreakdown: true)
    let estimate = try sEstimateOfAllRows(rows: n, responseMagnitude: responseMagnitude, totalWeight: weights?.total,
                                          names: names, host: host)
    let pass = estimate.pass, sBeta = estimate.coefficients, s = estimate.scale, c0 = MScale.breakdownConstant
    let degreesOfFreedom = FitProblem.residualDegreesOfFreedom(totalWeight: pass.totalWeight, parameters: p)

    if loss.kind == .sEstimate {
      // Huber's sandwich with the bisquare at c = 1.54764·s over (XᵀX)⁻¹ (FitProblem.fitS).
      try pass.run(beta: [Double](repeating: 0, count: p), loss: UnitWeights(), scale: 1, accumulate: true)
      let inverseGram = try Self.inverseGram(of: pass)
      let c = c0 * s
      let inference = try sandwichInference(pass: pass, loss: TukeyBiweightLoss(), beta: sBeta, scale: c,
                                            inverseGram: inverseGram)
      var result = Result(names: names, coefficients: sBeta, standardErrors: inference?.standardErrors, scale: c,
                          sigma: s, objective: s, iterations: 0, termination: Self.label(.converged), rows: n,
                          passes: estimate.passes, degreesOfFreedom: degreesOfFreedom,
                          totalWeight: weighted ? pass.totalWeight : nil)
      result.inference = inference
      return result
    }

    // 4: MM, IRLS with the bisquare at c = k·s held fixed, from the S-estimate (FitProblem.fitMM).
    let k = loss.tuningConstant!
    let noScratch = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    let outcome = try IRLS.run(pass: pass, loss: TukeyBiweightLoss(), start: sBeta, fixedScale: k * s, tuning: k,
                               updateScale: false, options: options, scratch: noScratch)
    guard outcome.objective.isFinite else { throw IRLS.overflow(pass: pass, scale: outcome.scale) }
    var inference: Inference?
    let sums = try pass.mmCovarianceSums(beta: outcome.coefficients, sBeta: sBeta, scale: s, k: k)
    if let v = try MMInference.covariance(sums, scale: s) {
      inference = Inference(covariance: v, coefficients: outcome.coefficients, degreesOfFreedom: degreesOfFreedom,
                            method: .mmAsymptotic, confidenceLevel: options.confidenceLevel)
    }
    var result = Result(names: names, coefficients: outcome.coefficients, standardErrors: inference?.standardErrors,
                        scale: k * s,
                  sigma: s, objective: outcome.objective, iterations: outcome.iterations,
                  termination: Self.label(outcome.termination), rows: n, passes: estimate.passes,
                  degreesOfFreedom: degreesOfFreedom, totalWeight: weighted ? pass.totalWeight : nil)
    result.inference = inference
    return result
  }
}
