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

/// The design taken from the reader's one array of every column (``NumericTable/contiguous``, after one
/// free column): the predictors already sit where the design needs them, so the response and the weights
/// are copied out, the array is cut after the predictors (the pages after them released), and the free column becomes the intercept's
/// ones (without an intercept the predictors move down one column, in place).
enum DesignInPlace {
  /// Whether the table's columns are, in order, the predictors, the response and the weights after one
  /// free column (``ColumnPlan/columns``' order).
  static func fits(_ block: NumericTable.Contiguous, _ columns: DataLoader.Columns) -> Bool {
    let k = columns.predictors.count
    return block.leading == 1 && columns.predictors == Array(0..<k) && columns.response == k
      && (columns.weights == nil || columns.weights == k + 1)
  }

  /// Table column j's rows.
  static func column(_ j: Int, of block: NumericTable.Contiguous, rows n: Int) -> ArraySlice<Double> {
    block.values[((block.leading + j) * n)..<((block.leading + j + 1) * n)]
  }

  /// One array per column (for a layout ``fits(_:_:)`` refuses).
  static func separate(_ block: NumericTable.Contiguous, count: Int, rows n: Int) -> [[Double]] {
    (0..<count).map { Array(column($0, of: block, rows: n)) }
  }

  /// The design's values, the response and the weights, from a block that ``fits(_:_:)``; the block is
  /// emptied (its array, if not shared, becomes the design's without a copy).
  static func take(_ block: inout NumericTable.Contiguous, _ columns: DataLoader.Columns, rows n: Int)
    -> (values: [Double], response: [Double], weights: [Double]?) {
    let k = columns.predictors.count
    let response = Array(column(columns.response, of: block, rows: n))
    let weights = columns.weights.map { Array(column($0, of: block, rows: n)) }
    var values = block.values
    block.values = []
    values.removeLast(values.count - (1 + k) * n)
    HugePages.releaseUnused(&values)  // the response's, the weights' and the spare rows' pages, copied or unused
    if columns.intercept {
      values.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: 1, count: n) }
    } else {
      values.removeFirst(n)
    }
    return (values, response, weights)
  }
}
