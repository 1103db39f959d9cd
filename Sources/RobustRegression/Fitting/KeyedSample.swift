/// The adaptive likelihood's sample of rows in memory: the sample a distributed fit's driver draws from
/// its host (``DriverSample/sample(host:predictors:intercept:weighted:size:names:slack:)``: the m distinct
/// rows of smallest key ``DriverSample/key(_:)``, each weighted by its count, in the canonical order).
/// Here every row's key is computed once (``DriverSample/forEachKey(y:x:weights:rows:_:)``), on all cores,
/// each chunk keeping the rows of its m smallest distinct keys, equal rows counted (``SmallestKeys``); the
/// chunks' candidates then go through the same selection as the driver's
/// (``DriverSample/smallest(_:stride:size:predictors:intercept:weighted:names:)``). A fit in memory and a
/// distributed fit of the same rows start from the same sample, and differ only in the order their sums
/// over all rows are added (Docs/scaling.md).
extension FitProblem {
  /// The m = `count` distinct rows of smallest key (rows of positive weight), each with its count as its
  /// case weight (times its weight when weighted; none when unweighted and every row is distinct), in the
  /// canonical order, as a problem with this one's options, units and column magnitudes; the problem
  /// itself when it has at most `count` rows, or when the sample cannot be prepared (its columns are
  /// collinear: a distributed fit refuses there).
  func likelihoodSample(rows count: Int) -> FitProblem {
    let n = design.rows
    guard n > count, count > 0 else { return self }
    let first = design.hasIntercept ? 1 : 0, predictors = design.columns - first
    let width = 1 + predictors + (caseWeights == nil ? 0 : 1)
    let chunks = ParallelChunks.keyedSample(rows: n)
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
              let same = { (i: Int, j: Int) -> Bool in
                yBase[i] == yBase[j] && pointers.allSatisfy { $0[i] == $0[j] } && (weights.map { $0[i] == $0[j] } ?? true)
              }
              var heap = SmallestKeys(capacity: count)
              DriverSample.forEachKey(y: yBase, x: pointers, weights: weights,
                                      rows: ParallelChunks.rows(of: chunk, chunks: chunks, total: n)) { i, key in
                if weights.map({ $0[i] > 0 }) ?? true { heap.offer(key, row: i, same: same) }
              }
              var rows = [Double]()
              rows.reserveCapacity(heap.count * (width + 1))
              heap.forEachRow { i, copies in
                rows.append(yBase[i])
                for column in pointers { rows.append(column[i]) }
                if let weights { rows.append(weights[i]) }
                rows.append(Double(copies))
              }
              out[chunk] = rows
            }
          }
        }
      }
    }
    let sample = DriverSample.smallest(candidates.flatMap { $0 }, stride: width + 1, size: count,
                                       predictors: predictors, intercept: design.hasIntercept,
                                       weighted: caseWeights != nil, names: design.names)
    return (try? FitProblem(design: sample.design, response: sample.response, caseWeights: sample.weights,
                            options: options, responseUnit: responseUnit, columnMagnitudes: columnMagnitudes))
      ?? self
  }
}

/// The rows of the `capacity` smallest distinct keys offered (a max-heap on the key), each distinct row
/// once with its count (equal keys are equal rows but for a 64-bit collision: a key holds a list of
/// distinct rows). Equal rows share a key and are counted together, so the m distinct rows of smallest
/// key over all chunks are among the chunks' rows.
struct SmallestKeys {
  let capacity: Int
  private var keys: [UInt64] = []
  /// The distinct rows of each key kept (a row standing for its equal ones) and their counts.
  private var groups: [UInt64: [(row: Int, count: Int)]] = [:]

  init(capacity: Int) {
    self.capacity = capacity
    keys.reserveCapacity(capacity)
    groups.reserveCapacity(capacity)
  }

  /// The distinct rows kept.
  var count: Int { groups.values.reduce(0) { $0 + $1.count } }

  /// Calls `body(row, count)` for each distinct row kept (in no particular order).
  func forEachRow(_ body: (Int, Int) -> Void) {
    for group in groups.values { for entry in group { body(entry.row, entry.count) } }
  }

  /// Offers row `row` of key `key`; `same(i, j)` tells whether rows i and j are equal.
  mutating func offer(_ key: UInt64, row: Int, same: (Int, Int) -> Bool) {
    if keys.count == capacity, key > keys[0] { return }
    if let index = groups.index(forKey: key) {
      if let k = groups.values[index].firstIndex(where: { same($0.row, row) }) {
        groups.values[index][k].count += 1
      } else {
        groups.values[index].append((row, 1))
      }
      return
    }
    if keys.count < capacity {
      keys.append(key)
      groups[key] = [(row, 1)]
      var child = keys.count - 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard keys[parent] < keys[child] else { break }
        keys.swapAt(parent, child)
        child = parent
      }
      return
    }
    groups[keys[0]] = nil
    keys[0] = key
    groups[key] = [(row, 1)]
    var parent = 0
    while true {
      let left = 2 * parent + 1, right = left + 1
      var largest = parent
      if left < keys.count && keys[left] > keys[largest] { largest = left }
      if right < keys.count && keys[right] > keys[largest] { largest = right }
      guard largest != parent else { break }
      keys.swapAt(parent, largest)
      parent = largest
    }
  }
}
