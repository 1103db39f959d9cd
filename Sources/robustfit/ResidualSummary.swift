import RobustRegression

/// The numbers R's `summary` prints about residuals and fit quality that the library's result does not
/// carry itself: the residual quantiles, and least squares' classical R².
enum ResidualSummary {
  /// Min, 1Q, median, 3Q, max of the residuals: R's default `quantile` (type 7, linear interpolation
  /// between order statistics). With case weights row i counts wᵢ times, as everywhere else: the
  /// quantiles are those of the rows repeated (type 7 over Σwᵢ observations, the k-th smallest being the
  /// residual whose run of cumulative weight covers k), exact for whole weights and continuous in them;
  /// rows of weight 0 do not count.
  static func quantiles(_ residuals: [Double], weights: [Double]? = nil) -> [Double] {
    guard let weights else { return unweightedQuantiles(residuals) }
    let sum = weights.reduce(0.0) { $1 > 0 ? $0 + $1 : $0 }
    guard weights.contains(where: { $0 > 0 }) else { return [] }
    /// The residual at 0-based expanded position t: the first row, in increasing residual, whose
    /// cumulative weight exceeds t (a weighted selection, not a sort).
    func orderStatistic(_ t: Double) -> Double {
      residuals.withUnsafeBufferPointer { r in
        weights.withUnsafeBufferPointer { Selection.weightedOrderStatistic(values: r, weights: $0, exceeding: t) }
      }
    }
    guard sum > 1 else { return Array(repeating: orderStatistic(0), count: 5) }
    return TypeSevenQuantiles.interpolate(TypeSevenQuantiles.positions(observations: sum), orderStatistic)
  }

  /// Without weights, the order statistics type 7 needs are selected (expected O(n) each, on shrinking
  /// ranges), not sorted for: sorting a million residuals was a tenth of the CLI's time at n = 1e6. A
  /// rank that is the smallest of what is left (rank 0, and each k + 1 right after rank k) or the largest
  /// (rank n − 1) is found by one scan instead of a selection, which would partition the whole range.
  static func unweightedQuantiles(_ residuals: [Double]) -> [Double] {
    guard let first = residuals.first else { return [] }
    let n = residuals.count
    guard n > 1 else { return Array(repeating: first, count: 5) }
    let positions = TypeSevenQuantiles.positions(observations: Double(n))
    var values = residuals
    var ranked: [Int: Double] = [:]
    var from = 0
    for k in Set(positions.flatMap { [Int($0.low), Int($0.high)] }).sorted() {
      if k == from {
        ranked[k] = smallest(&values, from: from)
      } else if k == n - 1 {
        ranked[k] = largest(&values, from: from)
      } else {
        ranked[k] = select(&values, rank: k, from: from)
      }
      from = k + 1
    }
    return TypeSevenQuantiles.interpolate(positions) { ranked[Int($0)]! }
  }

  /// The smallest of `values[from...]`, moved to position `from` (where a selection of rank `from`
  /// would leave it), in one scan.
  static func smallest(_ values: inout [Double], from: Int) -> Double {
    values.withUnsafeMutableBufferPointer { a in
      var best = from
      for i in (from + 1)..<a.count where a[i] < a[best] { best = i }
      a.swapAt(best, from)
      return a[from]
    }
  }

  /// The largest of `values[from...]`, moved to the last position, in one scan.
  static func largest(_ values: inout [Double], from: Int) -> Double {
    values.withUnsafeMutableBufferPointer { a in
      var best = from
      for i in (from + 1)..<a.count where a[i] > a[best] { best = i }
      a.swapAt(best, a.count - 1)
      return a[a.count - 1]
    }
  }

  /// The value of rank `k` (0-based) among `values[from...]`, rearranging them so that those before `k`
  /// are ≤ it and those after ≥ it (so a larger rank can then be selected in `values[(k + 1)...]`): the
  /// library's quickselect on that range.
  static func select(_ values: inout [Double], rank k: Int, from: Int) -> Double {
    values.withUnsafeMutableBufferPointer { a in
      Selection.select(UnsafeMutableBufferPointer(rebasing: a[from...]), rank: k - from)
    }
  }

  /// Least squares' R² = 1 − Σwr²/Σw(y − ȳ_w)² (ȳ_w = 0 without an intercept, as R's `summary.lm`) and
  /// the adjusted R² = 1 − (1 − R²)(n − i)/(n − p), i = 1 with an intercept, n = Σw; nil where y does
  /// not vary. The sums are taken in units of the largest deviation, so that neither y of 1e-200 (whose
  /// squares underflow) nor 1e200 (overflow) makes them 0/0.
  static func classicalRSquared(response y: [Double], residuals r: [Double], weights: [Double]?, hasIntercept: Bool,
                                parameters p: Int) -> (value: Double, adjusted: Double)? {
    let w = weights ?? Array(repeating: 1, count: y.count)
    let n = w.reduce(0, +)
    let unit = y.indices.reduce(0.0) { max($0, abs(y[$1]), abs(r[$1])) }
    guard unit > 0, unit.isFinite, n > Double(p) else { return nil }
    let mean = hasIntercept ? zip(w, y).reduce(0) { $0 + $1.0 * ($1.1 / unit) } / n : 0
    var total = 0.0, residual = 0.0
    for i in y.indices {
      let d = y[i] / unit - mean, e = r[i] / unit
      total += w[i] * d * d
      residual += w[i] * e * e
    }
    guard total > 0, total.isFinite, residual.isFinite else { return nil }
    let value = 1 - residual / total
    let i = hasIntercept ? 1.0 : 0
    return (value, 1 - (1 - value) * (n - i) / (n - Double(p)))
  }

  /// The R² a fit has: lmrob's robust one for MM (`"lmrob"`), least squares' classical one (`"classical"`;
  /// nil where y does not vary); nil for the other losses, where none is defined.
  static func rSquared(of fit: RegressionFit, data: LoadedData) -> (value: Double, adjusted: Double, kind: String)? {
    if let r2 = fit.robustRSquared { return (r2.value, r2.adjusted, "lmrob") }
    guard fit.loss.name == "l2",
          let r2 = classicalRSquared(response: data.response, residuals: fit.residuals, weights: data.weights,
                                     hasIntercept: data.design.hasIntercept, parameters: data.p)
    else { return nil }
    return (r2.value, r2.adjusted, "classical")
  }
}
