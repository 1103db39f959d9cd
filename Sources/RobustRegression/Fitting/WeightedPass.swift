import CLapack
import Dispatch

/// The one pass over X that an IRLS iteration needs, fused: for each block of rows it computes the
/// residuals r = y − X·β, the weights w = w(r/c), the objective Σρ(r/c), and accumulates XᵀWX and
/// XᵀWy from the √w-scaled block while the block is still in cache.
///
/// Rows are split into a number of chunks that depends only on n and p (never on the machine), the
/// chunks run on all cores, and their partial sums are added in chunk order: the result is
/// bit-for-bit reproducible. All buffers are allocated once, so an iteration allocates nothing.
/// Buffers are raw pointers because chunks write disjoint parts of them concurrently.
final class WeightedPass: @unchecked Sendable {
  let design: DesignMatrix
  let response: [Double]
  let rows: Int
  let columns: Int
  /// r = y − X·β from the last `run`.
  let residuals: UnsafeMutableBufferPointer<Double>
  /// w(r/c) from the last `run`.
  let weights: UnsafeMutableBufferPointer<Double>
  /// XᵀWX (upper triangle valid, column-major p × p) from the last `run`.
  private(set) var gram: [Double]
  /// XᵀWy from the last `run`.
  private(set) var rhs: [Double]
  /// Σρ(r/c) from the last `run`.
  private(set) var objective = 0.0

  private let chunks: Int
  private let blockRows: Int
  /// Per chunk: p×p Gram, p right-hand side, 1 objective, blockRows×p scaled block, blockRows √w·y.
  private let scratch: UnsafeMutableBufferPointer<Double>
  private let scratchStride: Int

  init(design: DesignMatrix, response: [Double]) {
    precondition(response.count == design.rows, "y needs one value per row of X")
    self.design = design
    self.response = response
    let n = design.rows, p = design.columns
    rows = n
    columns = p
    residuals = .allocate(capacity: n)
    residuals.initialize(repeating: 0)
    weights = .allocate(capacity: n)
    weights.initialize(repeating: 1)
    gram = [Double](repeating: 0, count: p * p)
    rhs = [Double](repeating: 0, count: p)
    chunks = max(1, min(8, n * p / 262_144))
    blockRows = max(64, min(2048, 32_768 / max(p, 1)))
    scratchStride = p * p + p + 1 + blockRows * (p + 2)
    scratch = .allocate(capacity: scratchStride * chunks)
    scratch.initialize(repeating: 0)
  }

  deinit {
    residuals.deallocate()
    weights.deallocate()
    scratch.deallocate()
  }

  /// One fused pass at coefficients `beta` and loss scale `scale`. With `accumulate` false only the
  /// residuals, weights and objective are computed (no XᵀWX).
  func run<L: RobustLoss>(beta: [Double], loss: L, scale c: Double, accumulate: Bool = true) {
    let n = rows, p = columns
    let inverseScale = 1 / c
    let chunkSize = (n + chunks - 1) / chunks
    beta.withUnsafeBufferPointer { betaBuffer in
      nonisolated(unsafe) let b = betaBuffer
      let work: @Sendable (Int) -> Void = { chunk in
        let start = min(n, chunk * chunkSize), end = min(n, start + chunkSize)
        self.runChunk(chunk, rows: start..<end, beta: b, loss: loss, inverseScale: inverseScale,
                      accumulate: accumulate)
      }
      if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
    }
    // Deterministic reduction in chunk order.
    objective = 0
    for chunk in 0..<chunks { objective += scratch[chunk * scratchStride + p * p + p] }
    guard accumulate else { return }
    for k in 0..<(p * p) { gram[k] = 0 }
    for k in 0..<p { rhs[k] = 0 }
    for chunk in 0..<chunks {
      let base = chunk * scratchStride
      for k in 0..<(p * p) { gram[k] += scratch[base + k] }
      for k in 0..<p { rhs[k] += scratch[base + p * p + k] }
    }
  }

  private func runChunk<L: RobustLoss>(
    _ chunk: Int, rows range: Range<Int>, beta b: UnsafeBufferPointer<Double>, loss: L,
    inverseScale: Double, accumulate: Bool
  ) {
    let n = rows, p = columns, blockRows = self.blockRows
    let base = scratch.baseAddress! + chunk * scratchStride
    let g = base, h = base + p * p, objectiveSlot = base + p * p + p
    let block = objectiveSlot + 1, root = block + blockRows * p, scaledY = root + blockRows
    let r = residuals.baseAddress!, w = weights.baseAddress!
    var objective = 0.0
    if accumulate { (g).update(repeating: 0, count: p * p + p) }
    design.values.withUnsafeBufferPointer { xBuffer in
      response.withUnsafeBufferPointer { yBuffer in
        let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
        var i0 = range.lowerBound
        while i0 < range.upperBound {
          let m = min(blockRows, range.upperBound - i0)
          let rb = r + i0, wb = w + i0, yb = y + i0
          // Residuals of the block, one column at a time (contiguous, vectorises).
          rb.update(from: yb, count: m)
          for j in 0..<p {
            let bj = b[j]
            if bj == 0 { continue }
            let column = x + j * n + i0
            for i in 0..<m { rb[i] -= bj * column[i] }
          }
          // Weights, objective and √w.
          for i in 0..<m {
            let u = rb[i] * inverseScale
            objective += loss.rho(u)
            let weight = loss.weight(u)
            wb[i] = weight
            root[i] = weight.squareRoot()
          }
          if accumulate {
            for i in 0..<m { scaledY[i] = root[i] * yb[i] }
            for j in 0..<p {
              let column = x + j * n + i0, target = block + j * m
              for i in 0..<m { target[i] = root[i] * column[i] }
            }
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(p), Int32(m), 1,
                        block, Int32(m), 1, g, Int32(p))
            cblas_dgemv(CblasColMajor, CblasTrans, Int32(m), Int32(p), 1, block, Int32(m),
                        scaledY, 1, 1, h, 1)
          }
          i0 += m
        }
      }
    }
    objectiveSlot.pointee = objective
  }
}
