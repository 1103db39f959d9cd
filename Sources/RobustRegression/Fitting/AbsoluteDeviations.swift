import RealModule

/// Least absolute deviations (the L1 fit): IRLS to near the optimum, then an exact finish that
/// identifies the optimal basis (p points the fit interpolates) and walks simplex steps until the
/// LP optimality condition holds; or the subgradient baseline.
extension FitProblem {
  func fitAbsolute() throws -> FitOutcome {
    switch options.absoluteMethod {
    case .irls: return try fitAbsoluteExact()
    case .subgradient: return try fitAbsoluteSubgradient()
    }
  }

  private func fitAbsoluteExact() throws -> FitOutcome {
    let (finish, irlsIterations, history) = try exactAbsoluteFinish()
    let beta = finish.coefficients
    let residuals = design.residuals(response, beta)
    let objective = weightedAbsoluteSum(residuals)
    return try absoluteResult(beta: beta, residuals: residuals, objective: objective,
                          iterations: irlsIterations + finish.steps,
                          termination: finish.optimal ? .converged : .iterationLimit, history: history,
                          extraWarnings: finish.optimal ? [] : [.absoluteFinishUnproven])
  }

  /// The exact L1 coefficients: by Portnoy–Koenker preprocessing on many rows
  /// (``preprocessedAbsoluteFinish()``, no IRLS iterations and no history), else IRLS to near the
  /// optimum and the walk from there.
  func exactAbsoluteFinish() throws
    -> (finish: LeastAbsoluteBasis.Finish, irlsIterations: Int, history: [IterationRecord]) {
    if let preprocessed = try preprocessedAbsoluteFinish() { return (preprocessed, 0, []) }
    let n = design.rows
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    // IRLS on 1/|r| with the floor at 1e-6·σ̂(OLS) (u = r/c with c = σ̂).
    pass.run(beta: ordinaryLeastSquares, loss: AbsoluteLoss(), scale: 1, accumulate: false)
    var c = pass.residualScale(scratch: scratch)
    if !(c > 0) { c = max(pass.objective / totalWeight, .leastNormalMagnitude) }
    let irls = try IRLS.run(pass: pass, loss: AbsoluteLoss(floor: 1e-6), start: ordinaryLeastSquares,
                            fixedScale: c, tuning: 1, updateScale: false,
                            options: FitOptions(tolerance: 1e-9, maxIterations: 100), scratch: scratch)
    let finish = try LeastAbsoluteBasis.finish(design: design, response: response, columnMagnitudes: columnMagnitudes,
                                               weights: caseWeights, from: irls.coefficients)
    return (finish, irls.iterations, irls.history)
  }

  /// Preconditioned subgradient descent, β ← β − ηₖ·(XᵀX)⁻¹g/‖…‖ with ηₖ = η₀/√k, keeping the best
  /// iterate. It stops when the best objective has not improved by `tolerance` (relative) over the
  /// last 1000 steps, or at 1000 × the iteration cap.
  private func fitAbsoluteSubgradient() throws -> FitOutcome {
    let n = design.rows, p = design.columns
    var beta = ordinaryLeastSquares
    var residuals = design.residuals(response, beta)
    var best = beta, bestObjective = weightedAbsoluteSum(residuals)
    let step0 = bestObjective / totalWeight  // a residual-sized first step in fitted-value units
    var lastImprovement = 0
    var history: [IterationRecord] = []
    let (product, overflow) = options.maxIterations.multipliedReportingOverflow(by: 1000)
    let cap = overflow ? Int.max : product
    var k = 0
    var termination = Termination.iterationLimit
    while k < cap {
      k += 1
      var g = [Double](repeating: 0, count: p)
      for j in 0..<p {
        var s = 0.0
        for i in 0..<n {
          s -= (caseWeights?[i] ?? 1) * (residuals[i] > 0 ? 1 : (residuals[i] < 0 ? -1 : 0)) * design.values[j * n + i]
        }
        g[j] = s
      }
      var direction = [Double](repeating: 0, count: p)
      for i in 0..<p { for j in 0..<p { direction[i] += inverseGram[j * p + i] * g[j] } }
      // Length of the step in fitted values: ‖X·direction‖/√n.
      let fittedChange = design.multiplied(by: direction)
      let size = (fittedChange.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
      guard size > 0 else { termination = .converged; break }
      let eta = step0 / Double(k).squareRoot() / size
      for j in 0..<p { beta[j] -= eta * direction[j] }
      residuals = design.residuals(response, beta)
      let objective = weightedAbsoluteSum(residuals)
      if objective < bestObjective * (1 - options.tolerance) { lastImprovement = k }
      if objective < bestObjective { best = beta; bestObjective = objective }
      if options.recordHistory && (k <= 100 || k % 100 == 0) {
        history.append(IterationRecord(iteration: k, objective: objective, scale: 1, coefficients: beta,
                                       relativeStep: eta * size))
      }
      if k - lastImprovement >= 1000 { termination = .converged; break }
    }
    residuals = design.residuals(response, best)
    return try absoluteResult(beta: best, residuals: residuals, objective: bestObjective, iterations: k,
                          termination: termination, history: history,
                          extraWarnings: [.subgradientBaseline])
  }

  /// Σwᵢ|rᵢ| (Σ|rᵢ| without case weights).
  func weightedAbsoluteSum(_ residuals: [Double]) -> Double {
    guard let caseWeights else { return residuals.reduce(0) { $0 + abs($1) } }
    return zip(residuals, caseWeights).reduce(0) { $0 + $1.1 * abs($1.0) }
  }

  private func absoluteResult(beta: [Double], residuals: [Double], objective: Double, iterations: Int,
                              termination: Termination, history: [IterationRecord],
                              extraWarnings: [FitWarning]) throws -> FitOutcome {
    guard objective.isFinite else { throw RegressionError.objectiveOverflow(residuals: residuals, scale: responseUnit) }
    let sigma = pass.residualScale(of: residuals)
    // Weights in the units of the other losses, w(u) = 1/|u| with u = r/σ̂ (the IRLS's own scale),
    // capped at 1e6: dimensionless, so that they neither depend on the units of y nor overflow (1/|r|
    // was 1e320 for residuals of 1e-320).
    let unit = sigma > 0 ? sigma : max(objective / totalWeight, .leastNormalMagnitude)
    var warnings = extraWarnings
    let inference: Inference?
    switch options.absoluteStandardErrors {
    case .iid:
      // With whole-number case weights the rows are repeated for quantreg's recipe (its ranks and counts
      // are those of the repeated data); with fractional weights it has no meaning.
      let wholeWeights = caseWeights.map { $0.allSatisfy { $0 == $0.rounded() } && totalWeight <= 1e7 } ?? true
      if wholeWeights {
        let repeated = caseWeights.map { w in
          residuals.indices.flatMap { Array(repeating: residuals[$0], count: Int(w[$0])) }
        }
        inference = LeastAbsoluteBasis.inference(residuals: repeated ?? residuals, coefficients: beta,
                                                 inverseGram: inverseGram, confidenceLevel: options.confidenceLevel)
      } else {
        inference = nil
      }
      if inference == nil {
        warnings.append(.standardErrorsUnavailable(wholeWeights ? .sparsityNotEstimable : .sparsityNeedsWholeWeights))
      }
    case .nid:
      let nid = try nidInference(median: beta)
      inference = nid.inference
      if nid.nonPositive > 0 { warnings.append(.nonPositiveLocalDensities(rows: nid.nonPositive)) }
      if let problem = nid.problem { warnings.append(.standardErrorsUnavailable(problem)) }
    }
    return FitOutcome(
      names: design.names, coefficients: beta, residuals: residuals,
      weights: residuals.map { min(1e6, unit / abs($0)) }, scale: 1, sigma: sigma, tuning: nil, alpha: nil,
      objective: objective, objectiveKind: .sumOfAbsoluteResiduals, iterations: iterations,
      termination: termination, inference: inference,
      outliers: flagOutliers(residuals, sigma: sigma), history: history, warnings: warnings, adaptive: nil)
  }
}

extension FitProblem {
  /// The Hendricks–Koenker sandwich of the median fit as R's quantreg computes it for
  /// `summary.rq(se = "nid")` (quantreg 5.94): h the Hall–Sheather bandwidth at τ = 1/2 for n observations
  /// (halved while τ ± h leaves [0, 1], which happens for n ≤ 7), the exact quantile fits β̂(½ ± h) (the
  /// walk of ``LeastAbsoluteBasis/quantile(design:response:columnMagnitudes:weights:tau:from:)`` from the
  /// median fit), per row the local density fᵢ = max(0, 2h/(xᵢᵀ(β̂(½ + h) − β̂(½ − h)) − ε)) with quantreg's
  /// ε = √(machine ε) in the units of y, and Cov = τ(1 − τ)·D⁻¹(XᵀX)D⁻¹ with D = Σfᵢxᵢxᵢᵀ, on n − p
  /// degrees of freedom.
  ///
  /// With case weights wᵢ the sums are Σwᵢfᵢxᵢxᵢᵀ and Σwᵢxᵢxᵢᵀ, n is Σwᵢ and the quantile fits are
  /// weighted: for whole-number weights exactly the recipe on the repeated rows (unlike quantreg's own
  /// `weights =`, which multiplies x and y by wᵢ, so that XᵀX becomes Σwᵢ²xᵢxᵢᵀ and n the number of
  /// distinct rows). Every piece is a smooth function of the weights, so fractional weights get the same
  /// formula, where the iid recipe's ranks have no meaning.
  ///
  /// `nonPositive` counts the rows of positive weight whose density is 0, a fitted difference ≤ ε: the rows
  /// of quantreg's warning "k non-positive fis", except that quantreg counts differences ≤ 0, and so
  /// counts a row that both quantile fits interpolate (a difference of 0 up to rounding) by the sign of
  /// its rounding (coleman: two such rows, of differences −5e-15 and 3e-15; quantreg warns of 1). The
  /// inference is nil, with the problem, when a quantile fit is not proven optimal, D is singular or a
  /// variance is not positive and finite.
  func nidInference(median beta: [Double]) throws
    -> (inference: Inference?, nonPositive: Int, problem: FitWarning.StandardErrorProblem?) {
    let n = design.rows, p = design.columns
    var h = LeastAbsoluteBasis.hallSheatherBandwidth(observations: totalWeight)
    while 0.5 - h < 0 || 0.5 + h > 1 { h /= 2 }
    let high = try LeastAbsoluteBasis.quantile(design: design, response: response, columnMagnitudes: columnMagnitudes,
                                               weights: caseWeights, tau: 0.5 + h, from: beta)
    let low = try LeastAbsoluteBasis.quantile(design: design, response: response, columnMagnitudes: columnMagnitudes,
                                              weights: caseWeights, tau: 0.5 - h, from: beta)
    guard high.optimal, low.optimal else { return (nil, 0, .sparsityNotEstimable) }
    let difference = design.multiplied(by: zip(high.coefficients, low.coefficients).map { $0 - $1 })
    let epsilon = Double.ulpOfOne.squareRoot() * responseUnit
    var nonPositive = 0
    var rootWeightedDensity = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let w = caseWeights?[i] ?? 1
      guard w > 0 else { continue }
      if difference[i] <= epsilon { nonPositive += 1 }
      rootWeightedDensity[i] = (w * max(0, 2 * h / (difference[i] - epsilon))).squareRoot()
    }
    // D⁻¹ by the QR factorisation of √(wf)·X, as quantreg (qr(sqrt(f) * x)); singular D: no inference.
    guard rootWeightedDensity.allSatisfy(\.isFinite),
          let inverseD = try? LAPACK.inverseGramByQR(design.scalingRows(by: rootWeightedDensity)),
          inverseD.allSatisfy(\.isFinite)
    else { return (nil, nonPositive, .localDensitiesSingular) }
    var gram = [Double](repeating: 0, count: p * p)
    for a in 0..<p {
      for b in a..<p {
        var s = 0.0
        for i in 0..<n { s += (caseWeights?[i] ?? 1) * design.values[a * n + i] * design.values[b * n + i] }
        gram[b * p + a] = s
        gram[a * p + b] = s
      }
    }
    let covariance = Self.product(Self.product(inverseD, gram, p), inverseD, p).map { 0.25 * $0 }
    let inference = Inference(covariance: covariance, coefficients: beta, degreesOfFreedom: residualDegreesOfFreedom,
                              method: .nidSandwich, confidenceLevel: options.confidenceLevel)
    return (inference, nonPositive, inference == nil ? .degenerateCovariance : nil)
  }

  /// A·B for p × p column-major matrices.
  private static func product(_ a: [Double], _ b: [Double], _ p: Int) -> [Double] {
    var c = [Double](repeating: 0, count: p * p)
    for j in 0..<p { for k in 0..<p { for i in 0..<p { c[j * p + i] += a[k * p + i] * b[j * p + k] } } }
    return c
  }
}

extension DesignMatrix {
  /// y − X·β.
  func residuals(_ response: [Double], _ beta: [Double]) -> [Double] {
    let fitted = multiplied(by: beta)
    return zip(response, fitted).map { $0 - $1 }
  }
}

extension LeastAbsoluteBasis {
  /// Koenker's iid covariance for the median, Cov = τ(1 − τ)·s²·(XᵀX)⁻¹ with τ = 1/2, and the sparsity
  /// s = 1/f(0) estimated as R's quantreg does it (`summary.rq(se = "iid")`): the residuals ordered by
  /// |r|, the `pz` that are zero (the basis rows of the exact fit; quantreg's test |r| < √ε) skipped, the
  /// next h + 1 with h = max(p + 1, ⌈n·b⌉) (b the Hall–Sheather bandwidth at τ = 1/2) sorted by value
  /// and regressed on their ranks over n − p by least absolute deviations: s is that line's slope.
  static func inference(residuals: [Double], coefficients: [Double], inverseGram: [Double],
                        confidenceLevel: Double) -> Inference? {
    let n = residuals.count, p = coefficients.count
    guard n > p else { return nil }
    let bandwidth = hallSheatherBandwidth(observations: Double(n))
    let zero = Double.ulpOfOne.squareRoot()
    let pz = residuals.reduce(0) { $0 + (abs($1) < zero ? 1 : 0) }
    let h = max(p + 1, Int((Double(n) * bandwidth).rounded(.up)))
    guard h + pz + 1 <= n else { return nil }
    // The first h + pz + 1 residuals in the order of |r| (ties by row): the rows with |r| up to the
    // (h + pz + 1)-th smallest |r|, found by selection, sorted — not all n.
    var magnitudes = residuals.map { abs($0) }
    let largest = magnitudes.withUnsafeMutableBufferPointer { Selection.select($0, rank: h + pz) }
    let byMagnitude = residuals.indices.filter { abs(residuals[$0]) <= largest }.sorted {
      abs(residuals[$0]) < abs(residuals[$1]) || (abs(residuals[$0]) == abs(residuals[$1]) && $0 < $1)
    }
    let ranks = (pz + 1)...(h + pz + 1)
    let ordered = ranks.map { residuals[byMagnitude[$0 - 1]] }.sorted()
    let positions = ranks.map { Double($0) / Double(n - p) }
    guard let sparsity = medianLineSlope(x: positions, y: ordered), sparsity > 0, sparsity.isFinite else {
      return nil
    }
    let factor = 0.25 * sparsity * sparsity
    return Inference(covariance: inverseGram.map { $0 * factor }, coefficients: coefficients,
                     degreesOfFreedom: n - p, method: .sparsity, confidenceLevel: confidenceLevel)
  }

  /// quantreg's `bandwidth.rq(0.5, n, hs = TRUE)`: n^(−1/3)·z₀.₉₇₅^(2/3)·(1.5·φ(0)²/(2·0² + 1))^(1/3).
  static func hallSheatherBandwidth(observations n: Double) -> Double {
    let z975 = 1.959963984540054, phi0 = 0.3989422804014327
    return Double.pow(n, -1.0 / 3) * Double.pow(z975, 2.0 / 3) * Double.pow(1.5 * phi0 * phi0 / 1.0, 1.0 / 3)
  }

  /// The slope of the least-absolute-deviations line of y on x (x increasing): an optimal line passes
  /// through two of the points, so up to 400 points every pair is tried (the lowest Σ|r|, and where
  /// several lines share it the steepest); beyond, the library's exact L1 fit.
  static func medianLineSlope(x: [Double], y: [Double]) -> Double? {
    let m = x.count
    guard m >= 2 else { return nil }
    if m > 400 {
      return (try? Regression(loss: .absolute).fit(predictors: [x], response: y))?.estimates[1]
    }
    var lines: [(objective: Double, slope: Double)] = []
    for i in 0..<m {
      for j in (i + 1)..<m where x[j] != x[i] {
        let slope = (y[j] - y[i]) / (x[j] - x[i]), intercept = y[i] - slope * x[i]
        var objective = 0.0
        for k in 0..<m { objective += abs(y[k] - intercept - slope * x[k]) }
        lines.append((objective, slope))
      }
    }
    guard let lowest = lines.map(\.objective).min() else { return nil }
    // A non-unique optimum (several lines with the lowest Σ|r|): the steepest. quantreg's simplex ends at
    // one of them by its pivoting path; the steepest is where it ends on stackloss, hbk, salinity,
    // aircraft and coleman (phosphor: another, 3 % flatter; Fixtures/reference/quantreg_iid.json).
    return lines.filter { $0.objective <= lowest * (1 + 1e-12) + 1e-300 }.map(\.slope).max()
  }

}
