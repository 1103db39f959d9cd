import CLapack
import RealModule

extension Regression {
  /// Fits Barron's adaptive loss: minimises the negative log-likelihood
  ///
  ///     NLL(β, α, c) = Σρ(rᵢ/c; α) + n·log c + n·log Z(α)
  ///
  /// jointly over β, α ∈ `alphaRange` (within [0, ∞); default [0, 2]) and c ≥ a data-relative floor
  /// (SPEC §5). Each outer iteration is one fused IRLS pass over X at the current (α, c) followed by a
  /// damped Newton step in (α, log c) on the new residuals; a β step that would raise the NLL is
  /// halved, so the NLL never increases from one iteration to the next (see Docs/adaptive.md).
  ///
  /// The result's `objective` is the NLL, `alpha` and `scale` the learned shape and scale, and
  /// `adaptive` says whether either ended on a bound and gives their standard errors from the
  /// observed information.
  public static func fitAdaptive(_ design: DesignMatrix, response: [Double],
                                 alphaRange: ClosedRange<Double> = 0...2,
                                 options: FitOptions = FitOptions()) throws -> RegressionFit {
    guard alphaRange.lowerBound >= 0, !alphaRange.upperBound.isNaN else {
      throw RegressionError.invalidOption(
        "the α range must lie within [0, ∞) (the density is not normalisable for α < 0)")
    }
    let prepared = try Prepared(design: design, response: response, options: options)
    return try AdaptiveFitter(prepared: prepared, alphaRange: alphaRange).fit()
  }
}

struct AdaptiveFitter {
  let prepared: Prepared
  let alphaRange: ClosedRange<Double>

  func fit() throws -> RegressionFit {
    let pass = prepared.pass, options = prepared.options, design = prepared.design
    let n = design.rows
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    // Robust convex start for β (Huber), unless the caller gave one.
    var beta = try prepared.start(isConvex: false, scratch: scratch)
    pass.run(beta: beta, loss: BarronLoss(alpha: 2), scale: 1, accumulate: false)
    let startSigma = Selection.madScale(of: UnsafeBufferPointer(pass.residuals), scratch: scratch)
    let meanAbsolute = pass.residuals.reduce(0) { $0 + abs($1) } / Double(n)
    let reference = startSigma > 0 ? startSigma : (meanAbsolute > 0 ? meanAbsolute : 1)
    // The NLL runs to −∞ as c → 0 when residuals are exactly 0: c stays above 1e-6 of the start's scale.
    let scaleFloor = 1e-6 * reference
    var scale: Double
    if case .fixed(let c) = options.scale { scale = c } else { scale = max(reference, scaleFloor) }
    let fixedScale: Bool = { if case .fixed = options.scale { return true } else { return false } }()
    var alpha = min(max(1, alphaRange.lowerBound), alphaRange.upperBound)
    // Settle (α, c) on the start's residuals.
    var nll = Double.nan
    do {
      let problem = ShapeScaleProblem(residuals: UnsafeBufferPointer(pass.residuals), alphaRange: alphaRange,
                                      scaleFloor: fixedScale ? scale : scaleFloor)
      nll = problem.value(alpha: alpha, scale: scale)
      (alpha, scale, nll) = settle(problem, alpha: alpha, scale: scale, value: nll, fixedScale: fixedScale,
                                   steps: 50, tolerance: options.tolerance)
    }
    var history: [IterationRecord] = []
    var termination = Termination.iterationLimit
    var iteration = 0
    var previousBeta = beta
    while iteration < options.maxIterations {
      iteration += 1
      // Fused pass at (β, α, c): residuals, NLL, XᵀWX, XᵀWy.
      let loss = BarronLoss(alpha: alpha)
      pass.run(beta: beta, loss: loss, scale: scale)
      var current = pass.objective + Double(n) * (Double.log(scale) + LogPartition.logZ(alpha: alpha))
      // Never accept a higher NLL: halve the β step back towards the previous iterate.
      var halvings = 0
      while current > nll + 1e-13 * max(1, abs(nll)) && halvings < 30 {
        for j in beta.indices { beta[j] = (beta[j] + previousBeta[j]) / 2 }
        pass.run(beta: beta, loss: loss, scale: scale)
        current = pass.objective + Double(n) * (Double.log(scale) + LogPartition.logZ(alpha: alpha))
        halvings += 1
      }
      if current > nll { // no β step lowers it: stay at the previous iterate
        beta = previousBeta
        pass.run(beta: beta, loss: loss, scale: scale)
        current = nll
      }
      let betaStep = IRLS.relativeChange(beta, previousBeta)
      let betaChange = nll - current
      nll = current
      // (α, c) step on these residuals.
      let problem = ShapeScaleProblem(residuals: UnsafeBufferPointer(pass.residuals), alphaRange: alphaRange,
                                      scaleFloor: fixedScale ? scale : scaleFloor)
      let before = (alpha, scale)
      (alpha, scale, nll) = settle(problem, alpha: alpha, scale: scale, value: nll, fixedScale: fixedScale,
                                   steps: 2, tolerance: options.tolerance)
      let shapeChange = max(abs(alpha - before.0) / max(1, abs(alpha)), abs(scale - before.1) / scale)
      if options.recordHistory {
        history.append(IterationRecord(iteration: iteration, objective: nll, scale: scale, coefficients: beta,
                                       relativeStep: betaStep))
      }
      let objectiveChange = (betaChange + (current - nll)) / max(1, abs(nll))
      if iteration > 1 && objectiveChange <= options.tolerance && betaStep <= options.tolerance.squareRoot()
        && shapeChange <= options.tolerance.squareRoot() {
        termination = .converged
        break
      }
      // The next β from the weighted system of this pass (weights at the previous (α, c)).
      guard let next = try IRLS.solveStep(pass: pass) else {
        termination = .rankDeficient
        break
      }
      previousBeta = beta
      beta = next
    }
    // Final residuals and weights at the returned point.
    let loss = BarronLoss(alpha: alpha)
    pass.run(beta: beta, loss: loss, scale: scale, accumulate: false)
    let residuals = Array(pass.residuals), weights = Array(pass.weights)
    nll = pass.objective + Double(n) * (Double.log(scale) + LogPartition.logZ(alpha: alpha))
    let alphaOnBound = alpha <= alphaRange.lowerBound || alpha >= alphaRange.upperBound
    let scaleOnBound = !fixedScale && scale <= scaleFloor * (1 + 1e-9)
    let information = ObservedInformation.compute(design: design, residuals: residuals, alpha: alpha,
                                                  scale: scale, alphaFree: !alphaOnBound,
                                                  scaleFree: !scaleOnBound && !fixedScale)
    var warnings: [String] = []
    var inference: Inference?
    if let information {
      inference = Inference(covariance: information.betaCovariance, coefficients: beta,
                            degreesOfFreedom: n - design.columns, method: "observed information of the NLL")
    }
    if inference == nil {
      warnings.append("standard errors are not available: the NLL's observed information is not positive definite")
    }
    if termination == .iterationLimit {
      warnings.append("the adaptive fit did not converge in \(iteration) iterations")
    }
    if scaleOnBound {
      warnings.append("the scale c ended on its floor (\(scaleFloor)): many residuals are (nearly) exactly 0")
    }
    let sigma = Selection.madScale(of: residuals)
    return RegressionFit(
      lossName: "adaptive", names: design.names, coefficients: beta, residuals: residuals, weights: weights,
      scale: scale, sigma: sigma, tuning: nil, alpha: alpha, objective: nll, iterations: iteration,
      termination: termination, inference: inference,
      outliers: prepared.flagOutliers(residuals, sigma: sigma), history: history, warnings: warnings,
      adaptive: AdaptiveSummary(alphaRange: alphaRange, alphaOnBound: alphaOnBound, scaleOnBound: scaleOnBound,
                                alphaStandardError: information?.alphaStandardError,
                                scaleStandardError: information?.scaleStandardError))
  }

  private func settle(_ problem: ShapeScaleProblem, alpha: Double, scale: Double, value: Double,
                      fixedScale: Bool, steps: Int, tolerance: Double) -> (Double, Double, Double) {
    if fixedScale {
      let fixedProblem = ShapeScaleProblem(residuals: problem.residuals, alphaRange: problem.alphaRange,
                                           scaleFloor: scale)
      return fixedProblem.descendAlphaOnly(alpha: alpha, scale: scale, value: value, steps: steps)
    }
    return problem.descend(alpha: alpha, scale: scale, value: value, steps: steps, tolerance: tolerance)
  }
}

extension ShapeScaleProblem {
  /// α alone (c fixed by the user): golden-section refinement of the NLL over the α range.
  func descendAlphaOnly(alpha: Double, scale c: Double, value: Double, steps: Int) -> (Double, Double, Double) {
    var lo = alphaRange.lowerBound, hi = min(alphaRange.upperBound, max(alphaRange.lowerBound + 1, 16))
    let ratio = (5.0.squareRoot() - 1) / 2
    var a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
    var fa = self.value(alpha: a, scale: c), fb = self.value(alpha: b, scale: c)
    for _ in 0..<max(60, steps) where hi - lo > 1e-10 {
      if fa < fb { hi = b; b = a; fb = fa; a = hi - ratio * (hi - lo); fa = self.value(alpha: a, scale: c) }
      else { lo = a; a = b; fa = fb; b = lo + ratio * (hi - lo); fb = self.value(alpha: b, scale: c) }
    }
    var best = (alpha, value)
    for candidate in [a, b, alphaRange.lowerBound, min(alphaRange.upperBound, hi)] {
      let v = self.value(alpha: candidate, scale: c)
      if v < best.1 { best = (candidate, v) }
    }
    return (best.0, c, best.1)
  }
}
