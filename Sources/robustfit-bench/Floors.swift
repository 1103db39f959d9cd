import CLapack
import Dispatch
import RobustRegression

/// The two reference costs an IRLS iteration is compared with, measured on the same X in the same run:
/// (a) one pass that reads every value of X (a sum: the memory-bandwidth floor), on one thread and on
/// all threads; (b) XᵀX formed by one `cblas_dsyrk` call on the whole X (OpenBLAS's own threading).
struct Floors {
  /// Median time of the read pass on one thread.
  let readOneThread: Timing
  /// Median time of the read pass split over `threads` threads.
  let readAllThreads: Timing
  let threads: Int
  /// Median time of `cblas_dsyrk` on the whole X.
  let gram: Timing
  /// Bytes of X.
  let bytes: Int

  /// A value depending on every sum, printed so that no pass can be optimised away.
  let checksum: Double

  init(design: DesignMatrix, threads: Int) {
    let count = design.rows * design.columns
    let p = design.columns, n = design.rows
    self.threads = threads
    bytes = count * MemoryLayout<Double>.stride
    var sink = 0.0
    let budget = 0.5
    readOneThread = design.values.withUnsafeBufferPointer { x in
      Stopwatch.median(minimum: 5, maximum: 51, budget: budget) { sink += Floors.sum(x.baseAddress!, count) }
    }
    readAllThreads = design.values.withUnsafeBufferPointer { x in
      nonisolated(unsafe) let base = x.baseAddress!
      let partial = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
      defer { partial.deallocate() }
      nonisolated(unsafe) let slots = partial
      let chunk = (count + threads - 1) / threads
      return Stopwatch.median(minimum: 5, maximum: 51, budget: budget) {
        DispatchQueue.concurrentPerform(iterations: threads) { t in
          let start = min(count, t * chunk), end = min(count, start + chunk)
          slots[t] = Floors.sum(base + start, end - start)
        }
        for t in 0..<threads { sink += slots[t] }
      }
    }
    var c = [Double](repeating: 0, count: p * p)
    gram = design.values.withUnsafeBufferPointer { x in
      c.withUnsafeMutableBufferPointer { cb in
        Stopwatch.median(minimum: 5, maximum: 51, budget: budget) {
          cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(p), Int32(n), 1, x.baseAddress, Int32(n),
                      0, cb.baseAddress, Int32(p))
        }
      }
    }
    checksum = sink + c[0]
  }

  /// Σ x[0..<count] with four SIMD4 accumulators (16 independent lanes), so the loop is limited by
  /// memory, not by the latency of the additions.
  static func sum(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
    var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
    let raw = UnsafeRawPointer(x)
    let stride = MemoryLayout<SIMD4<Double>>.stride
    var i = 0
    while i + 16 <= count {
      let offset = i * 8
      a0 += raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
      a1 += raw.loadUnaligned(fromByteOffset: offset + stride, as: SIMD4<Double>.self)
      a2 += raw.loadUnaligned(fromByteOffset: offset + 2 * stride, as: SIMD4<Double>.self)
      a3 += raw.loadUnaligned(fromByteOffset: offset + 3 * stride, as: SIMD4<Double>.self)
      i += 16
    }
    var total = ((a0 + a1) + (a2 + a3)).sum()
    while i < count {
      total += x[i]
      i += 1
    }
    return total
  }
}
