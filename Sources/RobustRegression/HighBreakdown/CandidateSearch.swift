import CKernels
import Foundation

/// fast-S's resampling stage on a block of rows (all rows of a small problem, one of the large-n groups,
/// or the pooled groups), as robustbase's `fast_s_with_memory` and `refine_fast_s` run it: each random
/// elemental candidate β₀ (``ElementalSubsets``) starts at s₀ = MAD(r), takes `k.fast.s` = 1 step
///
///     s ← s·√(mean ρ(r/(c·s)) / b),   w = bisquare weight at r/(c·s),   β ← weighted least squares,
///
/// and enters the `best.r.s` = 2 smallest M-scales kept (its M-scale solved only when mean ρ at the
/// worst kept scale is below b, i.e. when it is smaller). The order of the scale update and the weights
/// is lmrob's. The block's subsets are drawn in order from its seed, drawn and stepped in parallel runs
/// (``BlockDraws``) and entered per segment of ``candidatesPerSegment`` draws
/// (``bestCandidates(in:count:seeds:kept:)``): the result is the sequential stream's, whatever the
/// threads' timing.
///
/// Everything per candidate runs on the block's own contiguous copy of its rows with buffers allocated
/// once per task: the residuals, the MAD, the weights, XᵀWX by `rf_weighted_gram`, a Cholesky solve of
/// the p × p system (the weighted QR on the rare failure), and the residuals at the new β.
final class CandidateBlock: @unchecked Sendable {
  let rows: Int
  let columns: Int
  /// X of the block, column-major (rows × columns), and y.
  let x: UnsafeMutableBufferPointer<Double>
  let y: UnsafeMutableBufferPointer<Double>
  /// Case weights of the block's rows, or nil for 1 each.
  let caseWeights: UnsafeMutableBufferPointer<Double>?
  /// 1 / max|xⱼ| per column (the rank test of the elemental subsets).
  let columnScales: [Double]
  /// Whether ``ElementalSubsets`` can take row i at all: a positive case weight and a nonzero row.
  let usableRows: UnsafeMutableBufferPointer<Bool>
  /// Σwᵢ − p: lmrob's n − p of the scale equation.
  let degreesOfFreedom: Double
  /// The block as a design, for the weighted QR when the Cholesky factor fails.
  let design: DesignMatrix
  let response: [Double]

  /// The rows `indices` of the problem (all rows when nil).
  init(design fullDesign: DesignMatrix, response fullResponse: [Double], caseWeights fullWeights: [Double]?,
       columnMagnitudes: [Double], rows indices: [Int]?) {
    design = indices.map { fullDesign.selectingRows($0) } ?? fullDesign
    response = indices.map { $0.map { fullResponse[$0] } } ?? fullResponse
    let weights = indices.map { i in fullWeights.map { w in i.map { w[$0] } } } ?? fullWeights
    rows = design.rows
    columns = design.columns
    x = .allocate(capacity: rows * columns)
    _ = x.initialize(from: design.values)
    y = .allocate(capacity: rows)
    _ = y.initialize(from: response)
    if let weights {
      let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows)
      _ = buffer.initialize(from: weights)
      caseWeights = buffer
      degreesOfFreedom = weights.reduce(0, +) - Double(columns)
    } else {
      caseWeights = nil
      degreesOfFreedom = Double(rows - columns)
    }
    columnScales = columnMagnitudes.map { $0 > 0 ? 1 / $0 : 1 }
    usableRows = .allocate(capacity: rows)
    let row = UnsafeMutablePointer<Double>.allocate(capacity: columns)
    defer { row.deallocate() }
    for i in 0..<rows {
      let size = ElementalSubsets.scaledRow(i, x: x.baseAddress!, rows: rows, columns: columns, scales: columnScales,
                                            into: row)
      usableRows.initializeElement(at: i, to: (caseWeights?[i] ?? 1) > 0 && size > 0)
    }
  }

  deinit {
    x.deallocate()
    y.deallocate()
    caseWeights?.deallocate()
    usableRows.deallocate()
  }

  /// Draws per segment: the kept candidates are found per segment of the stream, in draw order, and
  /// merged by (scale, draw number) (see ``bestCandidates(in:count:seeds:kept:)``). 100 as when the
  /// segments were the tasks: a candidate's entry depends on the worst scale kept before it in its
  /// segment, so this number is part of the result where two scales tie to the M-scale's tolerance.
  static let candidatesPerSegment = 100

  /// The `kept` best candidates of `count` elemental subsets in each block (smallest M-scale first), or
  /// a single candidate of scale 0 when one fits more than half of its block exactly (its MAD is 0).
  ///
  /// Each block's subsets are drawn in order from its seed, one stream per block as in robustbase, each
  /// draw's start taken through its ``SEstimator/candidateSteps`` steps in parallel runs on all cores,
  /// and the stepped candidates entered in draw order into the kept list of their segment of
  /// ``candidatesPerSegment`` draws (``BlockDraws``: bit for bit the sequential stream). The kept
  /// candidates are the smallest scales of the segments' lists with ties to the earlier draw, and the
  /// exact fit the earliest: the same whatever the threads' timing.
  static func bestCandidates(in blocks: [CandidateBlock], count: Int, seeds: [UInt64], kept: Int) throws
    -> [[SEstimator.Estimate]]
  {
    try BlockDraws.search(in: blocks, count: count, seeds: seeds, kept: kept).map { stream in
      var pooled: KeptList.Kept = []
      for segment in stream.segments { pooled += try segment.get() }
      if let exact = pooled.filter({ $0.estimate.scale == 0 }).min(by: { $0.index < $1.index }) {
        return [exact.estimate]
      }
      pooled.sort { ($0.estimate.scale, $0.index) < ($1.estimate.scale, $1.index) }
      return pooled.prefix(kept).map(\.estimate)
    }
  }
}

/// One task's buffers on a ``CandidateBlock``: residuals, MAD scratch, weights, the augmented Gram
/// matrix and the elemental subset's factors, allocated once.
final class CandidateWorkspace {
  let block: CandidateBlock
  /// r = y − X·β of the last ``residuals(at:into:)`` or ``step(_:scale:residualsInto:)`` (without a destination).
  let r: UnsafeMutableBufferPointer<Double>
  private let scratch: UnsafeMutableBufferPointer<Double>
  private let w: UnsafeMutableBufferPointer<Double>
  /// [X | y]ᵀW[X | y], upper triangle, column-major q × q (q = p + 1).
  private let gram: UnsafeMutableBufferPointer<Double>
  private let factor: UnsafeMutableBufferPointer<Double>
  /// The block's subsets, drawn by this task.
  let subsets: ElementalSubsets

  init(_ block: CandidateBlock) {
    self.block = block
    let m = block.rows, q = block.columns + 1
    r = .allocate(capacity: m)
    r.initialize(repeating: 0)
    scratch = .allocate(capacity: m)
    scratch.initialize(repeating: 0)
    w = .allocate(capacity: m)
    w.initialize(repeating: 0)
    gram = .allocate(capacity: q * q)
    gram.initialize(repeating: 0)
    factor = .allocate(capacity: q * q)
    factor.initialize(repeating: 0)
    subsets = ElementalSubsets(block: block)
  }

  deinit {
    r.deallocate()
    scratch.deallocate()
    w.deallocate()
    gram.deallocate()
    factor.deallocate()
  }

  private var dof: Double { block.degreesOfFreedom }
  private var weightBuffer: UnsafeBufferPointer<Double>? { block.caseWeights.map { UnsafeBufferPointer($0) } }

  /// A draw's start taken as far as it goes without the kept candidates: the residuals at β₀, the MAD
  /// (0 or not a number: an exact fit), then ``SEstimator/candidateSteps`` steps (``step(_:scale:residualsInto:)``).
  /// The residuals at a stepped β are left in `destination` (rows long) when given, else in `r`.
  func evaluate(_ start: [Double]?, residualsInto destination: UnsafeMutableBufferPointer<Double>? = nil)
    -> CandidateOutcome {
    guard let start else { return .skipped }
    residuals(at: start)
    let initial = madScale()
    guard initial > 0 else { return .exact(start) }
    var beta = start, scale = initial
    for step in 0..<SEstimator.candidateSteps {
      do {
        let last = step + 1 == SEstimator.candidateSteps
        guard let (next, nextScale) = try self.step(beta, scale: scale, residualsInto: last ? destination : nil)
        else { return .skipped }
        beta = next
        scale = nextScale
      } catch {
        return .failed(error)
      }
    }
    if SEstimator.candidateSteps == 0, let destination { _ = destination.update(fromContentsOf: r) }
    return .stepped(beta, scale: scale)
  }

  /// Enters the candidate whose residuals `r` holds into `best` when its M-scale is below the worst kept
  /// one (mean ρ at that scale below b); `scale` is its one-step scale, the M-scale solve's start.
  /// Returns its position in `best` (nil when not entered); equal scales keep the earlier candidate first.
  @discardableResult
  func enter(_ beta: [Double], scale: Double, into best: inout [SEstimator.Estimate], kept: Int) -> Int? {
    enter(beta, scale: scale, residuals: UnsafeBufferPointer(r), into: &best, kept: kept)
  }

  /// ``enter(_:scale:into:kept:)`` for a candidate whose residuals are `residuals`.
  func enter(_ beta: [Double], scale: Double, residuals: UnsafeBufferPointer<Double>,
             into best: inout [SEstimator.Estimate], kept: Int) -> Int? {
    if best.count == kept, let worst = best.last?.scale, worst > 0,
       MScale.meanRho(residuals, scale: worst, c: MScale.breakdownConstant, degreesOfFreedom: dof,
                      weights: weightBuffer) >= MScale.b {
      return nil
    }
    let solved = MScale.solve(residuals, degreesOfFreedom: dof, initial: scale, weights: weightBuffer).scale
    let position = best.firstIndex { $0.scale > solved } ?? best.count
    guard position < kept else { return nil }
    best.insert(SEstimator.Estimate(coefficients: beta, scale: solved, converged: false), at: position)
    if best.count > kept { best.removeLast() }
    return position
  }

  /// r = y − X·β on the block, into `destination` (rows long) when given: `rf_block_residuals`, the same
  /// doubles as the fused pass's residual loop (``WeightedPass/residuals(_:rows:columns:y:beta:count:into:)``)
  /// with four rows in a register through all the columns instead of a sweep of r per four columns.
  func residuals(at beta: [Double], into destination: UnsafeMutableBufferPointer<Double>? = nil) {
    beta.withUnsafeBufferPointer { b in
      rf_block_residuals(block.x.baseAddress!, block.rows, Int32(block.columns), block.y.baseAddress!, b.baseAddress!,
                         block.rows, (destination ?? r).baseAddress!)
    }
  }

  /// median|r| / Φ⁻¹(3/4) of the residuals in `r` (weighted by the case weights when there are any).
  func madScale() -> Double {
    guard let weights = block.caseWeights else { return Selection.madScale(of: UnsafeBufferPointer(r), scratch: scratch) }
    for i in 0..<block.rows { scratch[i] = abs(r[i]) }
    return Selection.weightedMedian(values: UnsafeBufferPointer(scratch), weights: UnsafeBufferPointer(weights))
      / Selection.madConsistency
  }

  /// One refinement step from β (whose residuals `r` holds) at scale s, in lmrob's order: the scale
  /// update from the residuals, the bisquare weights at the new scale, the weighted least-squares β.
  /// Returns the new β and scale, with `r` (or `destination`, when given) holding the new residuals; nil
  /// when the weighted system is singular or the scale vanished.
  func step(_ beta: [Double], scale s0: Double, residualsInto destination: UnsafeMutableBufferPointer<Double>? = nil)
    throws -> (beta: [Double], scale: Double)? {
    let m = block.rows, p = block.columns, q = p + 1, c = MScale.breakdownConstant
    let mean = MScale.meanRho(UnsafeBufferPointer(r), scale: s0, c: c, degreesOfFreedom: dof, weights: weightBuffer)
    let s = s0 * (mean / MScale.b).squareRoot()
    guard s > 0, s.isFinite else { return nil }
    let inverse = 1 / (c * s)
    for i in 0..<m {
      let u = r[i] * inverse, z = u * u, t = z < 1 ? z : 1  // branch-free
      w[i] = (1 - t) * (1 - t)
    }
    if let weights = block.caseWeights { for i in 0..<m { w[i] *= weights[i] } }
    gram.update(repeating: 0)
    let x = block.x.baseAddress!, y = block.y.baseAddress!, wb = w.baseAddress!, g = gram.baseAddress!
    var first = 0
    while first < m {  // tiles of 256 rows: [X | y] of the tile stays in L1 (as in WeightedPass)
      let t = min(256, m - first)
      rf_weighted_gram(x + first, m, Int32(p), y + first, wb + first, t, g, Int32(q))
      first += t
    }
    guard let next = try choleskySolve() ?? NormalEquations.solveQR(
      design: block.design, response: block.response, weights: UnsafeBufferPointer(w)),
      next.allSatisfy(\.isFinite)
    else { return nil }
    residuals(at: next, into: destination)
    return (next, s)
  }

  /// Refines β (whose residuals `r` holds) from scale s by ``step(_:scale:residualsInto:)`` until the relative change
  /// of β is at most `tolerance` (IRLS.relativeChange) or `steps` were taken; then solves its M-scale.
  func refine(_ start: [Double], scale: Double, steps: Int, tolerance: Double) throws -> SEstimator.Estimate {
    var beta = start, s = scale, converged = false
    for _ in 0..<steps {
      guard s > 0, let (next, nextScale) = try step(beta, scale: s) else { break }
      let change = IRLS.relativeChange(next, beta)
      beta = next
      s = nextScale
      if change <= tolerance { converged = true; break }
    }
    if s > 0 { s = MScale.solve(UnsafeBufferPointer(r), degreesOfFreedom: dof, initial: s, weights: weightBuffer).scale }
    return SEstimator.Estimate(coefficients: beta, scale: s, converged: converged)
  }

  /// The solution of the normal equations in `gram` by its Cholesky factor, or nil when a pivot falls
  /// below 1e-12 of its diagonal entry (the weighted design nearly singular: the QR decides then).
  private func choleskySolve() -> [Double]? {
    let p = block.columns, q = p + 1, g = gram.baseAddress!, u = factor.baseAddress!
    // u[k*q + j], j ≤ k: the upper factor U with UᵀU = XᵀWX. Columns are addressed by pointer (an index
    // k·q + i per element cost an overflow check each); the operations and their order are the same.
    for k in 0..<p {
      let gk = g + k * q, uk = u + k * q
      for j in 0...k {
        let uj = u + j * q
        var sum = gk[j]
        for i in 0..<j { sum -= uj[i] * uk[i] }
        if j == k {
          guard sum > 1e-12 * gk[k], sum.isFinite else { return nil }
          uk[k] = sum.squareRoot()
        } else {
          uk[j] = sum / uj[j]
        }
      }
    }
    return [Double](unsafeUninitializedCapacity: p) { z, count in
      let rhs = g + p * q
      for k in 0..<p {  // Uᵀz = Xᵀwy
        let uk = u + k * q
        var sum = rhs[k]
        for i in 0..<k { sum -= uk[i] * z[i] }
        z[k] = sum / uk[k]
      }
      for k in stride(from: p - 1, through: 0, by: -1) {  // Uβ = z
        var sum = z[k]
        for j in (k + 1)..<p { sum -= u[j * q + k] * z[j] }
        z[k] = sum / u[k * q + k]
      }
      count = p
    }
  }
}
