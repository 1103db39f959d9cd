import CKernels
import CLapack

/// The one pass over X that an IRLS iteration needs, fused: for each block of rows it computes the
/// residuals r = y − X·β, the weights w = w(r/c), the objective Σρ(r/c), and accumulates XᵀWX and
/// XᵀWy while the block is still in cache (`rf_weighted_gram` of Sources/CKernels, AVX2/FMA when the
/// processor has it: y is the last column of the block, so XᵀWy comes out of the same kernel as XᵀWX).
///
/// Optionally the pass also prepares the MAD of its residuals: given a window [lo, hi] that should
/// hold median(|r|), it counts the |rᵢ| below the window and copies those inside it to a scratch
/// buffer, so that ``medianAbsoluteResidual(scratch:)`` selects among a few percent of the rows instead
/// of all n. The selected value is the same order statistic a selection over all n finds.
/// ``sweepResiduals(beta:medianWindow:selection:)`` is the light version for the scale alone: residuals
/// and the window, no weights and no XᵀWX.
///
/// What the pass computes per row besides the residuals is a ``RowAccumulator``: for a loss its weights
/// and Σρ (``run(beta:loss:scale:accumulate:medianWindow:selection:)``), for another accumulator its
/// weights and sums of its own (``run(beta:rows:scale:accumulate:medianWindow:selection:)``).
///
/// Rows are split into a number of chunks that depends only on n and p (never on the machine), the
/// chunks run on all cores, and their partial sums are added in chunk order: the result is
/// bit-for-bit reproducible (``ParallelChunks``). Every buffer that grows with n is allocated once (a
/// pass allocates only its small weight closure, and a box for ``rowSums`` when they are larger than
/// three words). Buffers are raw pointers because chunks write disjoint parts of them concurrently.
final class WeightedPass: @unchecked Sendable {
  let design: DesignMatrix
  let response: [Double]
  let rows: Int
  let columns: Int
  /// r = y − X·β from the last `run`.
  let residuals: UnsafeMutableBufferPointer<Double>
  /// w(r/c) of the last `run`, computed from its residuals when asked for: the pass keeps no n-length
  /// weight buffer (a column's worth of memory, and of writes per iteration, saved). Valid after `run`
  /// until the next `run` or ``sweepResiduals(beta:medianWindow:selection:)``.
  var weights: [Double] {
    guard let weightOf else { return [Double](repeating: 1, count: rows) }
    return [Double](unsafeUninitializedCapacity: rows) { buffer, count in
      for i in 0..<rows { buffer[i] = weightOf(residuals[i]) }
      count = rows
    }
  }
  /// w(r/c) as a function of r for the last `run`.
  private var weightOf: ((Double) -> Double)?
  /// The β whose residuals `residuals` holds: a pass at the same β (IRLS's pass after the σ̂ sweep)
  /// reuses them instead of reading y and recomputing X·β (the same code would give the same doubles).
  private var residualsBeta: [Double]?
  /// XᵀWX (upper triangle valid, column-major p × p) from the last `run`.
  private(set) var gram: [Double]
  /// XᵀWy from the last `run`.
  private(set) var rhs: [Double]
  /// Σρ(r/c) from the last `run`.
  private(set) var objective = 0.0
  /// The sums (`A.Sums`) of the last `run`'s accumulator `A`, as
  /// ``run(beta:rows:scale:accumulate:medianWindow:selection:)`` returned them; nil after
  /// ``sweepResiduals(beta:medianWindow:selection:)``.
  private(set) var rowSums: (any Sendable)?

  /// A window [lower, upper] expected to contain median(|r|) of the next pass.
  struct MedianWindow {
    var lower: Double
    var upper: Double
  }

  /// The number of chunks the rows are cut into (``ParallelChunks``).
  let chunks: Int
  private let blockRows: Int
  private let tileRows: Int
  /// Whether the Gram accumulation calls `cblas_dsyrk` (on the √w-scaled block) instead of `rf_weighted_gram`.
  private let usesBLAS: Bool
  /// The widest augmented block [X | y] given to `rf_weighted_gram`.
  static let kernelColumnLimit = 24
  /// Columns of the augmented block [X | y].
  private let augmented: Int
  /// Per chunk: augmented q×q Gram, 1 objective, tileRows×q scaled block (dsyrk), blockRows weights.
  private let scratch: UnsafeMutableBufferPointer<Double>
  private let scratchStride: Int
  /// Per chunk: |r| below the window, inside it, above it, and NaN (counted inside as well).
  private let windowCounts: UnsafeMutableBufferPointer<Int>
  /// Whether the last `run` filled the window counts (and the selection scratch).
  private var windowFilled = false

  /// The case weights (frequency weights: row i counts as wᵢ rows), or nil for 1 each. They multiply each
  /// row's ρ in the objective and its IRLS weight in XᵀWX and XᵀWy, and each row's terms in an
  /// accumulator's sums; the residual scale is their weighted median (``residualScale(of:scratch:)``).
  let caseWeights: UnsafeMutableBufferPointer<Double>?
  /// Σwᵢ (n without case weights): the number of rows the weights stand for.
  let totalWeight: Double

  /// `chunks`: the chunk count, by default ``ParallelChunks/weightedPass(rows:columns:)``'s.
  init(design: DesignMatrix, response: [Double], caseWeights weights: [Double]? = nil, chunks: Int? = nil) {
    precondition(response.count == design.rows, "y needs one value per row of X")
    precondition(weights == nil || weights!.count == design.rows, "one case weight per row")
    self.design = design
    self.response = response
    if let weights {
      let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: weights.count)
      _ = buffer.initialize(from: weights)
      caseWeights = buffer
      totalWeight = weights.reduce(0, +)
    } else {
      caseWeights = nil
      totalWeight = Double(design.rows)
    }
    let n = design.rows, p = design.columns
    rows = n
    columns = p
    residuals = .allocate(capacity: n)
    residuals.initialize(repeating: 0)
    gram = [Double](repeating: 0, count: p * p)
    rhs = [Double](repeating: 0, count: p)
    self.chunks = chunks ?? ParallelChunks.weightedPass(rows: n, columns: p)
    // Residuals and weights go over blocks of 4096 rows (long runs per column for the prefetcher; the
    // block's X stays in L2 for the Gram kernel); the kernel takes 256 rows at a time, so that the
    // tile's [X | y] columns, which every 4×2 tile of G re-reads (11 columns, 22 KB at p = 10), stay
    // in a 32 KB L1.
    // Above 24 columns OpenBLAS's dsyrk on the √w-scaled block (run on one thread inside each chunk)
    // takes over, its packing amortised over many columns: its tiles are about 0.5 MB.
    blockRows = 4096
    BLASThreads.pin()
    augmented = p + 1
    usesBLAS = augmented > WeightedPass.kernelColumnLimit
    tileRows = usesBLAS ? max(512, min(2048, 65_536 / augmented)) : 256
    scratchStride = augmented * augmented + 1 + tileRows * augmented + blockRows
    scratch = .allocate(capacity: scratchStride * self.chunks)
    scratch.initialize(repeating: 0)
    windowCounts = .allocate(capacity: 4 * self.chunks)
    windowCounts.initialize(repeating: 0)
  }

  deinit {
    caseWeights?.deallocate()
    residuals.deallocate()
    scratch.deallocate()
    windowCounts.deallocate()
  }

  /// One fused pass at coefficients `beta` and loss scale `scale`. With `accumulate` false only the
  /// residuals, weights and objective are computed (no XᵀWX). With a `medianWindow`, the |rᵢ| inside
  /// it are copied to `selection` (n values; each chunk writes only its own rows' range) for
  /// ``medianAbsoluteResidual(scratch:)``.
  func run<L: RobustLoss>(beta: [Double], loss: L, scale c: Double, accumulate: Bool = true,
                          medianWindow: MedianWindow? = nil,
                          selection: UnsafeMutableBufferPointer<Double>? = nil) {
    run(beta: beta, rows: LossRows(loss: loss), scale: c, accumulate: accumulate, medianWindow: medianWindow,
        selection: selection)
  }

  /// `run` with the weights and sums of the accumulator `rows` (``RowAccumulator``), which it returns
  /// (and keeps in ``rowSums``); the objective is their Σρ.
  @discardableResult
  func run<A: RowAccumulator>(beta: [Double], rows: A, scale c: Double, accumulate: Bool = true,
                              medianWindow: MedianWindow? = nil,
                              selection: UnsafeMutableBufferPointer<Double>? = nil) -> A.Sums {
    let inverseScale = 1 / c
    // Non-nil: the pass has rows to weigh.
    let sums = sweep(beta: beta, rows: rows, inverseScale: inverseScale, accumulate: accumulate,
                     medianWindow: medianWindow, selection: selection)!
    weightOf = { rows.weight($0 * inverseScale) }
    rowSums = sums
    return sums
  }

  /// XᵀX and Xᵀy (with `accumulate`) and the residuals at `beta`: a pass with the weights of least
  /// squares, w = 1 (``UnitWeights``), whatever the scale.
  func runWithUnitWeights(beta: [Double], accumulate: Bool = true) {
    run(beta: beta, loss: UnitWeights(), scale: 1, accumulate: accumulate)
  }

  /// The residuals r = y − X·β alone (weights and objective keep their old values), with the median
  /// window of `run`: the pass that gives σ̂ at a new β before its weights are formed.
  func sweepResiduals(beta: [Double], medianWindow: MedianWindow?, selection: UnsafeMutableBufferPointer<Double>?) {
    _ = sweep(beta: beta, rows: LossRows<UnitWeights>?.none, inverseScale: 1, accumulate: false,
              medianWindow: medianWindow, selection: selection)
    weightOf = nil
    rowSums = nil
  }

  /// The pass: residuals for all rows, and with `rows` their weights, sums and objective (and with
  /// `accumulate` XᵀWX and XᵀWy). Returns the sums of `rows` over all rows (nil without `rows`).
  private func sweep<A: RowAccumulator>(beta: [Double], rows: A?, inverseScale: Double, accumulate: Bool,
                                        medianWindow: MedianWindow?,
                                        selection: UnsafeMutableBufferPointer<Double>?) -> A.Sums? {
    let n = self.rows
    let chunks = self.chunks
    // With case weights σ̂ is a weighted median (``residualScale(of:scratch:)``), which the window does not serve.
    let window = selection == nil || caseWeights != nil ? nil : medianWindow
    if window != nil { precondition(selection!.count >= n, "the selection scratch needs n values") }
    let reuse = residualsBeta == beta
    residualsBeta = beta
    nonisolated(unsafe) let selectionBase = selection?.baseAddress
    let total = withUnsafeTemporaryAllocation(of: A.Sums.self, capacity: chunks) { slotBuffer -> A.Sums? in
      nonisolated(unsafe) let slots = slotBuffer.baseAddress!
      beta.withUnsafeBufferPointer { betaBuffer in
        nonisolated(unsafe) let b = betaBuffer
        // OpenBLAS runs on one thread (BLASThreads.pin, made by every fit before its first pass): its own
        // pool would wake per call and fight the chunk workers for the cores.
        ParallelChunks.perform(chunks) { chunk in
          let range = ParallelChunks.rows(of: chunk, chunks: chunks, total: n)
          let sums = self.runChunk(chunk, rows: range, beta: b, accumulator: rows, inverseScale: inverseScale,
                                   accumulate: accumulate, reuse: reuse, window: window, selection: selectionBase)
          if let sums { (slots + chunk).initialize(to: sums) }
        }
      }
      guard rows != nil else { return nil }
      var total = A.zero
      for chunk in 0..<chunks { A.add((slots + chunk).move(), to: &total) }
      return total
    }
    windowFilled = window != nil
    guard rows != nil else { return nil }
    reduceChunks(accumulate: accumulate)
    return total
  }

  /// Adds the chunks' objectives (and, with `accumulate`, their XᵀWX and XᵀWy) in chunk order: the
  /// deterministic reduction.
  private func reduceChunks(accumulate: Bool) {
    let p = columns, q = augmented
    objective = 0
    for chunk in 0..<chunks { objective += scratch[chunk * scratchStride + q * q] }
    guard accumulate else { return }
    for k in 0..<(p * p) { gram[k] = 0 }
    for k in 0..<p { rhs[k] = 0 }
    for chunk in 0..<chunks {
      let base = UnsafePointer(scratch.baseAddress! + chunk * scratchStride)
      UpperTriangle.add(base, leadingDimension: q, into: &gram, order: p)
      for j in 0..<p { rhs[j] += base[p * q + j] }
    }
  }

  /// median(|r|) of the last `run`'s residuals from its window, or nil when the window did not
  /// contain the middle order statistics (or no window was given). `scratch` is the `selection`
  /// buffer of that run; it is reordered.
  func medianAbsoluteResidual(scratch: UnsafeMutableBufferPointer<Double>) -> Double? {
    guard windowFilled, caseWeights == nil else { return nil }
    windowFilled = false
    let n = rows
    var below = 0, inside = 0, above = 0, nan = 0
    for chunk in 0..<chunks {
      below += windowCounts[4 * chunk]
      inside += windowCounts[4 * chunk + 1]
      above += windowCounts[4 * chunk + 2]
      nan += windowCounts[4 * chunk + 3]
    }
    // NaN residuals: leave them to the full selection.
    guard nan == 0, below + inside + above == n else { return nil }
    let upperRank = n / 2, lowerRank = n % 2 == 0 ? n / 2 - 1 : n / 2
    guard below <= lowerRank, upperRank < below + inside else { return nil }
    // Move each chunk's window values to the front (destinations never pass their sources).
    let base = scratch.baseAddress!
    var count = 0
    for chunk in 0..<chunks {
      let start = ParallelChunks.rows(of: chunk, chunks: chunks, total: n).lowerBound
      let k = windowCounts[4 * chunk + 1]
      if start != count { for t in 0..<k { base[count + t] = base[start + t] } }
      count += k
    }
    let values = UnsafeMutableBufferPointer(start: base, count: count)
    return Selection.middle(of: values, upperRank: upperRank - below, even: lowerRank != upperRank)
  }

  /// The MAD scale of `residuals` (n values, in row order): median(|r|)/0.6745, the median weighted by
  /// the case weights when there are any (``Selection/weightedMedian(values:weights:)``). `scratch` holds n
  /// values and is overwritten.
  func residualScale(of residuals: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>) -> Double {
    guard let caseWeights else { return Selection.madScale(of: residuals, scratch: scratch) }
    for i in residuals.indices { scratch[i] = abs(residuals[i]) }
    return Selection.weightedMedian(values: UnsafeBufferPointer(rebasing: scratch[0..<residuals.count]),
                                    weights: UnsafeBufferPointer(caseWeights)) / Selection.madConsistency
  }

  /// ``residualScale(of:scratch:)`` of an array, with a scratch buffer of its own.
  func residualScale(of residuals: [Double]) -> Double {
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: residuals.count)
    defer { scratch.deallocate() }
    return residuals.withUnsafeBufferPointer { residualScale(of: $0, scratch: scratch) }
  }

  /// The MAD scale of the last pass's residuals (``residualScale(of:scratch:)``).
  func residualScale(scratch: UnsafeMutableBufferPointer<Double>) -> Double {
    residualScale(of: UnsafeBufferPointer(residuals), scratch: scratch)
  }

  /// One chunk of the pass: residuals, weights and sums block by block, the window's counts and copies,
  /// and the chunk's XᵀWX and XᵀWy in its scratch. Returns the chunk's sums (nil without `accumulator`:
  /// residuals only).
  private func runChunk<A: RowAccumulator>(
    _ chunk: Int, rows range: Range<Int>, beta b: UnsafeBufferPointer<Double>, accumulator: A?,
    inverseScale: Double, accumulate: Bool, reuse: Bool, window: MedianWindow?,
    selection: UnsafeMutablePointer<Double>?
  ) -> A.Sums? {
    let n = rows, p = columns, q = augmented, blockRows = self.blockRows
    let base = scratch.baseAddress! + chunk * scratchStride
    let g = base, objectiveSlot = base + q * q
    let block = objectiveSlot + 1, root = block + tileRows * q, tileRows = self.tileRows, usesBLAS = self.usesBLAS
    let accumulate = accumulate && accumulator != nil
    let r = residuals.baseAddress!
    var objective = 0.0
    var below = 0, inside = 0, above = 0, nan = 0
    let target = selection.map { $0 + range.lowerBound }
    if accumulate { g.update(repeating: 0, count: q * q) }
    var total = A.zero
    design.values.withUnsafeBufferPointer { xBuffer in
      response.withUnsafeBufferPointer { yBuffer in
        let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
        var i0 = range.lowerBound
        while i0 < range.upperBound {
          let m = min(blockRows, range.upperBound - i0)
          let rb = r + i0, yb = y + i0
          // Residuals of the block, four columns at a time (contiguous, vectorises).
          if !reuse { WeightedPass.residuals(x + i0, rows: n, columns: p, y: yb, beta: b, count: m, into: rb) }
          guard let accumulator else {
            if let window, let target {
              WeightedPass.countWindow(rb, count: m, window: window, into: target, below: &below, inside: &inside,
                                       above: &above, nan: &nan)
            }
            i0 += m
            continue
          }
          // Weights, sums and objective.
          let caseBlock = caseWeights.map { UnsafePointer($0.baseAddress! + i0) }
          let sums = accumulator.weigh(rb, count: m, inverseScale: inverseScale, weights: root, caseWeights: caseBlock)
          if accumulate, let caseBlock { for i in 0..<m { root[i] *= caseBlock[i] } }
          objective += A.objective(of: sums)
          A.add(sums, to: &total)
          if let window, let target {
            // Branch-free compaction: always store, advance only for values inside the window.
            WeightedPass.countWindow(rb, count: m, window: window, into: target, below: &below, inside: &inside,
                                     above: &above, nan: &nan)
          }
          if accumulate {
            var s0 = 0
            while s0 < m {
              let t = min(tileRows, m - s0), weightsT = root + s0
              if usesBLAS {
                // dsyrk needs the √w-scaled block.
                for i in 0..<t { weightsT[i] = weightsT[i].squareRoot() }
                for j in 0..<p {
                  let column = x + j * n + i0 + s0, scaled = block + j * t
                  for i in 0..<t { scaled[i] = weightsT[i] * column[i] }
                }
                let scaledY = block + p * t, yT = yb + s0
                for i in 0..<t { scaledY[i] = weightsT[i] * yT[i] }
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(q), Int32(t), 1, block, Int32(t), 1, g,
                            Int32(q))
              } else {
                rf_weighted_gram(x + i0 + s0, n, Int32(p), yb + s0, weightsT, t, g, Int32(q))
              }
              s0 += t
            }
          }
          i0 += m
        }
      }
    }
    objectiveSlot.pointee = objective
    windowCounts[4 * chunk] = below
    windowCounts[4 * chunk + 1] = inside
    windowCounts[4 * chunk + 2] = above
    windowCounts[4 * chunk + 3] = nan
    return accumulator == nil ? nil : total
  }

  /// r = y − X·β for `m` rows starting at `x` (column-major, leading dimension `n`), four columns at a
  /// time (contiguous, vectorises).
  @inline(__always)
  static func residuals(_ x: UnsafePointer<Double>, rows n: Int, columns p: Int, y: UnsafePointer<Double>,
                        beta b: UnsafeBufferPointer<Double>, count m: Int, into r: UnsafeMutablePointer<Double>) {
    r.update(from: y, count: m)
    // Four columns per sweep of r: a quarter of the loads and stores of r that one column at a time
    // costs (that loop was bound by its stores).
    var j = 0
    while j + 4 <= p {
      let b0 = b[j], b1 = b[j + 1], b2 = b[j + 2], b3 = b[j + 3]
      let c0 = x + j * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n
      for i in 0..<m { r[i] -= (b0 * c0[i] + b1 * c1[i]) + (b2 * c2[i] + b3 * c3[i]) }
      j += 4
    }
    while j < p {
      let bj = b[j], column = x + j * n
      if bj != 0 { for i in 0..<m { r[i] -= bj * column[i] } }
      j += 1
    }
  }

  /// Counts the |rᵢ| of a block below, inside and above the window and copies those inside to
  /// `target[inside...]`: branch-free, every value is stored and the position advances only for
  /// values inside (a chunk's copies never pass its own rows, so `target` needs the chunk's length).
  @inline(never)
  private static func countWindow(_ r: UnsafeMutablePointer<Double>, count m: Int, window: MedianWindow,
                                  into target: UnsafeMutablePointer<Double>, below: inout Int, inside: inout Int,
                                  above: inout Int, nan: inout Int) {
    let lo = window.lower, hi = window.upper
    var k = inside, b = below, t = above, z = nan
    for i in 0..<m {
      let a = abs(r[i])
      target[k] = a
      let isBelow = a < lo ? 1 : 0, isAbove = a > hi ? 1 : 0
      b &+= isBelow
      t &+= isAbove
      z &+= a.isNaN ? 1 : 0
      k &+= 1 &- (isBelow | isAbove)
    }
    inside = k
    below = b
    above = t
    nan = z
  }
}
