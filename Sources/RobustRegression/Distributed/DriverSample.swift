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
    let order = answer.withUnsafeBufferPointer { a in
      (0..<n).sorted { i, j in
        for t in 0..<stride where a[i * stride + t] != a[j * stride + t] {
          return a[i * stride + t] < a[j * stride + t]
        }
        return false
      }
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
}
