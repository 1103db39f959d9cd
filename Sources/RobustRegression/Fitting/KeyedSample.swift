/// The adaptive likelihood's sample of rows in memory: the sample a distributed fit's driver draws from
/// its host (``DriverSample/sample(host:predictors:intercept:weighted:size:names:slack:)``: the m distinct
/// rows of smallest key ``DriverSample/key(_:)``, each weighted by its count, in the canonical order).
///
/// Keys of distinct rows are uniform, so the rows of key at most E = (m + 4√m + 64)/n₊·2⁶⁴ (n₊ rows of
/// positive weight) hold m distinct rows but with negligible probability (``DriverSample/firstEnd(rows:size:)``): one pass over the rows
/// computes every key (``DriverSample/forEachKey(y:x:weights:rows:_:)``, on all cores) and keeps the rows
/// of key up to E, equal rows counted together (``DistinctRows``). When they are fewer than m distinct rows
/// (repeated rows, or bad luck), further passes over the keys (stored by the first pass) take the keys
/// above E up to where the distinct rows found put m with the same margin, exactly as the driver's
/// `sampleRows` passes do (``DriverSample/nextEnd(after:found:size:fetches:)``). Every row of key up to the last end is kept,
/// with all its copies, so the kept rows include the m distinct rows of smallest key; they go through
/// the driver's selection (``DriverSample/smallest(_:stride:size:predictors:intercept:weighted:names:)``).
/// A fit in memory and a distributed fit of the same rows start from the same sample, and differ only in
/// the order their sums over all rows are added (Docs/scaling.md).
extension FitProblem {
  /// The m = `count` distinct rows of smallest key (rows of positive weight), each with its count as its
  /// case weight (times its weight when weighted; none when unweighted and every row is distinct), in the
  /// canonical order, as a problem with this one's options, units and column magnitudes; the problem
  /// itself when it has at most `count` rows, or when the sample cannot be prepared (its columns are
  /// collinear: a distributed fit refuses there).
  func likelihoodSample(rows count: Int) -> FitProblem {
    likelihoodSample(rows: count, keyMask: .max)
  }

  /// ``likelihoodSample(rows:)`` with every key ANDed with `keyMask` (all ones but in tests that force
  /// collisions; ``DriverSample/smallest(_:stride:size:predictors:intercept:weighted:names:keyMask:)``).
  func likelihoodSample(rows count: Int, keyMask: UInt64) -> FitProblem {
    guard design.rows > count, count > 0 else { return self }
    let first = design.hasIntercept ? 1 : 0, predictors = design.columns - first
    let stride = 2 + predictors + (caseWeights == nil ? 0 : 1)
    let candidates = keyedCandidates(size: count, keyMask: keyMask)
    let sample = DriverSample.smallest(candidates.rows, stride: stride, size: count, predictors: predictors,
                                       intercept: design.hasIntercept, weighted: caseWeights != nil,
                                       names: design.names, keyMask: keyMask, keys: candidates.keys)
    return (try? FitProblem(design: sample.design, response: sample.response, caseWeights: sample.weights,
                            options: options, responseUnit: responseUnit, columnMagnitudes: columnMagnitudes))
      ?? self
  }

  /// The distinct rows of positive weight and key at most the last end (see the extension), each once as
  /// `[y, x₁, …, x_k, (w), count]`, and their keys: every copy of the `m` distinct rows of smallest key
  /// among them.
  private func keyedCandidates(size m: Int, keyMask: UInt64) -> (rows: [Double], keys: [UInt64]) {
    let n = design.rows, first = design.hasIntercept ? 1 : 0
    let chunks = ParallelChunks.keyedSample(rows: n)
    let positive = caseWeights.map { w in w.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } } ?? n
    var candidates = [Double](), keys = [UInt64]()
    design.values.withUnsafeBufferPointer { values in
      response.withUnsafeBufferPointer { y in
        (caseWeights ?? []).withUnsafeBufferPointer { w in
          nonisolated(unsafe) let x = values.baseAddress!, yBase = y.baseAddress!
          nonisolated(unsafe) let weights = caseWeights == nil ? nil : w.baseAddress
          nonisolated(unsafe) let columns = (first..<design.columns).map { UnsafePointer(x + $0 * n) }
          let same: @Sendable (Int, Int) -> Bool = { i, j in
            yBase[i] == yBase[j] && columns.allSatisfy { $0[i] == $0[j] } && (weights.map { $0[i] == $0[j] } ?? true)
          }
          let width = 1 + columns.count + (weights == nil ? 0 : 1)
          // Appends row i's values `[y, x₁, …, x_k, (w)]` to `values`.
          let copy: @Sendable (Int, inout [Double]) -> Void = { i, values in
            values.append(yBase[i])
            for column in columns { values.append(column[i]) }
            if let weights { values.append(weights[i]) }
          }
          // The distinct rows kept and their values (in the order first added).
          var kept = DistinctRows(expected: 2 * m), keptValues = [Double]()
          keptValues.reserveCapacity(2 * m * width)
          // Every row's key, computed by the first pass and read by any further one.
          nonisolated(unsafe) let stored = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
          defer { stored.deallocate() }
          var from: UInt64 = 0, end = DriverSample.firstEnd(rows: positive, size: m), fetches = 0
          while true {
            fetches += 1
            var found = [(rows: DistinctRows, values: [Double])](repeating: (DistinctRows(expected: 0), []), count: chunks)
            found.withUnsafeMutableBufferPointer { slots in
              nonisolated(unsafe) let out = slots
              // A chunk's expected distinct rows in the span if the rows are distinct (at most 4m: the
              // table grows past them when repeated rows make the span wide).
              let span = from...end
              let share = Int(min((Double(end - from) + 1) * 0x1p-64 * Double(positive) / Double(chunks), 4 * Double(m)))
              let computing = fetches == 1
              ParallelChunks.perform(chunks) { chunk in
                var rows = DistinctRows(expected: share), values = [Double]()
                values.reserveCapacity(share * width)
                let range = ParallelChunks.rows(of: chunk, chunks: chunks, total: n)
                if computing {
                  DriverSample.forEachKey(y: yBase, x: columns, weights: weights, rows: range) { i, key in
                    let masked = key & keyMask
                    stored[i] = masked
                    // A new distinct row's values are copied at once, while its block is in cache.
                    if span.contains(masked), weights.map({ $0[i] > 0 }) ?? true, rows.add(masked, row: i, same: same) {
                      copy(i, &values)
                    }
                  }
                } else {
                  for i in range where span.contains(stored[i]) && (weights.map { $0[i] > 0 } ?? true) {
                    if rows.add(stored[i], row: i, same: same) { copy(i, &values) }
                  }
                }
                out[chunk] = (rows, values)
              }
            }
            for chunk in found {
              var e = 0
              chunk.rows.forEach { key, i, copies in
                if kept.add(key, row: i, copies: copies, same: same) {
                  keptValues.append(contentsOf: chunk.values[(e * width)..<((e + 1) * width)])
                }
                e += 1
              }
            }
            guard kept.count < m, end < UInt64.max else { break }
            from = end + 1
            end = DriverSample.nextEnd(after: end, found: kept.count, size: m, fetches: fetches)
          }
          let count = kept.count, stride = width + 1
          keys.reserveCapacity(count)
          candidates = [Double](unsafeUninitializedCapacity: count * stride) { out, initialized in
            var e = 0
            kept.forEach { key, _, copies in
              keys.append(key)
              for t in 0..<width { out[e * stride + t] = keptValues[e * width + t] }
              out[e * stride + width] = Double(copies)
              e += 1
            }
            initialized = count * stride
          }
        }
      }
    }
    return (candidates, keys)
  }
}

/// Rows grouped by key, each distinct row once (a row index standing for its equal ones) with its count,
/// in the order they were first added: an open-addressing table on the key (linear probing, at most half
/// full) over the list of distinct rows, where rows of one key stay apart unless equal (equal keys are
/// equal rows but for a 64-bit collision).
struct DistinctRows {
  private struct Entry {
    var key: UInt64
    /// The row standing for the distinct row.
    var row: Int
    var count: Int
  }

  /// The distinct rows, in the order they were first added.
  private var entries: [Entry] = []
  /// Each slot's index in `entries`; −1 where the slot is empty.
  private var slots: [Int]
  /// Slot of a key: the top bits of the key times 2⁶⁴/φ (every bit of the key moves them).
  private var shift: Int

  /// The distinct rows held.
  var count: Int { entries.count }

  /// A table sized for `expected` distinct rows (it grows past them).
  init(expected: Int) {
    var bits = 4
    while 1 << bits < 2 * expected { bits += 1 }
    slots = [Int](repeating: -1, count: 1 << bits)
    shift = 64 - bits
    entries.reserveCapacity(expected)
  }

  @inline(__always)
  private func slot(of key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift)) }

  /// Adds `copies` copies of row `row` of key `key`; `same(i, j)` tells whether rows i and j are equal.
  /// Whether the row is a new distinct row (then last in the order).
  @inline(__always) @discardableResult
  mutating func add(_ key: UInt64, row: Int, copies: Int = 1, same: (Int, Int) -> Bool) -> Bool {
    let mask = slots.count - 1
    var s = slot(of: key)
    while slots[s] >= 0 {
      let e = slots[s]
      if entries[e].key == key, same(entries[e].row, row) {
        entries[e].count += copies
        return false
      }
      s = (s + 1) & mask
    }
    slots[s] = entries.count
    entries.append(Entry(key: key, row: row, count: copies))
    if 2 * entries.count > slots.count { grow() }
    return true
  }

  /// Twice the slots, every distinct row placed again.
  private mutating func grow() {
    let bits = 64 - shift + 1, mask = (1 << bits) - 1
    shift -= 1
    slots = [Int](repeating: -1, count: 1 << bits)
    for (e, entry) in entries.enumerated() {
      var s = slot(of: entry.key)
      while slots[s] >= 0 { s = (s + 1) & mask }
      slots[s] = e
    }
  }

  /// Calls `body(key, row, count)` for each distinct row, in the order they were first added.
  func forEach(_ body: (UInt64, Int, Int) -> Void) {
    for entry in entries { body(entry.key, entry.row, entry.count) }
  }
}
