/// The IRLS loop for one loss at a given scale rule, on a prepared ``WeightedPass``.
///
/// Each iteration is one fused pass (residuals, weights, objective, XᵀWX, XᵀWy at the current β)
/// and one small solve. When σ̂ is updated, the scale used at iteration k comes from the residuals
/// of iteration k − 1, which the previous pass produced: this saves a second pass over X per
/// iteration and has the same fixed point (β solves its own weighted problem at c = k·MAD(r(β))).
struct IRLSOutcome {
  var coefficients: [Double]
  var scale: Double
  var objective: Double
  var iterations: Int
  var termination: Termination
  var history: [IterationRecord]
}

enum IRLS {
  /// Runs IRLS from `start`. `scaleOf` maps σ̂ to c (nil: c fixed at `fixedScale`).
  static func run<L: RobustLoss>(
    pass: WeightedPass, loss: L, start: [Double], fixedScale: Double?, tuning: Double,
    updateScale: Bool, options: FitOptions, scratch: UnsafeMutableBufferPointer<Double>
  ) throws -> IRLSOutcome {
    var beta = start
    var history: [IterationRecord] = []
    // Residuals at the start, for the first σ̂.
    pass.run(beta: beta, loss: loss, scale: 1, accumulate: false)
    var c: Double
    if let fixedScale {
      c = fixedScale
    } else {
      let sigma = Selection.madScale(of: UnsafeBufferPointer(pass.residuals), scratch: scratch)
      guard sigma > 0 else {
        return IRLSOutcome(coefficients: beta, scale: 0, objective: 0, iterations: 0,
                           termination: .zeroScale, history: [])
      }
      c = tuning * sigma
    }
    var previousObjective = Double.nan
    var previousBeta = beta
    var iteration = 0
    var termination = Termination.iterationLimit
    while true {
      iteration += 1
      pass.run(beta: beta, loss: loss, scale: c)
      let objective = pass.objective
      let step = relativeChange(beta, previousBeta)
      if options.recordHistory {
        history.append(IterationRecord(iteration: iteration, objective: objective, scale: c,
                                       coefficients: beta, relativeStep: iteration == 1 ? .nan : step))
      }
      if iteration > 1 {
        let objectiveChange = abs(objective - previousObjective) / max(abs(objective), .leastNormalMagnitude)
        if objectiveChange <= options.tolerance && step <= options.tolerance {
          termination = .converged
          break
        }
      }
      if iteration >= options.maxIterations { break }
      guard let next = try solveStep(pass: pass) else {
        termination = .rankDeficient
        break
      }
      previousBeta = beta
      previousObjective = objective
      beta = next
      if fixedScale == nil && updateScale {
        // σ̂ of the residuals just computed (at the previous β): the lagged scale.
        let sigma = Selection.madScale(of: UnsafeBufferPointer(pass.residuals), scratch: scratch)
        guard sigma > 0 else {
          // Revert to the iterate whose residuals were computed and stop.
          beta = previousBeta
          termination = .zeroScale
          pass.run(beta: beta, loss: loss, scale: c, accumulate: false)
          return IRLSOutcome(coefficients: beta, scale: c, objective: pass.objective, iterations: iteration,
                             termination: termination, history: history)
        }
        c = tuning * sigma
      }
    }
    return IRLSOutcome(coefficients: beta, scale: c, objective: pass.objective, iterations: iteration,
                       termination: termination, history: history)
  }

  /// The weighted least-squares step from the pass's XᵀWX and XᵀWy, with the QR fallback; nil when
  /// the weighted system is rank deficient.
  static func solveStep(pass: WeightedPass) throws -> [Double]? {
    switch try NormalEquations.solveCholesky(gram: pass.gram, rhs: pass.rhs, order: pass.columns) {
    case .solved(let beta): return beta
    case .illConditioned, .singular:
      return try NormalEquations.solveQR(design: pass.design, response: pass.response,
                                         weights: UnsafeBufferPointer(pass.weights))
    }
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
