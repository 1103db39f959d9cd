/// Barron's shape chosen by the smallest estimated variance of β̂ (``AdaptiveCriterion/variance``;
/// Hogg 1974, Wang, Lin, Zhu & Bai 2007).
///
/// σ̂ is the S-estimate's scale (50 % breakdown) and β starts from the S-estimate. For each α the loss
/// scale is c = k(α)·σ̂, with k(α) the tuning constant of 95 % Gaussian efficiency (``varianceTuning(alpha:)``),
/// β is fitted by IRLS at that c from the S-estimate, and the criterion is Huber's sandwich factor
///
///     τ̂²(α) = K²·[Σ(c·ψ(rᵢ/c))²/(n − p)] / m²,   m = mean ψ′(rᵢ/c),   Cov(β̂) = τ̂²·(XᵀX)⁻¹
///
/// (``Sandwich``): det(Cov)^(1/p) and trace(Cov) are both τ̂² times a constant of X, so they rank the
/// shapes alike. α is searched on a grid over its range, in s = α for α ≥ 0 and s = α/(1 − α) for
/// α < 0 (α = −∞ is s = −1), then refined by golden section between the best grid point's neighbours.
/// Above ``AdaptiveFitter/scanRows`` rows the search runs on the same deterministic subsample as the
/// likelihood's scan; the chosen shape is then fitted on every row (Docs/adaptive.md).
struct MinimumVarianceFitter {
  let fitProblem: FitProblem
  let alphaRange: ClosedRange<Double>

  /// One shape tried: its loss scale, the IRLS outcome at that scale from the start, and τ̂ (nil where
  /// the sandwich does not exist: mean ψ′ ≤ 0).
  struct Candidate {
    var alpha: Double
    var tuning: Double
    var scale: Double
    var tau: Double?
    var outcome: DescentOutcome

    /// The criterion, +∞ where the sandwich does not exist.
    var criterion: Double { tau ?? .infinity }
  }

  /// Grid spacing in s and the golden-section tolerance in s.
  static let gridStep = 0.25
  static let refinementTolerance = 1e-3

  func fit() throws -> FitOutcome {
    let options = fitProblem.options
    let (startBeta, sigma, sigmaSource) = try robustStart()
    guard sigma > 0 else { return try exactFit(startBeta) }
    let fixedScale: Double? = if case .fixed(let c) = options.scale { c } else { nil }
    let searchData = fitProblem.scanSubsample(rows: AdaptiveFitter.scanRows)
    var tried: [Candidate] = []
    func evaluate(_ s: Double) throws -> Candidate {
      let alpha = ShapeCoordinate.alpha(s)
      if let done = tried.first(where: { $0.alpha == alpha }) { return done }
      let candidate = try Self.candidate(searchData, alpha: alpha, sigma: sigma, fixedScale: fixedScale, start: startBeta)
      tried.append(candidate)
      return candidate
    }
    // The grid, then golden section between the best point's neighbours.
    let sLow = ShapeCoordinate.s(alphaRange.lowerBound), sHigh = ShapeCoordinate.s(alphaRange.upperBound)
    let steps = max(1, Int(((sHigh - sLow) / Self.gridStep).rounded(.up)))
    let grid = (0...steps).map { sLow + (sHigh - sLow) * Double($0) / Double(steps) }
    var best = (s: grid[0], candidate: try evaluate(grid[0]))
    for s in grid.dropFirst() {
      let candidate = try evaluate(s)
      if candidate.criterion < best.candidate.criterion { best = (s, candidate) }
    }
    if grid.count > 1, best.candidate.criterion.isFinite {
      let index = grid.firstIndex(of: best.s)!
      var a = grid[max(0, index - 1)], b = grid[min(grid.count - 1, index + 1)]
      let ratio = (5.0.squareRoot() - 1) / 2
      var x1 = b - ratio * (b - a), x2 = a + ratio * (b - a)
      var f1 = try evaluate(x1).criterion, f2 = try evaluate(x2).criterion
      while b - a > Self.refinementTolerance {
        if f1 <= f2 {
          b = x2; x2 = x1; f2 = f1
          x1 = b - ratio * (b - a); f1 = try evaluate(x1).criterion
        } else {
          a = x1; x1 = x2; f1 = f2
          x2 = a + ratio * (b - a); f2 = try evaluate(x2).criterion
        }
      }
      for s in [x1, x2] {
        let candidate = try evaluate(s)
        if candidate.criterion < best.candidate.criterion { best = (s, candidate) }
      }
    }
    var chosen = best.candidate
    if searchData.design.rows < fitProblem.design.rows {
      chosen = try Self.candidate(fitProblem, alpha: chosen.alpha, sigma: sigma, fixedScale: fixedScale, start: startBeta)
    }
    let profile = tried.sorted { $0.alpha < $1.alpha }.map {
      RegressionFit.ProfilePoint(alpha: $0.alpha, value: $0.criterion, lossScale: $0.scale)
    }
    return try summarize(chosen, sigma: sigma, sigmaSource: sigmaSource, fixedScale: fixedScale != nil,
                         profile: profile)
  }

  /// The start and σ̂: the S-estimate and its scale; where n ≤ 2p leaves it undefined, or another start is
  /// asked for, that start and the MAD scale of its residuals.
  private func robustStart() throws -> (beta: [Double], sigma: Double, source: RegressionFit.ResidualScaleSource) {
    if case .automatic = fitProblem.options.start, let estimate = try fitProblem.highBreakdownEstimate() {
      return (estimate.coefficients, estimate.scale, .sEstimate)
    }
    let n = fitProblem.design.rows
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    let beta = try fitProblem.start(isConvex: false, scratch: scratch)
    let pass = fitProblem.pass
    pass.runWithUnitWeights(beta: beta, accumulate: false)
    let sigma = pass.residualScale(scratch: scratch)
    return (beta, sigma, .medianAbsoluteResidual)
  }

  /// The fit at shape `alpha` with c = k(α)·σ̂ (or the fixed c) from `start`, and its τ̂.
  static func candidate(_ data: FitProblem, alpha: Double, sigma: Double, fixedScale: Double?, start: [Double]) throws
    -> Candidate {
    let tuning = varianceTuning(alpha: alpha)
    let scale = fixedScale ?? tuning * sigma
    let loss = BarronLoss(alpha: alpha)
    let n = data.design.rows
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    let outcome = try IRLS.run(pass: data.pass, loss: loss, start: start, fixedScale: scale, tuning: 1,
                               updateScale: false, options: data.options, scratch: scratch)
    data.pass.run(beta: outcome.coefficients, loss: loss, scale: scale, accumulate: false)
    let factor = Sandwich.varianceFactor(loss: loss, residuals: UnsafeBufferPointer(data.pass.residuals),
                                         scale: scale, parameters: data.design.columns,
                                         caseWeights: data.pass.caseWeights.map { UnsafeBufferPointer($0) })
    let tau: Double? = if case .success(let value) = factor, value.isFinite { value.squareRoot() } else { nil }
    return Candidate(alpha: alpha, tuning: tuning, scale: scale, tau: tau, outcome: outcome)
  }

  /// k(α): the tuning constant of 95 % Gaussian efficiency up to α = 1.5, and k(1.5) ≈ 0.4711 from there
  /// to 2; 1 at α = 2, where c does not change the fit.
  ///
  /// Above α* ≈ 1.5788 no k gives 95 %: the fit tends to L_α regression as k → 0, whose efficiency is
  /// already above 95 %, and k95(α) falls to 0 as α rises to α*. Holding k(1.5) beyond 1.5 keeps c away
  /// from 0 and k(α) continuous, at an efficiency of at least 95 % (a test checks it on a grid).
  static func varianceTuning(alpha: Double) -> Double {
    guard alpha != 2 else { return 1 }
    if alpha > 1.5 { return heldTuning }
    return TuningConstant.efficient(for: BarronLoss(alpha: alpha)) ?? heldTuning
  }

  /// k95(1.5).
  static let heldTuning = TuningConstant.efficient(for: BarronLoss(alpha: 1.5))!

  /// The outcome of the chosen shape: residuals, weights, the sandwich and the selection.
  private func summarize(_ chosen: Candidate, sigma: Double, sigmaSource: RegressionFit.ResidualScaleSource,
                         fixedScale: Bool, profile: [RegressionFit.ProfilePoint]) throws -> FitOutcome {
    let design = fitProblem.design, pass = fitProblem.pass
    let outcome = chosen.outcome
    guard outcome.objective.isFinite else {
      pass.run(beta: outcome.coefficients, loss: BarronLoss(alpha: chosen.alpha), scale: chosen.scale,
               accumulate: false)
      throw IRLS.overflow(pass: pass, scale: chosen.scale)
    }
    pass.run(beta: outcome.coefficients, loss: BarronLoss(alpha: chosen.alpha), scale: chosen.scale, accumulate: false)
    let residuals = Array(pass.residuals), weights = Array(pass.weights)
    let setting = FitProblem.ScaleSetting(fixedScale: chosen.scale, tuning: chosen.tuning, updatesScale: false)
    let (inference, warnings) = fitProblem.summarize(outcome, loss: BarronLoss(alpha: chosen.alpha),
                                                     residuals: residuals, setting: setting)
    let alphaOnBound = chosen.alpha <= alphaRange.lowerBound || chosen.alpha >= alphaRange.upperBound
    var result = FitOutcome(
      names: design.names, coefficients: outcome.coefficients, residuals: residuals, weights: weights,
      scale: chosen.scale, sigma: sigma, tuning: nil, alpha: chosen.alpha, objective: outcome.objective,
      objectiveKind: .sumOfLosses, iterations: outcome.iterations, termination: outcome.termination,
      inference: inference, outliers: fitProblem.flagOutliers(residuals, sigma: sigma), history: outcome.history,
      warnings: warnings,
      adaptive: AdaptiveSummary(alphaRange: alphaRange, alphaOnBound: alphaOnBound, scaleOnBound: false,
                                alphaStandardError: nil, scaleStandardError: nil,
                                selection: RegressionFit.ShapeSelection(criterion: .variance, profile: profile,
                                                                        alphaInterval: nil)))
    result.residualScaleSource = sigmaSource
    result.lossScaleSource = fixedScale ? RegressionFit.LossScaleSource.given
      : (sigmaSource == .sEstimate ? .sScale(k: chosen.tuning) : .startScale(k: chosen.tuning))
    return result
  }

  /// The start fits the data exactly (σ̂ = 0): no shape can be told from another; the start is returned
  /// with the rows on it weighted 1, as a zero-scale fit.
  private func exactFit(_ beta: [Double]) throws -> FitOutcome {
    let design = fitProblem.design, pass = fitProblem.pass
    pass.runWithUnitWeights(beta: beta, accumulate: false)
    let residuals = Array(pass.residuals)
    let weights = ExactFit.weights(design: design, response: fitProblem.response, beta: beta, residuals: residuals)
    let alpha = alphaRange.upperBound
    return FitOutcome(
      names: design.names, coefficients: beta, residuals: residuals, weights: weights, scale: 0, sigma: 0,
      tuning: nil, alpha: alpha, objective: 0, objectiveKind: .sumOfLosses, iterations: 0,
      termination: .zeroScale, inference: nil, outliers: weights.map { $0 == 0 }, history: [],
      warnings: [.zeroResidualScale],
      adaptive: AdaptiveSummary(alphaRange: alphaRange, alphaOnBound: true, scaleOnBound: false,
                                alphaStandardError: nil, scaleStandardError: nil,
                                selection: RegressionFit.ShapeSelection(criterion: .variance, profile: [],
                                                                        alphaInterval: nil)))
  }
}

/// The coordinate the variance criterion searches α in: s = α for α ≥ 0 and s = α/(1 − α) below, so that
/// the shapes from −∞ to 0 take the interval [−1, 0) and α = −∞ is s = −1 (also the x axis of the
/// criterion's plot).
package enum ShapeCoordinate {
  /// s(α).
  package static func s(_ alpha: Double) -> Double {
    alpha >= 0 ? alpha : (alpha == -.infinity ? -1 : alpha / (1 - alpha))
  }

  /// α(s), the inverse of ``s(_:)``.
  package static func alpha(_ s: Double) -> Double {
    s >= 0 ? s : (s <= -1 ? -.infinity : s / (1 + s))
  }
}
