/// The adaptive likelihood's sample of rows in memory: the rows a distributed fit's driver draws from its
/// host (``DriverSample/sample(host:predictors:intercept:weighted:size:names:slack:)``: the m rows of
/// smallest key ``DriverSample/key(_:)``, in the canonical order). Here every row's key is
/// computed once (``DriverSample/forEachKey(y:x:weights:rows:_:)``), on all cores, each chunk keeping its m smallest in a heap; the chunks' candidates then go
/// through the same selection as the driver's (``DriverSample/smallest(_:stride:size:predictors:intercept:weighted:names:)``).
/// A fit in memory and a distributed fit of the same rows start from the same sample, and differ only in
/// the order their sums over all rows are added (Docs/scaling.md).
extension FitProblem {
  /// The m = `count` rows of smallest key (rows of positive weight) in the canonical order as a problem
  /// with this one's options, units and column magnitudes; the problem itself when it has at most `count`
  /// rows, or when the sample cannot be prepared (its columns are collinear: a distributed fit refuses there).
  func likelihoodSample(rows count: Int) -> FitProblem {
    let n = design.rows
    guard n > count, count > 0 else { return self }
    let first = design.hasIntercept ? 1 : 0, predictors = design.columns - first
    let stride = 1 + predictors + (caseWeights == nil ? 0 : 1)
    let chunks = ParallelChunks.shapeScale(rows: n)
    var candidates = [[Double]](repeating: [], count: chunks)
    design.values.withUnsafeBufferPointer { values in
      response.withUnsafeBufferPointer { y in
        (caseWeights ?? []).withUnsafeBufferPointer { w in
          nonisolated(unsafe) let x = values.baseAddress!, yBase = y.baseAddress!
          nonisolated(unsafe) let weights = caseWeights == nil ? nil : w.baseAddress
          let columns = (first..<design.columns).map { UnsafePointer(x + $0 * n) }
          nonisolated(unsafe) let pointers = columns
          candidates.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let out = slots
            ParallelChunks.perform(chunks) { chunk in
              var heap = SmallestKeys(capacity: count)
              DriverSample.forEachKey(y: yBase, x: pointers, weights: weights,
                                      rows: ParallelChunks.rows(of: chunk, chunks: chunks, total: n)) { i, key in
                if weights.map({ $0[i] > 0 }) ?? true { heap.offer(key, row: i) }
              }
              var rows = [Double]()
              rows.reserveCapacity(heap.rows.count * stride)
              for i in heap.rows {
                rows.append(yBase[i])
                for column in pointers { rows.append(column[i]) }
                if let weights { rows.append(weights[i]) }
              }
              out[chunk] = rows
            }
          }
        }
      }
    }
    let sample = DriverSample.smallest(candidates.flatMap { $0 }, stride: stride, size: count, predictors: predictors,
                                       intercept: design.hasIntercept, weighted: caseWeights != nil,
                                       names: design.names)
    return (try? FitProblem(design: sample.design, response: sample.response, caseWeights: sample.weights,
                            options: options, responseUnit: responseUnit, columnMagnitudes: columnMagnitudes))
      ?? self
  }
}

/// The rows of the `capacity` smallest keys offered (a max-heap on the key), and the rows whose key ties
/// with the largest kept one (equal keys are equal rows, so the candidates hold every copy that the m
/// smallest by (key, canonical order) may take).
struct SmallestKeys {
  let capacity: Int
  private var keys: [UInt64] = []
  private var heapRows: [Int] = []
  /// Rows offered with the key of the heap's top when it was full.
  private var ties: [Int] = []

  init(capacity: Int) {
    self.capacity = capacity
    keys.reserveCapacity(capacity)
    heapRows.reserveCapacity(capacity)
  }

  /// The rows kept.
  var rows: [Int] { heapRows + ties }

  mutating func offer(_ key: UInt64, row: Int) {
    if keys.count < capacity {
      keys.append(key)
      heapRows.append(row)
      var child = keys.count - 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard keys[parent] < keys[child] else { break }
        keys.swapAt(parent, child)
        heapRows.swapAt(parent, child)
        child = parent
      }
      return
    }
    if key == keys[0] { ties.append(row) }
    guard key < keys[0] else { return }
    let top = keys[0]
    keys[0] = key
    heapRows[0] = row
    var parent = 0
    while true {
      let left = 2 * parent + 1, right = left + 1
      var largest = parent
      if left < keys.count && keys[left] > keys[largest] { largest = left }
      if right < keys.count && keys[right] > keys[largest] { largest = right }
      guard largest != parent else { break }
      keys.swapAt(parent, largest)
      heapRows.swapAt(parent, largest)
      parent = largest
    }
    if keys[0] != top { ties.removeAll() }
  }
}
