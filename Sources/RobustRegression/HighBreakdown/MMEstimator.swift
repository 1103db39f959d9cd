/// The S- and MM-estimates on a problem (Docs/leverage.md).
extension FitProblem {
  /// The S-estimate as a fit: β and the M-scale s, bisquare weights w(r/(1.54764·s)), the sandwich
  /// covariance of that M-estimating equation.
  func fitS() throws -> FitOutcome {
    let estimate = try SEstimator(problem: self, seed: options.seed).fit()
    var s = highBreakdownOutcome(estimate: estimate, coefficients: estimate.coefficients,
                                 k: MScale.breakdownConstant, objective: estimate.scale, objectiveKind: .mScale,
                                 iterations: 0, termination: .converged, history: [])
    if s.scale > 0 {
      switch Sandwich.covariance(loss: TukeyBiweightLoss(), residuals: s.residuals, scale: s.scale,
                                 inverseGram: inverseGram, coefficients: s.coefficients,
                                 confidenceLevel: options.confidenceLevel,
                                 caseWeights: pass.caseWeights.map { UnsafeBufferPointer($0) },
                                 degreesOfFreedom: residualDegreesOfFreedom) {
      case .success(let result): s.inference = result
      case .failure(let problem): s.warnings.append(.standardErrorsUnavailable(problem))
      }
    }
    return s
  }

  /// The MM-estimate: from the S-estimate, IRLS with Tukey's bisquare at c = k·s (s held).
  func fitMM(k: Double) throws -> FitOutcome {
    let estimate = try SEstimator(problem: self, seed: options.seed).fit()
    guard estimate.scale > 0 else {
      // More than half the rows on one hyperplane: the S-estimate is that exact fit, MM has no scale.
      return highBreakdownOutcome(estimate: estimate, coefficients: estimate.coefficients, k: k,
                                  objective: 0, objectiveKind: .sumOfLosses, iterations: 0,
                                  termination: .zeroScale, history: [])
    }
    pass.runWithUnitWeights(beta: estimate.coefficients, accumulate: false)
    let sResiduals = Array(pass.residuals)
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: design.rows)
    defer { scratch.deallocate() }
    let outcome = try IRLS.run(pass: pass, loss: TukeyBiweightLoss(), start: estimate.coefficients,
                               fixedScale: k * estimate.scale, tuning: k, updateScale: false, options: options,
                               scratch: scratch)
    var mm = highBreakdownOutcome(estimate: estimate, coefficients: outcome.coefficients, k: k,
                                  objective: outcome.objective, objectiveKind: .sumOfLosses,
                                  iterations: outcome.iterations, termination: outcome.termination,
                                  history: outcome.history)
    // lmrob's covariance and R² of the MM step.
    if let v = try MMInference.covariance(design: design, residuals: mm.residuals, sResiduals: sResiduals,
                                          scale: estimate.scale, k: k, caseWeights: caseWeights),
       let inference = Inference(covariance: v, coefficients: mm.coefficients, degreesOfFreedom: residualDegreesOfFreedom,
                                 method: .mmAsymptotic, confidenceLevel: options.confidenceLevel) {
      mm.inference = inference
    } else {
      mm.warnings.append(.standardErrorsUnavailable(.degenerateCovariance))
    }
    let r2 = MMInference.robustRSquared(response: response, residuals: mm.residuals, weights: mm.weights, k: k,
                                        hasIntercept: design.hasIntercept, columns: design.columns,
                                        caseWeights: caseWeights)
    mm.robustRSquared = r2
    return mm
  }

  /// The outcome of an S or MM fit at `coefficients` with c = k·s: residuals, bisquare robustness
  /// weights, σ̂ = s, outliers by lmrob's rule (weight below 0.1/n) and the warnings; the covariance is
  /// the caller's (the sandwich for S, `.vcov.avar1` for MM).
  private func highBreakdownOutcome(estimate: SEstimator.Estimate, coefficients: [Double], k: Double,
                                    objective: Double, objectiveKind: RegressionFit.Objective.Kind,
                                    iterations: Int, termination: Termination,
                                    history: [IterationRecord]) -> FitOutcome {
    let s = estimate.scale
    let c = k * s
    pass.run(beta: coefficients, loss: TukeyBiweightLoss(), scale: c > 0 ? c : 1, accumulate: false)
    let residuals = Array(pass.residuals)
    // At scale 0 the rows on the exact fit (to rounding) carry it: weight 1, all others 0.
    let weights = c > 0 ? Array(pass.weights)
      : ExactFit.weights(design: design, response: response, beta: coefficients, residuals: residuals)
    var warnings: [FitWarning] = []
    if !estimate.converged { warnings.append(.sRefinementNotConverged) }
    if c == 0 { warnings.append(.zeroResidualScale) }
    if termination == .iterationLimit {
      warnings.append(.iterationLimit(iterations: iterations, tolerance: options.tolerance))
    }
    if termination == .rankDeficient { warnings.append(.rankLost) }
    let threshold = 0.1 / totalWeight  // lmrob's eps.outlier = 0.1/n, n the number of observations
    var outcome = FitOutcome(
      names: design.names, coefficients: coefficients, residuals: residuals, weights: weights, scale: c > 0 ? c : 0,
      sigma: s, tuning: nil, alpha: nil, objective: objective, objectiveKind: objectiveKind, iterations: iterations,
      termination: termination, inference: nil, outliers: weights.map { $0 < threshold }, history: history,
      warnings: warnings, adaptive: nil)
    outcome.residualScaleSource = .sEstimate
    outcome.lossScaleSource = .sScale(k: k)
    outcome.sEstimate = estimate
    return outcome
  }
}
