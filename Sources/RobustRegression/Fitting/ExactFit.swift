/// The exact-fit case of a MAD-scaled M-estimator: more than half of the rows lie on one hyperplane,
/// so the robust scale of the residuals is 0 and the loss's scale c = k·σ̂ has no positive fixed point.
///
/// IRLS approaches such a hyperplane only geometrically (each iteration shrinks σ̂ by a constant
/// factor, while Σρ(r/c) grows without bound), so waiting for σ̂ to reach exactly 0 can take hundreds
/// of iterations or never happen. ``detect(pass:scratch:)`` tests the property directly instead:
/// fit the ⌊n/2⌋ + 1 rows with the smallest |r| by least squares and ask whether they all lie on that
/// fit to rounding.
enum ExactFit {
  /// Residuals no larger than this multiple of ε·(|yᵢ| + Σⱼ|xᵢⱼβⱼ|) count as zero: the rounding error
  /// of evaluating yᵢ − xᵢ·β in double precision, with a margin.
  static let roundingMultiple = 64.0

  /// Whether row i lies on the hyperplane X·β to rounding.
  static func isOnFit(row i: Int, design: DesignMatrix, response: [Double], beta: [Double],
                      residual: Double) -> Bool {
    var magnitude = abs(response[i])
    for j in 0..<design.columns { magnitude += abs(design[i, j] * beta[j]) }
    return abs(residual) <= roundingMultiple * Double.ulpOfOne * magnitude
  }

  /// Whether row i lies on X·β to rounding, screened first by a bound that holds for every row:
  /// `bound` = Σⱼ|βⱼ|·max|xⱼ| (``roundingBound(beta:columnMagnitudes:)``). Only residuals within
  /// 64ε·(|yᵢ| + bound) pay for the row's own O(p) test, so a sweep over n rows costs O(n) plus that.
  static func isOnFit(row i: Int, design: DesignMatrix, response: [Double], beta: [Double],
                      residual: Double, bound: Double) -> Bool {
    residual == 0
      || (abs(residual) <= roundingMultiple * Double.ulpOfOne * (abs(response[i]) + bound)
          && isOnFit(row: i, design: design, response: response, beta: beta, residual: residual))
  }

  /// Σⱼ|βⱼ|·max|xⱼ|: a bound on Σⱼ|xᵢⱼβⱼ| for every row i.
  static func roundingBound(beta: [Double], columnMagnitudes: [Double]) -> Double {
    zip(beta, columnMagnitudes).reduce(0) { $0 + abs($1.0) * $1.1 }
  }

  /// For every row, whether it lies on the hyperplane X·β to rounding.
  /// The weights of a fit whose scale is 0: 1 for the rows on its hyperplane (to rounding), which carry
  /// it, and 0 for all others.
  static func weights(design: DesignMatrix, response: [Double], beta: [Double], residuals: [Double]) -> [Double] {
    rowsOnFit(design: design, response: response, beta: beta, residuals: residuals).map { $0 ? 1 : 0 }
  }

  static func rowsOnFit(design: DesignMatrix, response: [Double], beta: [Double], residuals: [Double]) -> [Bool] {
    (0..<design.rows).map {
      isOnFit(row: $0, design: design, response: response, beta: beta, residual: residuals[$0])
    }
  }

  /// The hyperplane through more than half of the rows, when the pass's residuals point at one: the
  /// least-squares fit of the ⌊n/2⌋ + 1 rows with the smallest |r|, returned when at least that many
  /// rows lie on it to rounding (so that the MAD of its residuals is 0 up to rounding); nil otherwise.
  /// Costs one selection over n and one QR of a weighted n × p system.
  static func detect(pass: WeightedPass, scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double]? {
    let n = pass.design.rows
    let needed = n / 2 + 1
    guard needed >= pass.design.columns else { return nil }
    for i in 0..<n { scratch[i] = abs(pass.residuals[i]) }
    let threshold = Selection.select(UnsafeMutableBufferPointer(rebasing: scratch[0..<n]), rank: needed - 1)
    var weights = [Double](repeating: 0, count: n)
    for i in 0..<n where abs(pass.residuals[i]) <= threshold { weights[i] = 1 }
    let candidate = try weights.withUnsafeBufferPointer {
      try NormalEquations.solveQR(design: pass.design, response: pass.response, weights: $0)
    }
    guard let beta = candidate, beta.allSatisfy(\.isFinite) else { return nil }
    let residuals = pass.design.residuals(pass.response, beta)
    let onFit = rowsOnFit(design: pass.design, response: pass.response, beta: beta, residuals: residuals)
    return onFit.lazy.filter { $0 }.count >= needed ? beta : nil
  }
}
