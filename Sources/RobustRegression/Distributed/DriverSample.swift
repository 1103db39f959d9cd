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
/// Above that many rows, S, MM and the adaptive loss take a sample of that many rows instead
/// (``sample(host:predictors:intercept:weighted:size:names:slack:)``: the rows of smallest key, a key that
/// depends on the row's values alone), the same whatever the partitioning, for their candidate search
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
  /// y and the case weights, in the canonical order.
  static func canonicalRows(_ answer: [Double], stride: Int, predictors k: Int, intercept: Bool, weighted: Bool,
                            names: [String]) -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    let n = answer.count / stride
    let order = answer.withUnsafeBufferPointer { a in
      (0..<n).sorted { i, j in precedes(a, i, j, stride: stride) }
    }
    let p = k + (intercept ? 1 : 0), offset = intercept ? 1 : 0
    var values = [Double](repeating: 1, count: n * p)
    for (row, i) in order.enumerated() {
      for j in 0..<k { values[(offset + j) * n + row] = answer[i * stride + 1 + j] }
    }
    let design = DesignMatrix(checkedRows: n, columns: p, values: values, names: names, hasIntercept: intercept)
    let response = order.map { answer[$0 * stride] }
    let weights = weighted ? order.map { answer[$0 * stride + stride - 1] } : nil
    return (design, response, weights)
  }

  /// Whether row i of `a` precedes row j in the canonical order (lexicographic in (y, x₁, …, x_k, w)).
  private static func precedes(_ a: UnsafeBufferPointer<Double>, _ i: Int, _ j: Int, stride: Int) -> Bool {
    for t in 0..<stride where a[i * stride + t] != a[j * stride + t] {
      return a[i * stride + t] < a[j * stride + t]
    }
    return false
  }

  // MARK: A sample of the rows that does not depend on the partitioning

  /// A row's sample key: a 64-bit mix (SplitMix64's finaliser, chained) of the bit patterns of its
  /// values y, x₁, …, x_k (and w), with −0 read as +0 (so that rows equal in the canonical order have
  /// one key). A row's key depends on its values alone, not on where the row sits, so "the m rows of
  /// smallest key" is the same set of rows whatever the partition count and order; and keys of
  /// distinct rows behave as independent uniform draws, so that set is a simple random sample of the
  /// distinct rows (equal rows share a key and enter together).
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

  /// Most rows a `sampleRows` pass may bring beyond the sample's size (the bucket that crosses it).
  static let sampleSlack = 1 << 16

  /// The `size` rows of smallest key (``key(_:)``; of positive weight when weighted), in the canonical
  /// order, and the passes taken: histograms of the keys' top bits (65 536 buckets, merged by addition)
  /// find the bucket where the count of smaller keys reaches `size`, narrowed while the rows below it
  /// exceed the size by more than ``sampleSlack``; one `sampleRows` pass returns every row of key up to
  /// that bucket's end, and the driver keeps the `size` smallest keys (ties between equal rows by the
  /// canonical order). Partition count and order do not change the rows nor their order.
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
    var request = PassRequest(kind: .sampleRows, predictors: k, intercept: intercept)
    request.weighted = weighted
    request.low = 0
    request.high = end
    let answer = try host(request)
    let stride = request.rowStride
    guard answer.count % stride == 0 else {
      throw DistributedFitError.host("a sample rows pass returned \(answer.count) values, not rows of \(stride)")
    }
    let sample = smallest(answer, stride: stride, size: m, predictors: k, intercept: intercept, weighted: weighted,
                          names: names)
    return (sample.design, sample.response, sample.weights, ["keyHistogram": histograms, "sampleRows": 1])
  }

  /// The sample from candidate rows `[y, x₁, …, x_k, (w)]` that include the `size` rows of smallest key:
  /// those rows (ties between equal keys by the canonical order), as a design, y and the case weights in the
  /// canonical order. The one selection of ``sample(host:predictors:intercept:weighted:size:names:slack:)``
  /// and of the fit in memory's likelihood sample (``FitProblem/likelihoodSample(rows:)``).
  static func smallest(_ answer: [Double], stride: Int, size m: Int, predictors k: Int, intercept: Bool,
                       weighted: Bool, names: [String]) -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    let count = answer.count / stride
    let keys = (0..<count).map { key(answer[($0 * stride)..<(($0 + 1) * stride)]) }
    let kept = answer.withUnsafeBufferPointer { a in
      (0..<count).sorted { i, j in keys[i] != keys[j] ? keys[i] < keys[j] : precedes(a, i, j, stride: stride) }
        .prefix(m)
    }
    var rows = [Double]()
    rows.reserveCapacity(kept.count * stride)
    for i in kept { rows += answer[(i * stride)..<((i + 1) * stride)] }
    return canonicalRows(rows, stride: stride, predictors: k, intercept: intercept, weighted: weighted, names: names)
  }
}
