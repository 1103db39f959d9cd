/// The S-estimate by fast-S (Salibian-Barrera & Yohai 2006), with robustbase `lmrob`'s defaults
/// (Docs/leverage.md): β minimising the M-scale s(β) of the residuals, with 50 % breakdown.
///
/// Each of `subsamples` random elemental subsets gives a candidate β; each candidate takes
/// `candidateSteps` IRWLS steps (bisquare weights at c·s, then the M-scale of the new residuals), and
/// the `kept` candidates with the smallest scales are refined to convergence; the smallest scale wins.
/// Seeded: the same data and seed give the same estimate.
struct SEstimator {
  let problem: FitProblem
  let seed: UInt64

  /// robustbase's `nResample`.
  static let subsamples = 500
  /// robustbase's `k.fast.s`: refinement steps per candidate.
  static let candidateSteps = 1
  /// robustbase's `best.r.s`: candidates refined to convergence.
  static let kept = 2
  /// robustbase's `refine.tol` and `k.max`.
  static let refineTolerance = 1e-7, refineSteps = 200

  /// The estimate: coefficients, the M-scale, and whether every final refinement converged.
  struct Estimate {
    var coefficients: [Double]
    var scale: Double
    var converged: Bool
  }

  func fit() throws -> Estimate {
    let n = problem.design.rows, p = problem.design.columns
    let dof = Double(n - p)
    var subsets = ElementalSubsets(design: problem.design, response: problem.response,
                                   columnMagnitudes: problem.columnMagnitudes, seed: seed)
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    var best: [Estimate] = []
    for _ in 0..<Self.subsamples {
      guard let start = try subsets.draw() else { continue }
      problem.pass.runWithUnitWeights(beta: start, accumulate: false)
      let initial = Selection.madScale(of: UnsafeBufferPointer(problem.pass.residuals), scratch: scratch)
      var candidate = try refine(start, scale: initial, steps: Self.candidateSteps, tolerance: nil)
      guard candidate.coefficients.allSatisfy(\.isFinite) else { continue }
      // Only a candidate whose scale is below the worst kept one is worth its M-scale: Σρ(r/s) falls as
      // s grows, so mean ρ at the worst kept scale below b means its own scale is smaller.
      let residuals = UnsafeBufferPointer(problem.pass.residuals)
      if best.count == Self.kept, let worst = best.last?.scale, worst > 0,
         MScale.meanRho(residuals, scale: worst, c: MScale.breakdownConstant, degreesOfFreedom: dof) >= MScale.b {
        continue
      }
      candidate.scale = MScale.solve(residuals, degreesOfFreedom: dof, initial: candidate.scale).scale
      best.append(candidate)
      best.sort { $0.scale < $1.scale }
      if best.count > Self.kept { best.removeLast() }
      if best.first?.scale == 0 { break }  // an exact fit of more than half the rows cannot be beaten
    }
    guard !best.isEmpty else {
      throw RegressionError.tooFewObservations(n: n, p: p)
    }
    var result: Estimate?
    for candidate in best {
      let refined = try refine(candidate.coefficients, scale: candidate.scale, steps: Self.refineSteps,
                               tolerance: Self.refineTolerance)
      if result == nil || refined.scale < result!.scale { result = refined }
    }
    return exactFit(result!) ?? result!
  }

  /// The estimate as an exact fit when more than (n + p)/2 rows lie on its hyperplane to rounding
  /// (``ExactFit``; lmrob's test with an absolute 1e-10 would depend on the units of y): the M-scale
  /// is then 0, where the fixed-point iteration only approaches it geometrically.
  private func exactFit(_ estimate: Estimate) -> Estimate? {
    let n = problem.design.rows, p = problem.design.columns
    problem.pass.runWithUnitWeights(beta: estimate.coefficients, accumulate: false)
    let onFit = ExactFit.rowsOnFit(design: problem.design, response: problem.response, beta: estimate.coefficients,
                                   residuals: Array(problem.pass.residuals))
    guard 2 * onFit.filter({ $0 }).count > n + p else { return nil }
    return Estimate(coefficients: estimate.coefficients, scale: 0, converged: true)
  }

  /// Up to `steps` IRWLS steps from β at scale s: bisquare weights w(r/(c·s)), the weighted
  /// least-squares β, then the M-scale of its residuals (from s). With a tolerance, stops once the
  /// relative change of β is below it (`converged`). The pass holds the residuals of the returned β.
  func refine(_ start: [Double], scale: Double, steps: Int, tolerance: Double?) throws -> Estimate {
    let pass = problem.pass
    let dof = Double(problem.design.rows - problem.design.columns)
    var beta = start, s = scale
    var converged = tolerance == nil
    for _ in 0..<steps {
      guard s > 0 else { converged = true; break }
      pass.run(beta: beta, loss: TukeyBiweightLoss(), scale: MScale.breakdownConstant * s)
      guard let next = try IRLS.solveStep(pass: pass, scale: MScale.breakdownConstant * s) else { break }
      let change = IRLS.relativeChange(next, beta)
      beta = next
      pass.runWithUnitWeights(beta: beta, accumulate: false)
      s = MScale.solve(UnsafeBufferPointer(pass.residuals), degreesOfFreedom: dof, initial: s).scale
      if let tolerance, change <= tolerance { converged = true; break }
    }
    pass.runWithUnitWeights(beta: beta, accumulate: false)
    return Estimate(coefficients: beta, scale: s, converged: converged)
  }
}
