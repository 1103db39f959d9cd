import Dispatch
import Foundation
/// The S-estimate by fast-S (Salibian-Barrera & Yohai 2006), with robustbase `lmrob`'s defaults
/// (Docs/leverage.md): β minimising the M-scale s(β) of the residuals, with 50 % breakdown.
///
/// Each of `subsamples` random elemental subsets gives a candidate β; each candidate takes
/// `candidateSteps` IRWLS steps (bisquare weights at c·s, then a scale step), and the `kept` candidates
/// with the smallest scales are refined to convergence; the smallest scale wins. Above `largeRows` rows
/// the candidates come from random groups of rows (robustbase's large-n strategy). Seeded: the same data
/// and seed give the same estimate.
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
  /// robustbase's `fast.s.large.n`, `groups` and `n.group`: above this many rows the candidates come
  /// from `groups` random groups of `groupRows` rows, pooled, then refined on all rows.
  static let largeRows = 2000, groups = 5, groupRows = 400

  /// The estimate: coefficients, the M-scale, and whether every final refinement converged.
  struct Estimate {
    var coefficients: [Double]
    var scale: Double
    var converged: Bool
  }

  func fit() throws -> Estimate {
    let n = problem.design.rows, p = problem.design.columns
    let best: [Estimate]
    if n > Self.largeRows, Self.groupRows > p {
      best = try largeSampleCandidates()
    } else {
      var subsets = ElementalSubsets(design: problem.design, response: problem.response,
                                     columnMagnitudes: problem.columnMagnitudes, seed: seed,
                                     weights: problem.caseWeights)
      best = try candidates(drawing: &subsets)
    }
    guard !best.isEmpty else { throw RegressionError.tooFewObservations(n: n, p: p) }
    var result: Estimate?
    for candidate in Self.distinct(best) {
      let refined = try refine(candidate.coefficients, scale: candidate.scale, steps: Self.refineSteps,
                               tolerance: Self.refineTolerance)
      if result == nil || refined.scale < result!.scale { result = refined }
    }
    return exactFit(result!) ?? result!
  }

  /// The candidates without those that repeat an earlier one to 1e-6 relative: two refinements of one
  /// basin end at the same minimum, and on all rows each costs tens of passes over X.
  static func distinct(_ candidates: [Estimate]) -> [Estimate] {
    var kept: [Estimate] = []
    for candidate in candidates where !kept.contains(where: { other in
      zip(candidate.coefficients, other.coefficients).allSatisfy { abs($0 - $1) <= 1e-6 * max(abs($0), abs($1), 1e-300) }
    }) {
      kept.append(candidate)
    }
    return kept
  }

  /// The resampling loop: `subsamples` elemental candidates, each with `candidateSteps` refinement steps,
  /// of which the `kept` with the smallest M-scales are returned (smallest first).
  func candidates(drawing subsets: inout ElementalSubsets) throws -> [Estimate] {
    let n = problem.design.rows
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    var best: [Estimate] = []
    for _ in 0..<Self.subsamples {
      guard let start = try subsets.draw() else { continue }
      problem.pass.runWithUnitWeights(beta: start, accumulate: false)
      let initial = problem.pass.residualScale(scratch: scratch)
      guard initial > 0 else { return [Estimate(coefficients: start, scale: 0, converged: true)] }
      _ = try step(start, scale: initial, keeping: &best)
    }
    return best
  }

  /// One candidate's `candidateSteps` refinement steps from (β, s), entered into `best` when its scale
  /// is below the worst kept one (Σρ(r/s) falls as s grows, so mean ρ at the worst kept scale below b
  /// means its own scale is smaller, and only then is its M-scale solved). Nil when discarded.
  @discardableResult
  func step(_ start: [Double], scale: Double, keeping best: inout [Estimate]) throws -> Estimate? {
    let dof = problem.totalWeight - Double(problem.design.columns)
    var candidate = try refine(start, scale: scale, steps: Self.candidateSteps, tolerance: nil, solvesScale: false)
    guard candidate.coefficients.allSatisfy(\.isFinite) else { return nil }
    let residuals = UnsafeBufferPointer(problem.pass.residuals)
    if best.count == Self.kept, let worst = best.last?.scale, worst > 0,
       MScale.meanRho(residuals, scale: worst, c: MScale.breakdownConstant, degreesOfFreedom: dof,
                      weights: problem.weightBuffer) >= MScale.b {
      return nil
    }
    candidate.scale = MScale.solve(residuals, degreesOfFreedom: dof, initial: candidate.scale,
                                   weights: problem.weightBuffer).scale
    best.append(candidate)
    best.sort { $0.scale < $1.scale }
    if best.count > Self.kept { best.removeLast() }
    return candidate
  }

  /// robustbase's large-n strategy: `groups` × `groupRows` distinct random rows; fast-S in each group
  /// (`kept` candidates each); every group candidate takes `candidateSteps` steps on the pooled rows,
  /// and the `kept` best there are returned for the refinement on all rows.
  private func largeSampleCandidates() throws -> [Estimate] {
    let n = problem.design.rows
    var generator = SplitMix64(seed: seed)
    var chosen = Set<Int>(), rows: [Int] = []
    while rows.count < Self.groups * Self.groupRows {
      let i = Int(generator.next() % UInt64(n))
      if chosen.insert(i).inserted { rows.append(i) }
    }
    @Sendable func subproblem(_ indices: [Int]) throws -> FitProblem {
      try FitProblem(design: problem.design.selectingRows(indices), response: indices.map { problem.response[$0] },
                     caseWeights: problem.caseWeights.map { w in indices.map { w[$0] } }, options: problem.options, responseUnit: problem.responseUnit,
                     columnMagnitudes: problem.columnMagnitudes)
    }
    // The groups are independent: each runs on a core of its own, with its seed drawn here, so the
    // candidates do not depend on the threads' timing.
    let seeds = (0..<Self.groups).map { _ in generator.next() }
    let sampled = rows
    let results = GroupResults(count: Self.groups)
    DispatchQueue.concurrentPerform(iterations: Self.groups) { g in
      let indices = Array(sampled[(g * Self.groupRows)..<((g + 1) * Self.groupRows)])
      guard let group = try? subproblem(indices) else { return }  // a group whose columns are collinear
      var subsets = ElementalSubsets(design: group.design, response: group.response,
                                     columnMagnitudes: group.columnMagnitudes, seed: seeds[g])
      results.set(g, Result { try SEstimator(problem: group, seed: seed).candidates(drawing: &subsets) })
    }
    var groupCandidates: [Estimate] = []
    for g in 0..<Self.groups { if let result = results.get(g) { groupCandidates += try result.get() } }
    guard let pooled = try? subproblem(rows) else { return groupCandidates }
    let pooledEstimator = SEstimator(problem: pooled, seed: seed)
    var best: [Estimate] = []
    for candidate in groupCandidates where candidate.scale > 0 {
      try pooledEstimator.step(candidate.coefficients, scale: candidate.scale, keeping: &best)
    }
    // Refined to convergence on the pooled rows first: the refinement on all rows then starts next to its
    // end and takes a few passes over all rows instead of tens (the result is the same minimum).
    return try (best.isEmpty ? groupCandidates : best).map {
      try pooledEstimator.refine($0.coefficients, scale: $0.scale, steps: Self.refineSteps, tolerance: Self.refineTolerance)
    }
  }

  /// The estimate as an exact fit when more than (n + p)/2 rows lie on its hyperplane to rounding
  /// (``ExactFit``; lmrob's test with an absolute 1e-10 would depend on the units of y): the M-scale
  /// is then 0, where the fixed-point iteration only approaches it geometrically.
  private func exactFit(_ estimate: Estimate) -> Estimate? {
    let n = problem.design.rows, p = problem.design.columns
    problem.pass.runWithUnitWeights(beta: estimate.coefficients, accumulate: false)
    let onFit = ExactFit.rowsOnFit(design: problem.design, response: problem.response, beta: estimate.coefficients,
                                   residuals: Array(problem.pass.residuals))
    let weightOnFit = onFit.indices.reduce(0.0) { $0 + (onFit[$1] ? problem.caseWeights?[$1] ?? 1 : 0) }
    guard 2 * weightOnFit > problem.totalWeight + Double(p) else { return nil }
    return Estimate(coefficients: estimate.coefficients, scale: 0, converged: true)
  }

  /// Up to `steps` IRWLS steps from β at scale s: bisquare weights w(r/(c·s)), the weighted
  /// least-squares β, and robustbase's one-step scale update s ← s·√(mean ρ/b) on the residuals of the
  /// pass; then (with `solvesScale`) the M-scale of the last β solved exactly. With a tolerance, stops once
  /// the relative change of β is below it (`converged`). The pass holds the residuals of the returned β.
  func refine(_ start: [Double], scale: Double, steps: Int, tolerance: Double?,
              solvesScale: Bool = true) throws -> Estimate {
    let pass = problem.pass
    let dof = problem.totalWeight - Double(problem.design.columns)
    var beta = start, s = scale
    var converged = tolerance == nil
    for _ in 0..<steps {
      guard s > 0 else { converged = true; break }
      pass.run(beta: beta, loss: TukeyBiweightLoss(), scale: MScale.breakdownConstant * s)
      guard let next = try IRLS.solveStep(pass: pass, scale: MScale.breakdownConstant * s) else { break }
      // robustbase's one-step update s ← s·√(mean ρ̃/b), from the pass's own Σρ: Tukey's ρ at
      // u = r/(c·s) is ρ̃/6, so no second pass over the residuals is needed.
      s *= (6 * pass.objective / dof / MScale.b).squareRoot()
      let change = IRLS.relativeChange(next, beta)
      beta = next
      if let tolerance, change <= tolerance { converged = true; break }
    }
    pass.runWithUnitWeights(beta: beta, accumulate: false)
    if solvesScale, s > 0 {
      s = MScale.solve(UnsafeBufferPointer(pass.residuals), degreesOfFreedom: dof, initial: s,
                       weights: problem.weightBuffer).scale
    }
    return Estimate(coefficients: beta, scale: s, converged: converged)
  }
}

/// The groups' candidates, each written by the worker of its group into its own slot.
private final class GroupResults: @unchecked Sendable {
  private var slots: [Result<[SEstimator.Estimate], any Error>?]
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ g: Int, _ result: Result<[SEstimator.Estimate], any Error>) { lock.withLock { slots[g] = result } }
  func get(_ g: Int) -> Result<[SEstimator.Estimate], any Error>? { lock.withLock { slots[g] } }
}
