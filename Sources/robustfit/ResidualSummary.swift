import RobustRegression

/// The numbers R's `summary` prints about residuals and fit quality that the library's result does not
/// carry itself: the residual quantiles, and least squares' classical R².
enum ResidualSummary {
  /// Min, 1Q, median, 3Q, max of the residuals: R's default `quantile` (type 7, linear interpolation
  /// between order statistics), over the rows as they are (case weights do not enter).
  static func quantiles(_ residuals: [Double]) -> [Double] {
    let sorted = residuals.sorted()
    guard let first = sorted.first else { return [] }
    guard sorted.count > 1 else { return Array(repeating: first, count: 5) }
    return [0, 0.25, 0.5, 0.75, 1].map { q in
      let h = Double(sorted.count - 1) * q
      let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
      return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
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
