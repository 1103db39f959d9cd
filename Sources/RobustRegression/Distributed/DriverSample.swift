/// Rows a distributed fit brings to the driver, for the losses whose fit is not only sums over rows:
/// the adaptive loss (its start and α scan run on a subsample of ``AdaptiveFitter/likelihoodScanRows(columns:)``
/// rows), the high-breakdown losses (S, MM: the candidate search), the redescending losses (their S start)
/// and L1 (a linear programme). At most that many rows, every row is brought (one `rows` pass) and the
/// fit in memory runs on them on the driver: the same code path as the CLI's, so the same estimate.
///
/// A Spark DataFrame has no file order that survives its partitioning, and the fits above draw random
/// subsets by row index, so the rows are put in a canonical order first: increasing (y, x₁, …, x_k, w)
/// compared lexicographically. Whatever the partition count and order, the driver holds the same rows
/// in the same order, and the fit equals the CLI's on the file with its rows in that order.
///
/// Above that many rows, S, MM and the adaptive loss take a sample of that many distinct rows instead
/// (``sample(host:predictors:intercept:weighted:size:names:slack:)``: the distinct rows of smallest key, a
/// key that depends on the row's values alone, each weighted by its count), the same whatever the
/// partitioning, for their candidate search
/// (``DistributedFit/highBreakdownFit``) or their start and α scan (``DistributedFit/adaptiveFit``; the
/// fit in memory scans the same rows, ``FitProblem/likelihoodSample(rows:)``).
enum DriverSample {
  /// The most rows the driver collects (the adaptive fit's scan subsample at p columns).
  static func limit(columns p: Int) -> Int { AdaptiveFitter.likelihoodScanRows(columns: p) }

  /// Every row through one `rows` pass, in the canonical order: the design (intercept first when
  /// `intercept`), y and the case weights.
  static func allRows(host: PassHost, predictors k: Int, intercept: Bool, weighted: Bool, rows n: Int,
                      names: [String]) throws -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    var request = PassRequest(kind: .rows, predictors: k, intercept: intercept)
    request.weighted = weighted
    let answer = try host(request)
    let stride = request.rowStride
    guard answer.count == n * stride else {
      throw DistributedFitError.host("a rows pass returned \(answer.count) values for \(n) rows of \(stride)")
    }
    return canonicalRows(answer, stride: stride, predictors: k, intercept: intercept, weighted: weighted, names: names)
  }

  /// Rows `[y, x₁, …, x_k, (w)]` (`stride` doubles each) as a design (intercept first when `intercept`),
  /// y and the case weights, in the canonical order. With `counts` (one per row: the copies it stands
  /// for), the case weights are each row's count times its weight (its count alone when not `weighted`,
  /// and none when every count is 1).
  static func canonicalRows(_ answer: [Double], stride: Int, predictors k: Int, intercept: Bool, weighted: Bool,
                            names: [String], counts: [Double]? = nil)
    -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    answer.withUnsafeBufferPointer { a in
      canonicalRows(a, rows: Array(0..<(answer.count / stride)), stride: stride, width: stride, predictors: k,
                    intercept: intercept, weighted: weighted, names: names, counts: counts, plusZeros: false)
    }
  }

  /// ``canonicalRows(_:stride:predictors:intercept:weighted:names:counts:)`` of rows `rows` of `a` (indices,
  /// each row `stride` doubles of which the first `width` are `[y, x₁, …, x_k, (w)]`), `counts` the counts of
  /// `rows`, in the order of `rows` before sorting; with `plusZeros`, every zero written +0.
  private static func canonicalRows(_ a: UnsafeBufferPointer<Double>, rows: [Int], stride: Int, width: Int,
                                    predictors k: Int, intercept: Bool, weighted: Bool, names: [String],
                                    counts: [Double]?, plusZeros: Bool)
    -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    let n = rows.count
    let positions = canonicalOrder(a, rows: rows, stride: stride, width: width)
    let order = positions.map { rows[$0] }
    @inline(__always) func value(_ i: Int, _ t: Int) -> Double {
      let v = a[i * stride + t]
      return plusZeros && v == 0 ? 0 : v
    }
    let p = k + (intercept ? 1 : 0), offset = intercept ? 1 : 0
    let values = [Double](unsafeUninitializedCapacity: n * p) { v, initialized in
      if intercept { for row in 0..<n { v[row] = 1 } }
      for j in 0..<k {
        let column = (offset + j) * n
        for (row, i) in order.enumerated() { v[column + row] = value(i, 1 + j) }
      }
      initialized = n * p
    }
    let design = DesignMatrix(checkedRows: n, columns: p, values: values, names: names, hasIntercept: intercept)
    let response = order.map { value($0, 0) }
    var weights = weighted ? order.map { value($0, width - 1) } : nil
    if let counts, weighted || counts.contains(where: { $0 != 1 }) {
      weights = positions.map { r in (weighted ? value(rows[r], width - 1) : 1) * counts[r] }
    }
    return (design, response, weights)
  }

  /// The positions in `rows` (indices of rows of `a`, `stride` doubles each, the first `width` compared)
  /// in the order a stable sort by the canonical order (`precedes`) gives. Without NaN in `a` that
  /// comparison is a strict weak order, so any stable sort gives it: a stable radix sort on y (its bits
  /// made monotone, ±0 alike), then each run of equal y by a stable sort on the whole row. With NaN, that
  /// stable sort itself (NaN makes the comparison no order, and the result the algorithm's).
  private static func canonicalOrder(_ a: UnsafeBufferPointer<Double>, rows: [Int], stride: Int, width: Int) -> [Int] {
    let n = rows.count
    let byRow = { (s: Int, t: Int) in precedes(a, rows[s], rows[t], stride: stride, width: width) }
    guard !a.contains(where: \.isNaN) else { return (0..<n).sorted(by: byRow) }
    let keys = rows.map { i -> UInt64 in
      let y = a[i * stride], bits = y == 0 ? 0 : y.bitPattern
      return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }
    return keys.withUnsafeBufferPointer { RadixOrder.stable($0, thenBy: byRow) }
  }

  /// Whether row i of `a` precedes row j in the canonical order (lexicographic in (y, x₁, …, x_k, w)
  /// over the first `width` of each row's `stride` values, all of them when nil).
  private static func precedes(_ a: UnsafeBufferPointer<Double>, _ i: Int, _ j: Int, stride: Int,
                               width: Int? = nil) -> Bool {
    for t in 0..<(width ?? stride) where a[i * stride + t] != a[j * stride + t] {
      return a[i * stride + t] < a[j * stride + t]
    }
    return false
  }

  // MARK: A sample of the rows that does not depend on the partitioning

  /// A row's sample key: a 64-bit mix (SplitMix64's finaliser, chained) of the bit patterns of its
  /// values y, x₁, …, x_k (and w), with −0 read as +0 (so that rows equal in the canonical order have
  /// one key). A row's key depends on its values alone, not on where the row sits, so "the m distinct
  /// rows of smallest key" is the same set of rows whatever the partition count and order; and keys of
  /// distinct rows behave as independent uniform draws, so that set is a simple random sample of the
  /// distinct rows (equal rows share a key: the sample holds one of them, weighted by their count).
  @inline(__always)
  static func mix(_ h: UInt64, _ value: Double) -> UInt64 {
    var z = (h &+ 0x9E37_79B9_7F4A_7C15) ^ (value == 0 ? 0 : value.bitPattern)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Rows of one block of ``keys(y:x:weights:rows:into:)``.
  static let keyBlock = 256

  /// The keys of rows `rows` (at most ``keyBlock``) of a batch's columns into `keys`: ``key(_:)`` of each
  /// row `[y, x₁, …, x_k, (w)]`, computed column by column over the block so that the rows' independent
  /// chains of mixes overlap (a row's chain alone is latency-bound: 2.5× slower at p = 10).
  @inline(__always)
  static func keys(y: UnsafePointer<Double>, x: [UnsafePointer<Double>], weights: UnsafePointer<Double>?,
                   rows: Range<Int>, into keys: UnsafeMutablePointer<UInt64>) {
    let start = rows.lowerBound, m = rows.count
    for t in 0..<m { keys[t] = mix(0, y[start + t]) }
    for column in x { for t in 0..<m { keys[t] = mix(keys[t], column[start + t]) } }
    if let weights { for t in 0..<m { keys[t] = mix(keys[t], weights[start + t]) } }
  }

  /// Calls `body(i, key)` for each row i in `rows` of a batch's columns, in row order (``keys(y:x:weights:rows:into:)``
  /// block by block).
  @inline(__always)
  static func forEachKey(y: UnsafePointer<Double>, x: [UnsafePointer<Double>], weights: UnsafePointer<Double>?,
                         rows: Range<Int>, _ body: (Int, UInt64) -> Void) {
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: keyBlock) { buffer in
      var start = rows.lowerBound
      while start < rows.upperBound {
        let end = min(start + keyBlock, rows.upperBound)
        keys(y: y, x: x, weights: weights, rows: start..<end, into: buffer.baseAddress!)
        for i in start..<end { body(i, buffer[i - start]) }
        start = end
      }
    }
  }

  /// The key of a row `[y, x₁, …, x_k, (w)]`.
  static func key(_ row: ArraySlice<Double>) -> UInt64 {
    row.reduce(0, mix)
  }

  /// The keys of `count` rows stored one after another, `stride` doubles each, of which the first `width`
  /// are the row `[y, x₁, …, x_k, (w)]`: ``key(_:)`` of each, ANDed with `mask` (all ones but in tests that
  /// force collisions), computed ``keyBlock`` rows at a time value by value so that the rows' chains of
  /// mixes overlap (as ``keys(y:x:weights:rows:into:)`` does for columns).
  static func keys(ofRows a: UnsafeBufferPointer<Double>, count: Int, stride: Int, width: Int,
                   mask: UInt64 = .max) -> [UInt64] {
    [UInt64](unsafeUninitializedCapacity: count) { keys, initialized in
      var start = 0
      while start < count {
        let end = min(start + keyBlock, count)
        for r in start..<end { keys[r] = mix(0, a[r * stride]) }
        for t in 1..<max(width, 1) { for r in start..<end { keys[r] = mix(keys[r], a[r * stride + t]) } }
        for r in start..<end { keys[r] &= mask }
        start = end
      }
      initialized = count
    }
  }

  /// Most rows a `sampleRows` pass may bring beyond the sample's size (the bucket that crosses it).
  static let sampleSlack = 1 << 16

  /// Most `sampleRows` passes of one sample; the last one reaches the largest key.
  static let sampleFetches = 5

  /// The sample of ``smallest(_:stride:size:predictors:intercept:weighted:names:)`` over the host's
  /// rows (of positive weight when weighted): the `size` distinct rows of smallest key, each weighted by
  /// its count, in the canonical order, and the passes taken.
  ///
  /// Histograms of the keys' top bits (65 536 buckets, merged by addition) find the bucket where the
  /// count of rows of smaller key reaches `size`, narrowed while the rows below it exceed the size by more
  /// than ``sampleSlack``; a `sampleRows` pass returns every distinct row of key up to that bucket's end
  /// with its count (each batch collapses its equal rows, ``distinct(_:stride:)``), and the driver merges
  /// equal rows across batches. The histograms count rows, not distinct rows: when fewer than `size`
  /// distinct rows came back, the next `sampleRows` pass takes the keys above the last one's end up to
  /// where, keys of distinct rows being uniform, the distinct rows found so far put `size` with a margin
  /// (at most ``sampleFetches`` passes, the last one up to the largest key). Partition count and order
  /// change neither the rows, nor their order, nor their weights.
  static func sample(host: PassHost, predictors k: Int, intercept: Bool, weighted: Bool, size m: Int,
                     names: [String], slack: Int = sampleSlack) throws
    -> (design: DesignMatrix, response: [Double], weights: [Double]?, passes: [String: Int]) {
    var low: UInt64 = 0, high = UInt64.max, histograms = 0
    var end = UInt64.max
    while true {
      var request = PassRequest(kind: .keyHistogram, predictors: k, intercept: intercept)
      request.weighted = weighted
      request.setBuckets(low: low, high: high)
      let shift = request.shift
      let answer = try host(request)
      histograms += 1
      let buckets = request.bucketCount
      guard answer.count == buckets + 2 else {
        throw DistributedFitError.host("a key histogram pass returned \(answer.count) values, expected \(buckets + 2)")
      }
      var cumulative = Int(answer[0]), crossing = -1
      for b in 0..<buckets {
        if cumulative + Int(answer[1 + b]) >= m {
          crossing = b
          break
        }
        cumulative += Int(answer[1 + b])
      }
      // Fewer than m keys up to `high`: every row up to it (only when the histogram spans all keys).
      guard crossing >= 0 else { break }
      let through = cumulative + Int(answer[1 + crossing])
      let bucketLow = low + (UInt64(crossing) << UInt64(shift))
      end = bucketLow + ((UInt64(1) << UInt64(shift)) - 1)
      if through - m <= slack || shift == 0 { break }
      low = bucketLow
      high = end
    }
    var candidates: [Double] = [], from: UInt64 = 0, fetches = 0, stride = 0
    while true {
      var request = PassRequest(kind: .sampleRows, predictors: k, intercept: intercept)
      request.weighted = weighted
      request.low = from
      request.high = end
      let answer = try host(request)
      fetches += 1
      stride = request.sampleStride
      guard answer.count % stride == 0 else {
        throw DistributedFitError.host("a sample rows pass returned \(answer.count) values, not rows of \(stride)")
      }
      candidates = distinct(candidates + answer, stride: stride)
      let found = candidates.count / stride
      guard found < m, end < UInt64.max else { break }
      from = end + 1
      end = nextEnd(after: end, found: found, size: m, fetches: fetches)
    }
    let sample = smallest(candidates, stride: stride, size: m, predictors: k, intercept: intercept,
                          weighted: weighted, names: names)
    return (sample.design, sample.response, sample.weights, ["keyHistogram": histograms, "sampleRows": fetches])
  }

  /// The end of the next span of keys after `fetches` spans up to `end` gave `found` < `size` distinct rows:
  /// ``widened(_:found:size:fetches:)``, and the largest key once ``sampleFetches`` spans are reached. The
  /// driver's `sampleRows` passes and the fit in memory's (``FitProblem/likelihoodSample(rows:)``) both.
  static func nextEnd(after end: UInt64, found: Int, size m: Int, fetches: Int) -> UInt64 {
    fetches + 1 >= sampleFetches ? UInt64.max : widened(end, found: found, size: m, fetches: fetches)
  }

  /// The end of the next `sampleRows` pass when the keys up to `end` gave `found` < `size` distinct
  /// rows: distinct rows' keys are uniform, so [0, end] holding `found` of them puts `size` + 4√size + 64
  /// (over 4 standard deviations of a Poisson count above the size) at (end + 1)·(size + 4√size + 64)/found;
  /// each further pass doubles that span.
  static func widened(_ end: UInt64, found: Int, size m: Int, fetches: Int) -> UInt64 {
    guard found > 0 else { return UInt64.max }
    let next = (Double(end) + 1) * target(size: m) / Double(found) * Double(1 << (fetches - 1))
    // 2⁶⁴ itself is not a UInt64; at or above it, every key.
    guard next < 0x1p64 else { return UInt64.max }
    return max(end + 1, UInt64(next))
  }

  /// The end of the first span of keys when `rows` rows of uniform keys are known but not how many
  /// are distinct (the fit in memory's first pass, ``FitProblem/likelihoodSample(rows:)``): where
  /// ``widened(_:found:size:fetches:)`` would put it had the whole key range held `rows` distinct rows.
  static func firstEnd(rows: Int, size m: Int) -> UInt64 {
    let next = 0x1p64 * target(size: m) / Double(max(rows, 1))
    return next < 0x1p64 ? UInt64(next) : UInt64.max
  }

  /// The distinct rows a span of keys should hold for `size` to fall short with negligible probability:
  /// size + 4√size + 64, over 4 standard deviations of a Poisson count above the size.
  private static func target(size m: Int) -> Double { Double(m) + 4 * Double(m).squareRoot() + 64 }

  /// Rows `[y, x₁, …, x_k, (w), count]` (`stride` doubles each) with every set of equal rows (equal in
  /// the canonical order, so of one key) merged into one whose count is their counts' sum, in increasing
  /// (key, canonical order), a zero of either sign written +0. What a batch's `sampleRows` answer is (of its
  /// rows with count 1), what the driver makes of the batches' answers, and the first step of
  /// ``smallest(_:stride:size:predictors:intercept:weighted:names:)``.
  static func distinct(_ rows: [Double], stride: Int) -> [Double] {
    distinct(rows, stride: stride, keyMask: .max)
  }

  /// ``distinct(_:stride:)`` with every key ANDed with `keyMask` (all ones but in tests that force
  /// collisions: rows of one key stay apart unless equal).
  static func distinct(_ rows: [Double], stride: Int, keyMask: UInt64) -> [Double] {
    rows.withUnsafeBufferPointer { a in
      let groups = equalRows(a, count: rows.count / stride, stride: stride, keyMask: keyMask), width = stride - 1
      return [Double](unsafeUninitializedCapacity: groups.count * stride) { out, initialized in
        for (g, group) in groups.enumerated() {
          for t in 0..<width {
            let v = a[group.row * stride + t]
            out[g * stride + t] = v == 0 ? 0 : v
          }
          out[g * stride + width] = group.count
        }
        initialized = groups.count * stride
      }
    }
  }

  /// The sets of equal rows among `count` rows `[y, x₁, …, x_k, (w), count]` of `a` (`stride` doubles each),
  /// each as the index of its first row in the order below and the sum of its counts (added in that order),
  /// in increasing (key, canonical order), keys ANDed with `keyMask` (or `keys`, the rows' keys so masked,
  /// when known): the rows ``distinct(_:stride:)``
  /// writes out and ``smallest(_:stride:size:predictors:intercept:weighted:names:)`` selects from.
  private static func equalRows(_ a: UnsafeBufferPointer<Double>, count: Int, stride: Int, keyMask: UInt64,
                                keys known: [UInt64]? = nil) -> [(row: Int, count: Double)] {
    let width = stride - 1
    let keys = known ?? keys(ofRows: a, count: count, stride: stride, width: width, mask: keyMask)
    // The order of a stable sort by (key, canonical order). Without NaN a strict weak order, which any
    // stable sort gives: increasing key (a stable radix order), then the rows of one key (equal rows, or a
    // 64-bit collision) in the canonical order, stably. With NaN (no order), that sort itself.
    let order = a.contains(where: \.isNaN)
      ? (0..<count).sorted { i, j in
        keys[i] != keys[j] ? keys[i] < keys[j] : precedes(a, i, j, stride: stride, width: width)
      }
      : keys.withUnsafeBufferPointer { RadixOrder.stable($0) { precedes(a, $0, $1, stride: stride, width: width) } }
    var groups = [(row: Int, count: Double)]()
    groups.reserveCapacity(count)
    var lastKey: UInt64 = 0
    for i in order {
      let key = keys[i]
      if let last = groups.last, key == lastKey, !precedes(a, last.row, i, stride: stride, width: width) {
        groups[groups.count - 1].count += a[i * stride + width]
        continue
      }
      groups.append((i, a[i * stride + width]))
      lastKey = key
    }
    return groups
  }

  /// The sample from candidate rows `[y, x₁, …, x_k, (w), count]` that include every copy of the `size`
  /// distinct rows of smallest key (``key(_:)``; ties between distinct rows of one key by the canonical
  /// order): those rows, each with the copies' count as its case weight (times its weight w when
  /// `weighted`; no case weights when unweighted and every count is 1), as a design, y and the case weights
  /// in the canonical order. Equal rows are merged (``distinct(_:stride:)``), so the candidates may hold one
  /// row several times with counts that add up. The one selection of
  /// ``sample(host:predictors:intercept:weighted:size:names:slack:)`` and of the fit in memory's
  /// likelihood sample (``FitProblem/likelihoodSample(rows:)``).
  ///
  /// Distinct rows, not rows: keys are uniform over the D distinct rows, so this is a simple random
  /// sample of them (each in it with probability m/D), and weighted by the counts every sum over the
  /// sample, times D/m, is an unbiased estimate of the sum over all rows (Horvitz–Thompson); data of at
  /// most `size` distinct rows are represented exactly. (Rows, not distinct rows, with equal rows
  /// entering together, gave few distinct rows on data of few rows repeated many times.)
  static func smallest(_ candidates: [Double], stride: Int, size m: Int, predictors k: Int, intercept: Bool,
                       weighted: Bool, names: [String]) -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    smallest(candidates, stride: stride, size: m, predictors: k, intercept: intercept, weighted: weighted,
             names: names, keyMask: .max)
  }

  /// ``smallest(_:stride:size:predictors:intercept:weighted:names:)`` with every key ANDed with `keyMask`
  /// (``distinct(_:stride:keyMask:)``; all ones but in tests that force collisions), and the candidates'
  /// keys (so masked) when the caller has them (``FitProblem/likelihoodSample(rows:)``: each row's key is
  /// computed once).
  static func smallest(_ candidates: [Double], stride: Int, size m: Int, predictors k: Int, intercept: Bool,
                       weighted: Bool, names: [String], keyMask: UInt64, keys: [UInt64]? = nil)
    -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    candidates.withUnsafeBufferPointer { a in
      let kept = equalRows(a, count: candidates.count / stride, stride: stride, keyMask: keyMask, keys: keys).prefix(m)
      return canonicalRows(a, rows: kept.map(\.row), stride: stride, width: stride - 1, predictors: k,
                           intercept: intercept, weighted: weighted, names: names, counts: kept.map(\.count),
                           plusZeros: true)
    }
  }
}
