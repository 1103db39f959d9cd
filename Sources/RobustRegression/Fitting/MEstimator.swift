extension FitProblem {
  /// How IRLS sets c for a loss under the problem's ``ScaleRule``.
  struct ScaleSetting {
    /// c held at this value (a fixed scale, or one unit of y for least squares without k).
    var fixedScale: Double?
    /// k in c = k·σ̂.
    var tuning = 1.0
    /// Whether σ̂ is re-estimated at every iteration.
    var updatesScale = true
    /// A loss without a 95 %-efficiency k and none given: k = 1, and the fit says so.
    var warnings: [FitWarning] = []
  }

  /// The M-estimator fit of every loss except L1: the start, IRLS, then the fit's description.
  func fitMEstimator<L: RobustLoss>(_ robustLoss: L, loss: Loss) throws -> FitOutcome {
    let setting = scaleSetting(for: loss)
    // The iterations' scratch becomes the fit's residuals once σ̂ is known: its pages are touched by
    // then, where a fresh n-vector would take a page fault per 512 rows on its first writes (the peak
    // memory stays X plus four n-vectors). Doubles: any bits are a value; each use writes before it reads.
    var residuals = [Double](unsafeUninitializedCapacity: design.rows) { _, count in count = design.rows }
    let (outcome, sigma) = try residuals.withUnsafeMutableBufferPointer { scratch in
      try iterate(robustLoss, setting: setting, scratch: scratch)
    }
    let zeroScale = outcome.termination == .zeroScale
    // At zero scale the rows on the hyperplane (to rounding) carry the fit: weight 1, all others 0.
    let weights = zeroScale
      ? ExactFit.weights(design: design, response: response, beta: outcome.coefficients, residuals: residuals)
      : Array(pass.weights)
    let (inference, warnings) = summarize(outcome, loss: robustLoss, residuals: residuals, setting: setting)
    return FitOutcome(
      names: design.names, coefficients: outcome.coefficients,
      residuals: residuals, weights: weights, scale: outcome.scale, sigma: sigma,
      tuning: setting.fixedScale == nil ? setting.tuning : nil, alpha: loss.barronAlpha,
      objective: zeroScale ? 0 : outcome.objective, objectiveKind: .sumOfLosses,
      iterations: outcome.iterations, termination: outcome.termination, inference: inference,
      outliers: zeroScale ? weights.map { $0 == 0 } : flagOutliers(residuals, sigma: sigma), history: outcome.history,
      warnings: warnings, adaptive: nil)
  }

  /// The start and IRLS from it (from each start, for a non-convex loss at a fixed scale), then σ̂ of
  /// the final residuals; on return `scratch` holds those residuals (the pass's, copied).
  private func iterate<L: RobustLoss>(_ robustLoss: L, setting: ScaleSetting,
                                      scratch: UnsafeMutableBufferPointer<Double>) throws
    -> (outcome: DescentOutcome, sigma: Double) {
    // A non-convex loss at a fixed scale has one objective whatever the start, so it is run from every
    // start and the lowest objective kept: never worse than the best of them. (With c = k·σ̂ the scale
    // itself depends on the start, and the objectives are not comparable: the S start alone.)
    // From the S-estimate, its scale is the first σ̂ (the MAD of its residuals would count the outliers
    // it has just set apart).
    var starts: [[Double]]
    var startSigma: Double?
    if !robustLoss.isConvex && options.start == .automatic {
      if setting.fixedScale != nil {
        starts = try candidateStarts(scratch: scratch)
      } else if let estimate = try highBreakdownEstimate() {
        starts = [estimate.coefficients]
        startSigma = estimate.scale
      } else {
        starts = [try huberStart(scratch: scratch)]
      }
    } else {
      starts = [try start(isConvex: robustLoss.isConvex, scratch: scratch)]
    }
    var best: DescentOutcome?
    for startBeta in starts {
      let candidate = try IRLS.run(pass: pass, loss: robustLoss, start: startBeta, fixedScale: setting.fixedScale,
                                   tuning: setting.tuning, updateScale: setting.updatesScale, options: options,
                                   scratch: scratch, startSigma: startSigma)
      if best == nil || candidate.objective < best!.objective { best = candidate }
    }
    let outcome = best!
    if outcome.termination != .zeroScale, !outcome.objective.isFinite {
      pass.run(beta: outcome.coefficients, loss: robustLoss, scale: outcome.scale, accumulate: false)
      throw IRLS.overflow(pass: pass, scale: outcome.scale)
    }
    // The pass holds residuals and weights of the returned coefficients at the returned scale.
    pass.run(beta: outcome.coefficients, loss: robustLoss, scale: outcome.scale > 0 ? outcome.scale : 1,
             accumulate: false)
    // σ̂ from the pass's residuals (the scratch's last use as scratch), then the residuals into it.
    let sigma = outcome.termination == .zeroScale
      ? 0 : pass.residualScale(of: UnsafeBufferPointer(pass.residuals), scratch: scratch)
    _ = scratch.update(fromContentsOf: pass.residuals)
    return (outcome, sigma)
  }

  /// c fixed, or k·σ̂ with σ̂ updated or held, for `loss` under the problem's scale rule.
  func scaleSetting(for loss: Loss) -> ScaleSetting {
    Self.scaleSetting(for: loss, options: options, responseUnit: responseUnit)
  }

  /// ``scaleSetting(for:)`` from the options and the value of one unit of y alone (a distributed fit has
  /// no `FitProblem`).
  static func scaleSetting(for loss: Loss, options: FitOptions, responseUnit: Double) -> ScaleSetting {
    var setting = ScaleSetting()
    switch options.scale {
    case .fixed(let c): setting.fixedScale = c
    case .mad, .madOfStart:
      setting.updatesScale = options.scale == .mad
      if loss.kind == .squared && loss.tuningConstant == nil {
        setting.fixedScale = responseUnit  // c does not change the squared-loss fit; report Σr²/2 in units of y.
      } else if let k = loss.tuningConstant {
        setting.tuning = k
      } else if case .general(let alpha) = loss.kind, alpha != 2 {
        setting.warnings.append(.noEfficientTuningConstant(alpha: alpha))  // and k = 1
      }
    }
    return setting
  }

  /// The sandwich covariance (none at zero scale) and the warnings of an IRLS outcome, in the order a
  /// reader meets them: how c was set, why standard errors are missing, how the iterations ended.
  func summarize<L: RobustLoss>(_ outcome: DescentOutcome, loss: L, residuals: [Double],
                                        setting: ScaleSetting) -> (Inference?, [FitWarning]) {
    var warnings = setting.warnings
    var inference: Inference?
    if outcome.termination == .zeroScale {
      warnings.append(.zeroResidualScale)
    } else {
      switch Sandwich.covariance(loss: loss, residuals: residuals, scale: outcome.scale,
                                 inverseGram: inverseGram, coefficients: outcome.coefficients,
                                 confidenceLevel: options.confidenceLevel,
                                 caseWeights: pass.caseWeights.map { UnsafeBufferPointer($0) },
                                 degreesOfFreedom: residualDegreesOfFreedom) {
      case .success(let result):
        // For ψ(u) = u the sandwich is exactly the classical covariance (m = 1, var ψ′ = 0, K = 1): say so.
        inference = loss is BarronLoss && (loss as! BarronLoss).alpha == 2 ? result.relabelled(.classical) : result
      case .failure(let problem): warnings.append(.standardErrorsUnavailable(problem))
      }
    }
    if outcome.termination == .iterationLimit {
      warnings.append(.iterationLimit(iterations: outcome.iterations, tolerance: options.tolerance))
    }
    if outcome.termination == .rankDeficient { warnings.append(.rankLost) }
    return (inference, warnings)
  }
}
