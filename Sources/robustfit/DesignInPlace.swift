// The design matrix made from the reader's one array of every column, where it already lies.

import RobustRegression
import TabularIO

/// The design taken from the reader's one array of every column (``NumericTable/contiguous``, after one
/// free column): the predictors already sit where the design needs them, so the response and the
/// weights are copied out, the array is cut after the predictors (the pages after them released), and
/// the free column becomes the intercept's ones (without an intercept the predictors move down one
/// column, in place). A file read through a pipe, or whose rows outgrew the prediction, comes back as
/// one array per column instead, and ``DesignCopy`` copies it.
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

  /// The ranges of the response and the design's columns, from the bounds the reader took while
  /// parsing; nil when one of them holds a value that is not finite (the fit then finds and names it).
  static func ranges(_ block: NumericTable.Contiguous, _ columns: DataLoader.Columns) -> DataRanges? {
    guard block.bounds.count > columns.response, let response = block.bounds[columns.response].range else {
      return nil
    }
    var design: [ClosedRange<Double>] = columns.intercept ? [1...1] : []
    for j in columns.predictors {
      guard let range = block.bounds[j].range else { return nil }
      design.append(range)
    }
    return DataRanges(response: response, columns: design)
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
