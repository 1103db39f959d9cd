import CKernels
import CLapack
import Dispatch

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
/// Rows are split into a number of chunks that depends only on n and p (never on the machine), the
/// chunks run on all cores, and their partial sums are added in chunk order: the result is
/// bit-for-bit reproducible. Every buffer that grows with n is allocated once (a pass allocates only
/// its small weight closure). Buffers are raw pointers because chunks write disjoint parts of them
/// concurrently.
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
  /// With a `shape` in the last `run`: Σρ, Σ∂ρ/∂α, Σ∂²ρ/∂α², Σ∂ρ/∂λ, Σ∂²ρ/∂λ², Σ∂²ρ/∂α∂λ (λ = log c).
  private(set) var shapeSums: [Double]?

  /// A window [lower, upper] expected to contain median(|r|) of the next pass.
  struct MedianWindow {
    var lower: Double
    var upper: Double
  }

  private let chunks: Int
  private let chunkSize: Int
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
  /// Per chunk: the shape-derivative sums of a `run(shape:)`.
  private let shapeSlots: UnsafeMutableBufferPointer<BarronShapeDerivatives.Sums>
  /// Per chunk: |r| below the window, inside it, above it, and NaN (counted inside as well).
  private let windowCounts: UnsafeMutableBufferPointer<Int>
  /// Whether the last `run` filled the window counts (and the selection scratch).
  private var windowFilled = false

  init(design: DesignMatrix, response: [Double]) {
    precondition(response.count == design.rows, "y needs one value per row of X")
    self.design = design
    self.response = response
    let n = design.rows, p = design.columns
    rows = n
    columns = p
    residuals = .allocate(capacity: n)
    residuals.initialize(repeating: 0)
    gram = [Double](repeating: 0, count: p * p)
    rhs = [Double](repeating: 0, count: p)
    chunks = max(1, min(8, n * p / 262_144))
    chunkSize = (n + chunks - 1) / chunks
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
    scratch = .allocate(capacity: scratchStride * chunks)
    scratch.initialize(repeating: 0)
    windowCounts = .allocate(capacity: 4 * chunks)
    windowCounts.initialize(repeating: 0)
    shapeSlots = .allocate(capacity: chunks)
    shapeSlots.initialize(repeating: .init())
  }

  deinit {
    residuals.deallocate()
    scratch.deallocate()
    windowCounts.deallocate()
    shapeSlots.deallocate()
  }

  /// One fused pass at coefficients `beta` and loss scale `scale`. With `accumulate` false only the
  /// residuals, weights and objective are computed (no XᵀWX). With a `medianWindow`, the |rᵢ| inside
  /// it are copied to `selection` (n values; each chunk writes only its own rows' range) for
  /// ``medianAbsoluteResidual(scratch:)``.
  ///
  /// With `shape` (Barron's loss at the same α), the weights and the objective come from
  /// ``BarronShapeDerivatives/values(z:)`` and the pass also sums the α- and λ-derivatives the adaptive
  /// fit's (α, c) step needs (``shapeSums``), so that step needs no pass over the residuals of its own.
  func run<L: RobustLoss>(beta: [Double], loss: L, scale c: Double, accumulate: Bool = true,
                          medianWindow: MedianWindow? = nil,
                          selection: UnsafeMutableBufferPointer<Double>? = nil,
                          shape: BarronShapeDerivatives? = nil) {
    sweep(beta: beta, loss: loss, scale: c, weigh: true, accumulate: accumulate, medianWindow: medianWindow,
          selection: selection, shape: shape)
    let inverseScale = 1 / c
    weightOf = { loss.weight($0 * inverseScale) }
  }

  /// The residuals r = y − X·β alone (weights and objective keep their old values), with the median
  /// window of `run`: the pass that gives σ̂ at a new β before its weights are formed.
  func sweepResiduals(beta: [Double], medianWindow: MedianWindow?, selection: UnsafeMutableBufferPointer<Double>?) {
    sweep(beta: beta, loss: HuberLoss(), scale: 1, weigh: false, accumulate: false, medianWindow: medianWindow,
          selection: selection, shape: nil)
    weightOf = nil
  }

  private func sweep<L: RobustLoss>(beta: [Double], loss: L, scale c: Double, weigh: Bool, accumulate: Bool,
                                    medianWindow: MedianWindow?, selection: UnsafeMutableBufferPointer<Double>?,
                                    shape: BarronShapeDerivatives?) {
    let n = rows
    let inverseScale = 1 / c
    let chunkSize = self.chunkSize
    let window = selection == nil ? nil : medianWindow
    if window != nil { precondition(selection!.count >= n, "the selection scratch needs n values") }
    let reuse = residualsBeta == beta
    residualsBeta = beta
    nonisolated(unsafe) let selectionBase = selection?.baseAddress
    beta.withUnsafeBufferPointer { betaBuffer in
      nonisolated(unsafe) let b = betaBuffer
      let work: @Sendable (Int) -> Void = { chunk in
        let start = min(n, chunk * chunkSize), end = min(n, start + chunkSize)
        self.runChunk(chunk, rows: start..<end, beta: b, loss: loss, inverseScale: inverseScale, weigh: weigh,
                      accumulate: weigh && accumulate, reuse: reuse, window: window, selection: selectionBase,
                      shape: shape)
      }
      // OpenBLAS runs on one thread (BLASThreads.pin, made by every fit before its first pass): its own
      // pool would wake per call and fight the chunk workers for the cores.
      if chunks == 1 {
        work(0)
      } else {
        DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
      }
    }
    windowFilled = window != nil
    shapeSums = nil
    guard weigh else { return }
    reduceChunks(accumulate: accumulate)
    if shape != nil {
      var total = BarronShapeDerivatives.Sums()
      for chunk in 0..<chunks { total.add(shapeSlots[chunk]) }
      shapeSums = total.array
    }
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
    guard windowFilled else { return nil }
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
      let start = min(n, chunk * chunkSize), k = windowCounts[4 * chunk + 1]
      if start != count { for t in 0..<k { base[count + t] = base[start + t] } }
      count += k
    }
    let values = UnsafeMutableBufferPointer(start: base, count: count)
    return Selection.middle(of: values, upperRank: upperRank - below, even: lowerRank != upperRank)
  }

  private func runChunk<L: RobustLoss>(
    _ chunk: Int, rows range: Range<Int>, beta b: UnsafeBufferPointer<Double>, loss: L,
    inverseScale: Double, weigh: Bool, accumulate: Bool, reuse: Bool, window: MedianWindow?,
    selection: UnsafeMutablePointer<Double>?, shape: BarronShapeDerivatives?
  ) {
    let n = rows, p = columns, q = augmented, blockRows = self.blockRows
    let base = scratch.baseAddress! + chunk * scratchStride
    let g = base, objectiveSlot = base + q * q
    let block = objectiveSlot + 1, root = block + tileRows * q, tileRows = self.tileRows, usesBLAS = self.usesBLAS
    let r = residuals.baseAddress!
    var objective = 0.0
    var below = 0, inside = 0, above = 0, nan = 0
    let target = selection.map { $0 + range.lowerBound }
    if accumulate { g.update(repeating: 0, count: q * q) }
    var shapeTotal = BarronShapeDerivatives.Sums()
    design.values.withUnsafeBufferPointer { xBuffer in
      response.withUnsafeBufferPointer { yBuffer in
        let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
        var i0 = range.lowerBound
        while i0 < range.upperBound {
          let m = min(blockRows, range.upperBound - i0)
          let rb = r + i0, yb = y + i0
          // Residuals of the block, four columns at a time (contiguous, vectorises).
          if !reuse { WeightedPass.residuals(x + i0, rows: n, columns: p, y: yb, beta: b, count: m, into: rb) }
          if !weigh {
            if let window, let target {
              WeightedPass.countWindow(rb, count: m, window: window, into: target, below: &below, inside: &inside,
                                       above: &above, nan: &nan)
            }
            i0 += m
            continue
          }
          // Weights and objective.
          if let shape {
            let sums = WeightedPass.weigh(rb, count: m, shape: shape, inverseScale: inverseScale, weights: root)
            objective += sums.rho
            shapeTotal.add(sums)
          } else {
            objective += WeightedPass.weigh(rb, count: m, loss: loss, inverseScale: inverseScale, weights: root)
          }
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
    shapeSlots[chunk] = shapeTotal
    windowCounts[4 * chunk] = below
    windowCounts[4 * chunk + 1] = inside
    windowCounts[4 * chunk + 2] = above
    windowCounts[4 * chunk + 3] = nan
  }

  /// r = y − X·β for `m` rows starting at `x` (column-major, leading dimension `n`), four columns at a
  /// time (contiguous, vectorises).
  @inline(__always)
  private static func residuals(_ x: UnsafePointer<Double>, rows n: Int, columns p: Int, y: UnsafePointer<Double>,
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

  /// wᵢ and the sums of Barron's shape derivatives (Σρ among them) over one block.
  @inline(never)
  private static func weigh(
    _ r: UnsafeMutablePointer<Double>, count m: Int, shape: BarronShapeDerivatives, inverseScale: Double,
    weights: UnsafeMutablePointer<Double>
  ) -> BarronShapeDerivatives.Sums {
    var sums = BarronShapeDerivatives.Sums()
    for i in 0..<m {
      let u = r[i] * inverseScale
      let v = shape.values(u: u)
      weights[i] = v.weight
      sums.add(v)
    }
    return sums
  }

  /// wᵢ = w(rᵢ·s) and Σρ(rᵢ·s) of one block. Huber has a branch-free two-lane form
  /// (w = 1/max(1, |u|), ρ = t·(|u| − t/2) with t = min(1, |u|): the same doubles as HuberLoss's
  /// branches); other losses go through the protocol, with the sum split over two lanes.
  @inline(never)
  private static func weigh<L: RobustLoss>(
    _ r: UnsafeMutablePointer<Double>, count m: Int, loss: L, inverseScale: Double,
    weights: UnsafeMutablePointer<Double>
  ) -> Double {
    var i = 0
    let end = m & ~1
    if L.self == HuberLoss.self {
      var sum = SIMD2<Double>()
      let one = SIMD2<Double>(repeating: 1), half = SIMD2<Double>(repeating: 0.5)
      let s = SIMD2<Double>(repeating: inverseScale)
      while i < end {
        // `replacing(with:where:)` compiles to compare-and-select on both lanes (pointwiseMax/Min
        // keep Swift's NaN rules and become scalar branches).
        let u = UnsafeRawPointer(r + i).loadUnaligned(as: SIMD2<Double>.self) * s
        let a = u.replacing(with: -u, where: u .< 0)
        let weight = one / a.replacing(with: one, where: a .< one)
        let t = a.replacing(with: one, where: a .> one)
        sum += t * (a - t * half)
        UnsafeMutableRawPointer(weights + i).storeBytes(of: weight, as: SIMD2<Double>.self)
        i += 2
      }
      var total = sum.sum()
      if end < m {
        let a = abs(r[end] * inverseScale)
        let t = min(a, 1)
        total += t * (a - t * 0.5)
        weights[end] = 1 / max(a, 1)
      }
      return total
    }
    var s0 = 0.0, s1 = 0.0
    while i < end {
      let u0 = r[i] * inverseScale, u1 = r[i + 1] * inverseScale
      s0 += loss.rho(u0)
      s1 += loss.rho(u1)
      weights[i] = loss.weight(u0)
      weights[i + 1] = loss.weight(u1)
      i += 2
    }
    if end < m {
      let u = r[end] * inverseScale
      s0 += loss.rho(u)
      weights[end] = loss.weight(u)
    }
    return s0 + s1
  }
}
