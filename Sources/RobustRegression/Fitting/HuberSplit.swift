import CKernels
import CLapack
import Dispatch

/// Huber's IRLS iteration in one read of X.
///
/// With σ̂ tracked, iteration k needs the residuals at β_k for σ̂_k = MAD/0.6745 and, with c_k = k·σ̂_k,
/// the weights w(r/c_k) for XᵀWX: two reads of X (the light sweep, then the fused pass). Huber's weight
/// is 1 for |r| ≤ c and c/|r| above, so c enters XᵀWX only as a factor of the rows above it:
///
///     XᵀWX = Σ_{|rᵢ| ≤ c} xᵢxᵢᵀ + c · Σ_{|rᵢ| > c} xᵢxᵢᵀ/|rᵢ|,
///
/// and the light sweep can accumulate both sums before c is known, once it knows a band [lo, hi] that
/// will contain c: the window the sweep already uses for the MAD gives one (if median|r| lands in
/// [m(1 − w), m(1 + w)], c lands in [c_prev(1 − w), c_prev(1 + w)]). Rows with |r| ≤ lo go to the first
/// sum, rows above hi to the second, and the few rows inside the band are copied aside (x, y and r)
/// and weighed once c is known (``WeightedPass/finishSplit(scale:loss:)``). XᵀWy and Σρ(r/c) split the
/// same way (Σρ = Σ_{≤c} r²/(2c²) + Σ_{>c} (|r|/c − ½)). The result is the fused pass at (β, c) up to
/// the order of the additions.
///
/// When c misses the band or the band rows overflow their buffer (a wide window early on), the caller
/// falls back to the ordinary pass on the residuals the sweep left.
final class HuberSplit: @unchecked Sendable {
  /// Rows per gathered tile (the tile's columns stay in L1 for the Gram kernel).
  static let tileRows = 256
  let columns: Int
  let chunks: Int
  /// Band rows each chunk can hold.
  let bandCapacity: Int
  /// Per chunk: outer Gram q×q, 3 sums, inner tile, outer tile, outer weights, band (x, y, r columns).
  let values: UnsafeMutableBufferPointer<Double>
  let stride: Int
  /// Per chunk: the inner, outer and band row lists of one tile.
  let indices: UnsafeMutableBufferPointer<Int>
  /// Per chunk: band rows stored, and whether some did not fit.
  let bandCounts: UnsafeMutableBufferPointer<Int>
  /// `tileRows` weights of 1 (the inner rows).
  let ones: UnsafeMutablePointer<Double>
  /// The band [lo, hi] of the last sweep (nil: no sweep to finish).
  var band: (lower: Double, upper: Double)?

  /// The widest MAD window (relative half-width) the split is tried with: the band then holds a few
  /// percent of the rows, well inside `bandCapacity`.
  static let widestWindow = 1.0 / 64

  init(chunks: Int, chunkSize: Int, augmented q: Int) {
    columns = q
    self.chunks = chunks
    bandCapacity = chunkSize / 32 + 64
    let t = HuberSplit.tileRows
    stride = q * q + 3 + 2 * t * q + t + bandCapacity * (q + 1)
    values = .allocate(capacity: stride * chunks)
    values.initialize(repeating: 0)
    indices = .allocate(capacity: 3 * t * chunks)
    indices.initialize(repeating: 0)
    bandCounts = .allocate(capacity: 2 * chunks)
    bandCounts.initialize(repeating: 0)
    ones = .allocate(capacity: t)
    ones.initialize(repeating: 1, count: t)
  }

  deinit {
    values.deallocate()
    indices.deallocate()
    bandCounts.deallocate()
    ones.deallocate()
  }

  /// The pieces of one chunk's storage.
  struct Slots {
    let outerGram: UnsafeMutablePointer<Double>
    let sums: UnsafeMutablePointer<Double>
    let innerTile: UnsafeMutablePointer<Double>
    let outerTile: UnsafeMutablePointer<Double>
    let outerWeights: UnsafeMutablePointer<Double>
    let band: UnsafeMutablePointer<Double>
    let innerRows: UnsafeMutablePointer<Int>
    let outerRows: UnsafeMutablePointer<Int>
    let bandRows: UnsafeMutablePointer<Int>
  }

  func slots(_ chunk: Int) -> Slots {
    let q = columns, t = HuberSplit.tileRows
    let base = values.baseAddress! + chunk * stride
    let rows = indices.baseAddress! + chunk * 3 * t
    return Slots(outerGram: base, sums: base + q * q, innerTile: base + q * q + 3,
                 outerTile: base + q * q + 3 + t * q, outerWeights: base + q * q + 3 + 2 * t * q,
                 band: base + q * q + 3 + 2 * t * q + t, innerRows: rows, outerRows: rows + t, bandRows: rows + 2 * t)
  }
}

extension WeightedPass {
  /// Makes the storage of the one-read Huber iteration (once; about n/32 rows of X).
  func prepareHuberSplit() {
    if split == nil { split = HuberSplit(chunks: chunks, chunkSize: chunkSize, augmented: augmented) }
  }

  /// The light sweep at `beta` (residuals, and the MAD window as ``sweepResiduals(beta:medianWindow:selection:)``
  /// fills it) that also accumulates Huber's XᵀWX in two parts around the band [`lower`, `upper`] for c.
  /// ``finishSplit(scale:loss:)`` completes it once c is known.
  func splitSweep(beta: [Double], medianWindow window: MedianWindow, selection: UnsafeMutableBufferPointer<Double>,
                  lower: Double, upper: Double) {
    guard let split else { preconditionFailure("prepareHuberSplit() first") }
    precondition(selection.count >= rows, "the selection scratch needs n values")
    let n = rows, chunkSize = self.chunkSize
    residualsBeta = beta
    weightOf = nil
    split.band = (lower, upper)
    nonisolated(unsafe) let target = selection.baseAddress!
    beta.withUnsafeBufferPointer { betaBuffer in
      nonisolated(unsafe) let b = betaBuffer
      let work: @Sendable (Int) -> Void = { chunk in
        let start = min(n, chunk * chunkSize), end = min(n, start + chunkSize)
        self.splitChunk(chunk, rows: start..<end, beta: b, window: window, selection: target, lower: lower,
                        upper: upper, split: split)
      }
      inParallel(work)
    }
    windowFilled = true
  }

  /// Completes the last ``splitSweep(beta:medianWindow:selection:lower:upper:)`` at c: XᵀWX, XᵀWy, Σρ(r/c)
  /// and the weights then hold the fused pass at (β, c), and true is returned. False (nothing changed
  /// but the residuals) when c lies outside the band or the band rows overflowed.
  func finishSplit(scale c: Double, loss: HuberLoss) -> Bool {
    guard let split, let band = split.band else { return false }
    split.band = nil
    guard band.lower <= c, c <= band.upper, c > 0 else { return false }
    for chunk in 0..<chunks where split.bandCounts[2 * chunk + 1] != 0 { return false }
    let q = augmented, t = HuberSplit.tileRows, capacity = split.bandCapacity
    let inverse = 1 / c
    let work: @Sendable (Int) -> Void = { chunk in
      let s = split.slots(chunk)
      let g = self.scratch.baseAddress! + chunk * self.scratchStride
      for k in 0..<(q * q) { g[k] += c * s.outerGram[k] }
      // The band rows, weighed now, in tiles.
      let count = split.bandCounts[2 * chunk]
      var bandObjective = 0.0
      var k0 = 0
      while k0 < count {
        let m = min(t, count - k0)
        let residual = s.band + q * capacity + k0
        for k in 0..<m {
          let a = abs(residual[k] * inverse), h = min(a, 1)
          bandObjective += h * (a - h * 0.5)
          s.outerWeights[k] = 1 / max(a, 1)
        }
        self.accumulateTile(s.band + k0, leading: capacity, weights: s.outerWeights, rows: m, scratch: s.innerTile,
                            into: g)
        k0 += m
      }
      let inner = s.sums[0] * inverse * inverse * 0.5
      let outer = s.sums[1] * inverse - 0.5 * s.sums[2]
      g[q * q] = inner + outer + bandObjective
    }
    inParallel(work)
    reduceChunks(accumulate: true)
    weightOf = { loss.weight($0 * inverse) }
    return true
  }

  /// Runs `work` for every chunk on all cores (OpenBLAS on one thread inside, as in the fused pass).
  private func inParallel(_ work: @Sendable (Int) -> Void) {
    BLASThreads.single {
      if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
    }
  }

  /// G += [X | y]ᵀ W [X | y] (upper triangle) for `m` rows of a column-major block `x` with leading
  /// dimension `lda` whose column p is y. The BLAS path (wide designs) scales the block by √w into
  /// `scratch` (`tileRows` × q) for dsyrk.
  private func accumulateTile(_ x: UnsafeMutablePointer<Double>, leading lda: Int,
                              weights w: UnsafeMutablePointer<Double>, rows m: Int,
                              scratch: UnsafeMutablePointer<Double>, into g: UnsafeMutablePointer<Double>) {
    guard m > 0 else { return }
    let p = columns, q = augmented
    guard usesBLAS else {
      rf_weighted_gram(x, lda, Int32(p), x + p * lda, w, m, g, Int32(q))
      return
    }
    let t = HuberSplit.tileRows
    for j in 0..<q {
      let from = x + j * lda, to = scratch + j * t
      for k in 0..<m { to[k] = w[k].squareRoot() * from[k] }
    }
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(q), Int32(m), 1, scratch, Int32(t), 1, g, Int32(q))
  }

  private func splitChunk(_ chunk: Int, rows range: Range<Int>, beta b: UnsafeBufferPointer<Double>,
                          window: MedianWindow, selection: UnsafeMutablePointer<Double>, lower lo: Double,
                          upper hi: Double, split: HuberSplit) {
    let n = rows, p = columns, q = augmented, t = HuberSplit.tileRows, capacity = split.bandCapacity
    // Blocks of 2048 rows: long runs per column for the residuals, and the block's X still in L2 when
    // its rows are gathered into tiles.
    let blockRows = 2048
    let s = split.slots(chunk)
    let innerGram = scratch.baseAddress! + chunk * scratchStride
    innerGram.update(repeating: 0, count: q * q)
    s.outerGram.update(repeating: 0, count: q * q)
    var squaresInner = 0.0, absoluteOuter = 0.0, outerCount = 0
    var bandCount = 0, overflow = false
    var below = 0, inside = 0, above = 0, nan = 0
    let target = selection + range.lowerBound
    let r = residuals.baseAddress!
    design.values.withUnsafeBufferPointer { xBuffer in
      response.withUnsafeBufferPointer { yBuffer in
        let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
        var i0 = range.lowerBound
        while i0 < range.upperBound {
          let m = min(blockRows, range.upperBound - i0)
          let rb = r + i0, yb = y + i0
          WeightedPass.residuals(x + i0, rows: n, columns: p, y: yb, beta: b, count: m, into: rb)
          WeightedPass.countWindow(rb, count: m, window: window, into: target, below: &below, inside: &inside,
                                   above: &above, nan: &nan)
          var s0 = 0
          while s0 < m {
            let rows = min(t, m - s0), rt = rb + s0
            // Branch-free split of the tile's rows: each list is written at every row, its length
            // advances only for its own rows (NaN falls in the band, whose overflow ends the split).
            var nIn = 0, nOut = 0, nBand = 0
            for k in 0..<rows {
              let a = abs(rt[k])
              s.innerRows[nIn] = k
              s.outerRows[nOut] = k
              s.bandRows[nBand] = k
              let isIn = a <= lo ? 1 : 0, isOut = a > hi ? 1 : 0
              nIn &+= isIn
              nOut &+= isOut
              nBand &+= 1 &- (isIn | isOut)
            }
            for k in 0..<nIn { let v = rt[s.innerRows[k]]; squaresInner += v * v }
            for k in 0..<nOut {
              let a = abs(rt[s.outerRows[k]])
              absoluteOuter += a
              s.outerWeights[k] = 1 / a
            }
            outerCount += nOut
            // Gather the inner and the outer rows' [X | y] into tiles of their own.
            for j in 0...p {
              let column: UnsafePointer<Double> = j < p ? x + j * n + i0 + s0 : yb + s0
              let inner = s.innerTile + j * t, outer = s.outerTile + j * t
              for k in 0..<nIn { inner[k] = column[s.innerRows[k]] }
              for k in 0..<nOut { outer[k] = column[s.outerRows[k]] }
            }
            accumulateTile(s.innerTile, leading: t, weights: split.ones, rows: nIn, scratch: s.innerTile,
                           into: innerGram)
            accumulateTile(s.outerTile, leading: t, weights: s.outerWeights, rows: nOut, scratch: s.outerTile,
                           into: s.outerGram)
            // The band rows aside: x, y and r.
            if bandCount + nBand <= capacity {
              for j in 0...(p + 1) {
                let column: UnsafePointer<Double>
                if j < p { column = x + j * n + i0 + s0 } else if j == p { column = yb + s0 } else { column = UnsafePointer(rt) }
                let to = s.band + j * capacity + bandCount
                for k in 0..<nBand { to[k] = column[s.bandRows[k]] }
              }
              bandCount += nBand
            } else if nBand > 0 {
              overflow = true
            }
            s0 += rows
          }
          i0 += m
        }
      }
    }
    s.sums[0] = squaresInner
    s.sums[1] = absoluteOuter
    s.sums[2] = Double(outerCount)
    split.bandCounts[2 * chunk] = bandCount
    split.bandCounts[2 * chunk + 1] = overflow ? 1 : 0
    windowCounts[4 * chunk] = below
    windowCounts[4 * chunk + 1] = inside
    windowCounts[4 * chunk + 2] = above
    windowCounts[4 * chunk + 3] = nan
  }
}
