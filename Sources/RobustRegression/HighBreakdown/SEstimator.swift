import Dispatch
import Foundation
/// The S-estimate by fast-S (Salibian-Barrera & Yohai 2006), with robustbase `lmrob`'s defaults
/// (Docs/leverage.md): β minimising the M-scale s(β) of the residuals, with 50 % breakdown.
///
/// Each of `subsamples` random elemental subsets gives a candidate β; each candidate takes
/// `candidateSteps` IRWLS steps (a scale step, then bisquare weights at c·s, as lmrob;
/// ``CandidateBlock``), and the `kept` candidates
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
      let block = CandidateBlock(design: problem.design, response: problem.response, caseWeights: problem.caseWeights,
                                 columnMagnitudes: problem.columnMagnitudes, rows: nil)
      best = try CandidateBlock.bestCandidates(in: [block], count: Self.subsamples, seeds: [seed], kept: Self.kept)[0]
    }
    return try refined(best)
  }

  /// The S-estimate's minimum from a cheaper candidate search, for starts that only have to be in its
  /// basin (the adaptive fit's, which then minimises its own objective from there): the `subsamples`
  /// elemental candidates are searched on `groupRows` distinct random rows (one group of robustbase's
  /// large-n strategy), and the `kept` best are refined on all rows as in ``fit()``. A fifth of the
  /// candidate work of ``fit()`` at 2000 rows; ``fit()`` itself where the problem has at most
  /// `2 · groupRows` rows or a group would hold fewer than 2p rows. Not used by the S and MM fits,
  /// which are lmrob's.
  func basinEstimate() throws -> Estimate {
    let n = problem.design.rows, p = problem.design.columns
    guard n > 2 * Self.groupRows, Self.groupRows > 2 * p else { return try fit() }
    var generator = SplitMix64(seed: seed)
    var chosen = Set<Int>(), rows: [Int] = []
    while rows.count < Self.groupRows {
      let i = Int(generator.next() % UInt64(n))
      if chosen.insert(i).inserted { rows.append(i) }
    }
    let block = CandidateBlock(design: problem.design, response: problem.response, caseWeights: problem.caseWeights,
                               columnMagnitudes: problem.columnMagnitudes, rows: rows)
    let best = try CandidateBlock.bestCandidates(in: [block], count: Self.subsamples, seeds: [generator.next()],
                                                 kept: Self.kept)[0]
    return try refined(best)
  }

  /// The best of `candidates` refined to convergence on all rows (the smallest M-scale), as an exact fit
  /// when it is one.
  private func refined(_ candidates: [Estimate]) throws -> Estimate {
    guard !candidates.isEmpty else {
      throw RegressionError.tooFewObservations(n: problem.design.rows, p: problem.design.columns)
    }
    var result: Estimate?
    for refinement in refinements(of: Self.distinct(candidates)) {
      let refined = try refinement.get()
      if result == nil || refined.scale < result!.scale { result = refined }
    }
    return exactFit(result!) ?? result!
  }

  /// Each candidate refined to convergence (``refine(_:scale:steps:tolerance:pass:)``), in their order.
  /// Where the problem's passes run on one chunk (at most ``ParallelChunks/weightedPass(rows:columns:)``'s
  /// grain: the adaptive fit's start on its sample, S and MM fits up to about 47 000 rows at p = 10)
  /// the candidates are refined at once on the chunk pool, each on a pass of its own: the same doubles
  /// as one after the other, in about half the time on two cores. Larger problems refine them in turn,
  /// each pass on every core.
  private func refinements(of candidates: [Estimate]) -> [Result<Estimate, any Error>] {
    let refine = { @Sendable (candidate: Estimate, pass: WeightedPass) in
      Result { try self.refine(candidate.coefficients, scale: candidate.scale, steps: Self.refineSteps,
                               tolerance: Self.refineTolerance, pass: pass) }
    }
    guard candidates.count > 1, problem.pass.chunks == 1 else { return candidates.map { refine($0, problem.pass) } }
    let passes = [problem.pass] + candidates.dropFirst().map { _ in
      WeightedPass(design: problem.design, response: problem.response, caseWeights: problem.caseWeights, chunks: 1)
    }
    let results = UnsafeMutableBufferPointer<Result<Estimate, any Error>>.allocate(capacity: candidates.count)
    defer { results.deallocate() }
    nonisolated(unsafe) let slots = results
    ParallelChunks.perform(candidates.count) { k in
      (slots.baseAddress! + k).initialize(to: refine(candidates[k], passes[k]))
    }
    defer { _ = results.deinitialize() }
    return Array(results)
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

  /// robustbase's large-n strategy (`fast_s_large_n`): `groups` × `groupRows` distinct random rows;
  /// `subsamples` elemental candidates in each group (`kept` candidates each, ``CandidateBlock``, all
  /// groups' tasks together on all cores); every group candidate takes `candidateSteps` steps on the
  /// pooled rows from its scale, and the `kept` best there are returned for the refinement on all rows.
  private func largeSampleCandidates() throws -> [Estimate] {
    let n = problem.design.rows
    var generator = SplitMix64(seed: seed)
    var chosen = Set<Int>(), rows: [Int] = []
    while rows.count < Self.groups * Self.groupRows {
      let i = Int(generator.next() % UInt64(n))
      if chosen.insert(i).inserted { rows.append(i) }
    }
    func block(_ indices: [Int]) -> CandidateBlock {
      CandidateBlock(design: problem.design, response: problem.response, caseWeights: problem.caseWeights,
                     columnMagnitudes: problem.columnMagnitudes, rows: indices)
    }
    let seeds = (0..<Self.groups).map { _ in generator.next() }
    let groupBlocks = (0..<Self.groups).map { g in block(Array(rows[(g * Self.groupRows)..<((g + 1) * Self.groupRows)])) }
    let groupCandidates = try CandidateBlock.bestCandidates(in: groupBlocks, count: Self.subsamples, seeds: seeds,
                                                            kept: Self.kept).flatMap { $0 }
    let pooled = CandidateWorkspace(block(rows))
    var best: [Estimate] = []
    for candidate in groupCandidates where candidate.scale > 0 {
      pooled.residuals(at: candidate.coefficients)
      var beta = candidate.coefficients, scale = candidate.scale
      for _ in 0..<Self.candidateSteps {
        guard let (next, nextScale) = try pooled.step(beta, scale: scale) else { break }
        beta = next
        scale = nextScale
      }
      pooled.enter(beta, scale: scale, into: &best, kept: Self.kept)
    }
    // Refined to convergence on the pooled rows first: the refinement on all rows then starts next to its
    // end and takes a few passes over all rows instead of tens (the result is the same minimum).
    return try (best.isEmpty ? groupCandidates : best).map {
      pooled.residuals(at: $0.coefficients)
      return try pooled.refine($0.coefficients, scale: $0.scale, steps: Self.refineSteps, tolerance: Self.refineTolerance)
    }
  }

  /// The estimate as an exact fit when more than (n + p)/2 rows lie on its hyperplane to rounding
  /// (``ExactFit``; lmrob's test with an absolute 1e-10 would depend on the units of y): the M-scale
  /// is then 0, where the fixed-point iteration only approaches it geometrically.
  private func exactFit(_ estimate: Estimate) -> Estimate? {
    let n = problem.design.rows, p = problem.design.columns, beta = estimate.coefficients
    problem.pass.runWithUnitWeights(beta: beta, accumulate: false)
    let residuals = problem.pass.residuals
    // The screen by Σⱼ|βⱼ|·max|xⱼ| passes every row on the fit; only those pay for the row's own test.
    let bound = ExactFit.roundingBound(beta: beta, columnMagnitudes: problem.columnMagnitudes)
    var weightOnFit = 0.0
    for i in 0..<n where ExactFit.isOnFit(row: i, design: problem.design, response: problem.response, beta: beta,
                                          residual: residuals[i], bound: bound) {
      weightOnFit += problem.caseWeights?[i] ?? 1
    }
    guard 2 * weightOnFit > problem.totalWeight + Double(p) else { return nil }
    return Estimate(coefficients: beta, scale: 0, converged: true)
  }

  /// IRWLS steps from β at scale s until the relative change of β in a plain step is at most
  /// `tolerance` (`converged`) or `steps` were taken: bisquare weights w(r/(c·s)), the weighted
  /// least-squares β, and a scale step from the same pass's sums (``SRefinementRows``); then the M-scale
  /// of the last β solved exactly. The pass holds the residuals of the returned β.
  ///
  /// robustbase's plain iteration (β ← the weighted least squares, s ← s·√(mean ρ̃/b)) contracts the
  /// error of β by a fixed factor λ per step, about 0.56 on the benchmark data (22 passes over all rows
  /// at n = 1e6 from the pooled groups' estimate). For a design independent of the residuals λ is
  /// 1 − Σψ′(uᵢ)/Σw(uᵢ) in every direction (Huber 1981, §7.8), so the step is lengthened by
  /// Σw/Σψ′ (from the same pass, capped at 3): a Newton step with XᵀΨ′X ≈ (Σψ′/Σw)·XᵀWX. The scale step
  /// is Newton's in log s (``logScaleStep(mean:slope:)``), so that s stays at the M-scale of the current
  /// β. Both leave the fixed point unchanged (mean ρ̃ = b at the β that is the weighted least squares of
  /// its own weights: the S-estimate), and the test is lmrob's: the plain step's relative change. Once a
  /// plain step is longer than the one before, the lengthening stops for good (plain steps, which
  /// converge, from there on).
  func refine(_ start: [Double], scale: Double, steps: Int, tolerance: Double,
              pass: WeightedPass? = nil) throws -> Estimate {
    let pass = pass ?? problem.pass
    let dof = problem.totalWeight - Double(problem.design.columns)
    var (beta, s, converged) = try Self.refinementSteps(from: start, scale: scale, steps: steps, tolerance: tolerance,
                                                        degreesOfFreedom: dof) { beta, c in
      let sums = pass.run(beta: beta, rows: SRefinementRows(), scale: c)
      return (sums, try IRLS.solveStep(pass: pass, scale: c))
    }
    pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
    if s > 0 {
      s = MScale.solve(UnsafeBufferPointer(pass.residuals), degreesOfFreedom: dof, initial: s,
                       weights: problem.weightBuffer).scale
    }
    return Estimate(coefficients: beta, scale: s, converged: converged)
  }

  /// The steps of ``refine(_:scale:steps:tolerance:pass:)`` before its final M-scale: β, the scale of the
  /// last step and whether the plain step's change reached `tolerance`. `step(β, c)` runs the pass at β
  /// with bisquare weights at c = 1.54764·s and returns its ``SRefinementRows`` sums and the weighted
  /// least-squares β (nil: rank lost) — over a design in memory, or over rows held elsewhere
  /// (``DistributedHighBreakdown``).
  static func refinementSteps(from start: [Double], scale: Double, steps: Int, tolerance: Double,
                              degreesOfFreedom dof: Double,
                              step: ([Double], Double) throws -> (SIMD4<Double>, [Double]?)) rethrows
    -> (beta: [Double], scale: Double, converged: Bool) {
    var beta = start, s = scale
    var converged = false, lengthens = true, previousChange = Double.infinity
    for _ in 0..<steps {
      guard s > 0 else { converged = true; break }
      let (sums, solved) = try step(beta, MScale.breakdownConstant * s)
      guard let next = solved else { break }
      s *= Double.exp(Self.logScaleStep(mean: sums[0] / dof, slope: sums[1] / dof))
      let change = IRLS.relativeChange(next, beta)
      if change <= tolerance {
        beta = next
        converged = true
        break
      }
      if change > previousChange { lengthens = false }
      previousChange = change
      let factor = lengthens && sums[3] > 0 ? min(3, max(1, sums[2] / sums[3])) : 1
      for j in beta.indices { beta[j] += factor * (next[j] - beta[j]) }
    }
    return (beta, s, converged)
  }

  /// The step in log s towards mean ρ̃ = b from mean ρ̃ and its slope −d mean ρ̃/d log s at s: Newton's
  /// (b − mean)/(−slope), or the fixed-point step ½·log(mean/b) where Newton's points the other way or
  /// is more than 4 times as long. −∞ when mean ρ̃ = 0 (every residual 0: the scale is 0).
  static func logScaleStep(mean: Double, slope: Double) -> Double {
    let fixedPoint = 0.5 * Double.log(mean / MScale.b)
    guard slope > 0, fixedPoint.isFinite else { return fixedPoint }
    let newton = (mean - MScale.b) / slope
    return newton * fixedPoint >= 0 && abs(newton) <= 4 * abs(fixedPoint) ? newton : fixedPoint
  }
}

/// The rows of an S refinement's pass: Tukey's weights w = (1 − u²)² at u = r/(c·s), and the sums
/// (Σρ̃(u), Σρ̃′(u)·u, Σw(u), Σψ′(u)) with ρ̃ the normalised bisquare and ψ′ = (1 − u²)(1 − 5u²) Tukey's:
/// the scale step (mean ρ̃ and its slope in log s, ``MScale``) and the step length of
/// ``SEstimator/refine(_:scale:steps:tolerance:pass:)`` without another pass over the residuals.
/// Branch-free, as ``NormalisedBisquare``; each row's sums are multiplied by its case weight.
struct SRefinementRows: RowAccumulator {
  static var zero: SIMD4<Double> { .zero }

  func weight(_ u: Double) -> Double {
    let z = u * u, t = z < 1 ? z : 1
    return (1 - t) * (1 - t)
  }

  static func add(_ part: SIMD4<Double>, to total: inout SIMD4<Double>) { total += part }

  /// Tukey's Σρ = Σρ̃/6, the pass's objective.
  static func objective(of sums: SIMD4<Double>) -> Double { sums[0] / 6 }

  func weigh(_ r: UnsafePointer<Double>, count m: Int, inverseScale: Double,
             weights: UnsafeMutablePointer<Double>, caseWeights: UnsafePointer<Double>?) -> SIMD4<Double> {
    var total = SIMD4<Double>.zero
    for i in 0..<m {
      let u = r[i] * inverseScale, z = u * u, t = z < 1 ? z : 1, v = 1 - t
      weights[i] = v * v
      let terms = SIMD4(t * (3 - 3 * t + t * t), 6 * t * v * v, v * v, v * (1 - 5 * t))
      total += terms * (caseWeights?[i] ?? 1)
    }
    return total
  }
}
