/// The IRLS loop for one loss at a given scale rule, on a prepared ``WeightedPass``.
///
/// Each iteration is one fused pass (residuals, weights, objective, XᵀWX, XᵀWy at the current β)
/// and one small solve. When σ̂ is updated, the scale used at iteration k is the MAD of the residuals
/// at β_k itself, as statsmodels' RLM does: a light sweep (residuals only, no weights or XᵀWX) after
/// each solve gives them, and the MAD is selected among the few |rᵢ| the sweep found near the previous
/// median. A lagged σ̂ (from the previous pass's residuals, saving that sweep) has the same fixed point
/// but converges at about the square root of the rate: 45 iterations instead of 23 at n = 1e6, p = 10
/// (Docs/performance.md).
///
/// When σ̂ keeps shrinking (by a quarter or more over eight iterations) or is at the rounding level of
/// the response, the loop tests, at the start, at iterations 8, 16, 32, …, and at the iteration cap,
/// whether more than half of the rows lie on one hyperplane (``ExactFit``): then the scale has no
/// positive fixed point and the fit stops with `.zeroScale` at that hyperplane instead of chasing
/// σ̂ → 0 geometrically.
struct DescentOutcome {
  var coefficients: [Double]
  var scale: Double
  /// The objective at `coefficients`: Σρ for IRLS, the NLL for the adaptive fit.
  var objective: Double
  var iterations: Int
  var termination: Termination
  var history: [IterationRecord]
}

enum IRLS {
  /// Runs IRLS for `loss` from `start`. The scale c is `fixedScale` when given, else `tuning`·σ̂ with σ̂
  /// first `startSigma` (the S-estimate's scale with its coefficients as the start) or the MAD scale of
  /// the start's residuals, then re-estimated at every new β when `updateScale` (``ScaleTracker``).
  static func run<L: RobustLoss, P: RowPass>(
    pass: P, loss: L, start: [Double], fixedScale: Double?, tuning: Double,
    updateScale: Bool, options: FitOptions, scratch: UnsafeMutableBufferPointer<Double>,
    startSigma: Double? = nil
  ) throws -> DescentOutcome {
    var beta = start
    var history: [IterationRecord] = []
    // Residuals at the start, for the first σ̂.
    try pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
    var c: Double
    /// σ̂ through the run when it is re-estimated at every β (nil: c stays as it starts).
    var tracker: ScaleTracker?
    /// Stops at the hyperplane through more than half the rows.
    func exactFitOutcome(_ exact: [Double], iteration: Int) throws -> DescentOutcome {
      try pass.run(beta: exact, loss: loss, scale: c, accumulate: false)
      return DescentOutcome(coefficients: exact, scale: c, objective: pass.objective, iterations: iteration,
                         termination: .zeroScale, history: history)
    }
    if let fixedScale {
      c = fixedScale
    } else {
      let sigma = try startSigma.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        ?? pass.residualScale(scratch: scratch)
      guard sigma > 0 else {
        return DescentOutcome(coefficients: beta, scale: 0, objective: 0, iterations: 0,
                           termination: .zeroScale, history: [])
      }
      c = tuning * sigma
      if updateScale {
        tracker = ScaleTracker(start: sigma, responseMagnitude: pass.responseMagnitude)
        if tracker!.testsExactFit(after: 0), let exact = try pass.exactFit(scratch: scratch) {
          return try exactFitOutcome(exact, iteration: 0)
        }
      }
    }
    var previousObjective = Double.nan
    var previousBeta = beta
    var iteration = 0
    var termination = Termination.iterationLimit
    while true {
      iteration += 1
      try pass.run(beta: beta, loss: loss, scale: c)
      let objective = pass.objective
      let step = relativeChange(beta, previousBeta)
      if options.recordHistory {
        history.append(IterationRecord(iteration: iteration, objective: objective, scale: c,
                                       coefficients: beta, relativeStep: iteration == 1 ? nil : step))
      }
      if try iteration > 1 && converged(objective: objective, previous: previousObjective, step: step, pass: pass,
                                    loss: loss, scale: c, tolerance: options.tolerance) {
        termination = .converged
        break
      }
      if iteration >= options.maxIterations {
        if tracker != nil, let exact = try pass.exactFit(scratch: scratch) {
          return try exactFitOutcome(exact, iteration: iteration)
        }
        break
      }
      guard let next = try solveStep(pass: pass, scale: c) else {
        termination = .rankDeficient
        break
      }
      previousBeta = beta
      previousObjective = objective
      beta = next
      // σ̂ of the residuals at the new β (not lagged: a lagged σ̂ roughly doubles the iterations,
      // the scale and the coefficients then converge together at the square root of the rate).
      if let sigma = try tracker?.sigma(at: beta, pass: pass, scratch: scratch) {
        guard sigma > 0 else {
          // More than half of the rows lie on the new β's hyperplane: stop there.
          termination = .zeroScale
          try pass.run(beta: beta, loss: loss, scale: c, accumulate: false)
          return DescentOutcome(coefficients: beta, scale: c, objective: pass.objective, iterations: iteration,
                             termination: termination, history: history)
        }
        c = tuning * sigma
        if tracker!.testsExactFit(after: iteration), let exact = try pass.exactFit(scratch: scratch) {
          return try exactFitOutcome(exact, iteration: iteration)
        }
      }
    }
    return DescentOutcome(coefficients: beta, scale: c, objective: pass.objective, iterations: iteration,
                       termination: termination, history: history)
  }

  /// The convergence test after a pass (from the second on): the step of β is within `tolerance`
  /// (relative), and so is the change of the objective, or it is within the objective's rounding floor
  /// (``roundingFloor(pass:loss:scale:)``). An objective beyond the double range (a residual near 1e308
  /// against c; see RegressionError.objectiveOverflow) cannot be compared: the step alone decides. A fit
  /// that reports such an objective is refused by its caller; a start only needs the coefficients.
  static func converged<L: RobustLoss, P: RowPass>(objective: Double, previous: Double, step: Double, pass: P,
                                                   loss: L, scale c: Double, tolerance: Double) throws -> Bool {
    let objectiveChange = abs(objective - previous) / max(abs(objective), .leastNormalMagnitude)
    return try step <= tolerance
      && (!objective.isFinite || objectiveChange <= tolerance
          || objectiveChange <= roundingFloor(pass: pass, loss: loss, scale: c) / abs(objective))
  }

  /// The weighted least-squares step from the pass's XᵀWX and XᵀWy, with the QR fallback; nil when
  /// the weighted system is rank deficient.
  /// Throws ``RegressionError/objectiveOverflow(row:ratio:)`` when XᵀWX or XᵀWy left the double range:
  /// weights that grow with |u| (Barron's α > 2) on a residual near the top of the range, the same cause
  /// as an objective that overflows (LAPACK would only say that an argument holds a NaN).
  static func solveStep<P: RowPass>(pass: P, scale c: Double) throws -> [Double]? {
    guard pass.gram.allSatisfy(\.isFinite), pass.rhs.allSatisfy(\.isFinite) else {
      throw overflow(pass: pass, scale: c)
    }
    switch try NormalEquations.solveCholesky(gram: pass.gram, rhs: pass.rhs, order: pass.columns) {
    case .solved(let beta): return beta
    case .illConditioned, .singular:
      return try pass.solveByQR()
    }
  }

  /// How much Σρ(rᵢ/c) can move from rounding alone: residuals carry an error of about
  /// ε·(|yᵢ| + |ŷᵢ|) each, so the objective is not determined better than Σ|ψ(uᵢ)|·ε(|yᵢ| + |ŷᵢ|)/c.
  /// With a large offset and small noise (y ≈ 1e9 ± 1) that floor is far above a relative 1e-10, and
  /// a test on the objective alone would never pass. Computed (one O(n) loop) only once the
  /// coefficients have converged. Returned with a safety factor of 16.
  static func roundingFloor<L: RobustLoss, P: RowPass>(pass: P, loss: L, scale c: Double) throws -> Double {
    try pass.roundingFloor(loss: loss, scale: c)
  }

  /// The error of an objective that overflowed, from the pass's residuals.
  static func overflow<P: RowPass>(pass: P, scale c: Double) -> RegressionError {
    pass.overflow(scale: c)
  }

  /// max |a − b| / max |a| (0 when both are 0).
  static func relativeChange(_ a: [Double], _ b: [Double]) -> Double {
    var change = 0.0, size = 0.0
    for i in a.indices {
      change = max(change, abs(a[i] - b[i]))
      size = max(size, abs(a[i]))
    }
    return change == 0 ? 0 : change / max(size, .leastNormalMagnitude)
  }
}

/// σ̂ through an IRLS run whose scale is re-estimated at every β: its history, the window in which the
/// next pass looks for median(|r|), and the schedule of the tests for an exact fit.
///
/// σ̂ at each new β comes from a light residual sweep that also counts |r| around the previous
/// median(|r|) and copies the few values near it (``WeightedPass/sweepResiduals(beta:medianWindow:selection:)``);
/// the window's half-width follows σ̂'s last relative change and doubles after a miss.
struct ScaleTracker {
  /// σ̂ after each iteration (index 0: the start).
  private(set) var sigmas: [Double]
  /// Half-width of the median window, relative to the previous median(|r|).
  private var windowWidth = 0.25
  /// A σ̂ this small is rounding noise of the response, not a scale: test for an exact fit.
  let roundingScale: Double

  /// The tracker from σ̂ of the start's residuals (> 0).
  init(start sigma: Double, responseMagnitude: Double) {
    sigmas = [sigma]
    roundingScale = 1e3 * Double.ulpOfOne * responseMagnitude
  }

  /// σ̂ of the residuals at `beta`, from a residual sweep of `pass` and a selection in the window
  /// around the last median(|r|) (a full selection when the window missed it); 0 when more than half
  /// of the residuals are 0. `scratch` holds n values.
  mutating func sigma<P: RowPass>(at beta: [Double], pass: P, scratch: UnsafeMutableBufferPointer<Double>) throws
    -> Double {
    let last = sigmas.last!
    let center = last * Selection.madConsistency
    let window = WeightedPass.MedianWindow(lower: center * (1 - windowWidth), upper: center * (1 + windowWidth))
    try pass.sweepResiduals(beta: beta, medianWindow: window, selection: scratch)
    let sigma: Double
    if let middle = try pass.medianAbsoluteResidual(scratch: scratch) {
      sigma = middle / Selection.madConsistency
      windowWidth = min(1, max(4 * abs(sigma - last) / max(sigma, .leastNormalMagnitude), 1e-3))
    } else {
      sigma = try pass.residualScale(scratch: scratch)
      windowWidth = min(1, 2 * windowWidth)
    }
    sigmas.append(sigma)
    return sigma
  }

  /// Whether to test for an exact fit after `iteration` (0: the start): when σ̂ keeps shrinking
  /// (``shrinking(_:iteration:)``), or at iterations 0, 1, 2, 4, 8, … when σ̂ is at the rounding level
  /// of the response. (The caller also tests at the iteration cap.)
  func testsExactFit(after iteration: Int) -> Bool {
    Self.shrinking(sigmas, iteration: iteration) || (iteration & (iteration - 1) == 0 && sigmas.last! <= roundingScale)
  }

  /// Whether to test for an exact fit after `iteration`: a power of two from 8 on, with σ̂ down by a
  /// quarter or more over the last eight iterations. `sigmas[k]` is σ̂ after iteration k (0: start).
  /// The test is skipped when σ̂ is plainly settling: with the last two four-step decrements
  /// d₁ = σ̂ₖ₋₈ − σ̂ₖ₋₄ and d₂ = σ̂ₖ₋₄ − σ̂ₖ, the decrements shrink fast (r = d₂/d₁ < 0.2) and a geometric
  /// tail d₂·r/(1 − r) would remove less than half of σ̂ₖ (σ̂ₖ = σ̂₀ρᵏ gives exactly σ̂ₖ; slow, sublinear
  /// shrinking toward an exact fit has r near 1). Without this, a start far from the fit (OLS with
  /// outliers: σ̂ falls from 7.3 to 1.2 in four steps, r ≈ 0.03) paid for a QR of all n rows at
  /// iteration 8.
  static func shrinking(_ sigmas: [Double], iteration: Int) -> Bool {
    guard iteration >= 8, iteration & (iteration - 1) == 0, sigmas.count > iteration else { return false }
    guard sigmas[iteration] < 0.75 * sigmas[iteration - 8] else { return false }
    let d1 = sigmas[iteration - 8] - sigmas[iteration - 4], d2 = sigmas[iteration - 4] - sigmas[iteration]
    guard d2 > 0 else { return false }
    guard d2 < d1 else { return true }
    let r = d2 / d1
    return r >= 0.2 || d2 * r / (1 - r) >= 0.5 * sigmas[iteration]
  }
}
