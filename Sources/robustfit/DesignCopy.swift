// Copies the columns the CSV reader parsed into the design's one column-major array, on every core.

import Dispatch
import Foundation
import TabularIO

/// The design's values from the table's columns: the column of ones (with an intercept), then the
/// predictors in order, into memory advised for huge pages. Each column is split into one row range per core and copied at once, and freed
/// as soon as it is copied, so the peak memory stays one X plus one column.
enum DesignCopy {
  /// Columns shorter than this are copied on the calling thread alone.
  static let parallelRows = 1 << 16

  static func columnMajor(_ table: inout NumericTable, predictors: [Int], intercept: Bool, rows n: Int) -> [Double] {
    let p = predictors.count + (intercept ? 1 : 0)
    let parts = n < parallelRows ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
    return [Double](unsafeUninitializedCapacity: n * p) { buffer, count in
      // Fresh memory written once: 2 MiB pages fault 512 times less often than 4 KiB ones (at n = 1e6,
      // p = 10 the 21 000 small faults of the copy cost more CPU than the copy itself).
      if let base = buffer.baseAddress { HugePages.advise(UnsafeMutableRawPointer(base), bytes: n * p * MemoryLayout<Double>.stride) }
      let target = Destination(base: buffer.baseAddress!)
      var offset = 0
      if intercept {
        target.fill(offset: 0, rows: n, parts: parts, from: nil)
        offset = n
      }
      for j in predictors {
        table.columns[j].withUnsafeBufferPointer { column in
          target.fill(offset: offset, rows: n, parts: parts, from: Source(base: column.baseAddress!))
        }
        table.columns[j] = []
        offset += n
      }
      count = n * p
    }
  }

  /// Where the copies go (each part writes its own rows).
  private struct Destination: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>

    /// Rows [0, rows) of one design column at `offset`: ones when `source` is nil.
    func fill(offset: Int, rows: Int, parts: Int, from source: Source?) {
      let run = { @Sendable (part: Int) in
        let lo = rows * part / parts, hi = rows * (part + 1) / parts
        let target = base + offset + lo
        if let source {
          target.initialize(from: source.base + lo, count: hi - lo)
        } else {
          target.initialize(repeating: 1, count: hi - lo)
        }
      }
      if parts == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: run) }
    }
  }

  /// A table column being copied (only read).
  private struct Source: @unchecked Sendable {
    let base: UnsafePointer<Double>
  }
}
