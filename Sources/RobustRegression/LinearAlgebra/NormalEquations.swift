/// Solves the weighted least-squares step from the normal equations XᵀWX·β = XᵀWy.
///
/// The Gram matrix is equilibrated (D·G·D with D = diag(G)^(−1/2), so that column scales do not
/// count as ill-conditioning), factored by Cholesky, and its reciprocal condition number estimated
/// (dpocon). Cholesky squares the condition number of √W·X, so when the equilibrated estimate falls
/// below `conditionLimit` the step is recomputed by a rank-revealing QR of √W·X itself (dgelsy),
/// which loses only cond(√W·X)·ε. See Docs/irls.md.
enum NormalEquations {
  /// Below this reciprocal condition of the equilibrated Gram matrix the QR path is taken:
  /// cond(G)·ε ≈ 1e-8 is where the Cholesky step would stop being accurate to the 1e-8 the fits
  /// promise.
  static let conditionLimit = 1e-8
  /// Relative size of R's diagonal below which QR declares a column dependent.
  static let rankTolerance = 1e-11

  enum Outcome {
    case solved([Double])
    case illConditioned
    case singular
  }

  /// Cholesky solve of G·β = h (upper triangle of `gram` used). `.illConditioned` asks for QR.
  static func solveCholesky(gram: [Double], rhs: [Double], order p: Int) throws -> Outcome {
    var d = [Double](repeating: 0, count: p)
    for j in 0..<p {
      let diagonal = gram[j * p + j]
      guard diagonal > 0, diagonal.isFinite else { return .singular }
      d[j] = 1 / diagonal.squareRoot()
    }
    var a = [Double](repeating: 0, count: p * p)
    for j in 0..<p { for i in 0...j { a[j * p + i] = gram[j * p + i] * d[i] * d[j] } }
    // 1-norm of the symmetric matrix from its upper triangle.
    var norm = 0.0
    for j in 0..<p {
      var sum = 0.0
      for i in 0..<p { sum += abs(i <= j ? a[j * p + i] : a[i * p + j]) }
      norm = max(norm, sum)
    }
    guard try LAPACK.choleskyFactor(&a, order: p) else { return .illConditioned }
    let rcond = try LAPACK.choleskyReciprocalCondition(a, order: p, norm: norm)
    guard rcond >= conditionLimit else { return .illConditioned }
    var b = (0..<p).map { rhs[$0] * d[$0] }
    try LAPACK.choleskySolve(a, order: p, &b)
    for j in 0..<p { b[j] *= d[j] }
    return b.allSatisfy(\.isFinite) ? .solved(b) : .illConditioned
  }

  /// Least squares of √W·X·β ≈ √W·y by rank-revealing QR; nil when the rank is below p.
  static func solveQR(design: DesignMatrix, response: [Double], weights: UnsafeBufferPointer<Double>?) throws -> [Double]? {
    let n = design.rows, p = design.columns
    var a = design.values
    var b = [Double](repeating: 0, count: max(n, p))
    for i in 0..<n {
      let root = weights.map { $0[i].squareRoot() } ?? 1
      b[i] = root * response[i]
      if root != 1 { for j in 0..<p { a[j * n + i] *= root } }
    }
    let rank = try LAPACK.leastSquares(&a, rows: n, columns: p, &b, rcond: rankTolerance)
    guard rank == p else { return nil }
    return Array(b[0..<p])
  }

  /// Names of the columns of `design` that a pivoted QR finds dependent on the others (empty when
  /// X has full column rank at `rankTolerance`).
  static func dependentColumns(of design: DesignMatrix) throws -> [Int] {
    var a = design.values
    // Scale columns to unit norm so that units do not decide the rank.
    let n = design.rows
    for j in 0..<design.columns {
      var norm = 0.0
      for i in 0..<n { norm += a[j * n + i] * a[j * n + i] }
      norm = norm.squareRoot()
      if norm > 0 { for i in 0..<n { a[j * n + i] /= norm } }
    }
    let (pivots, diagonal) = try LAPACK.pivotedQR(&a, rows: n, columns: design.columns)
    guard let first = diagonal.first, abs(first) > 0 else { return Array(0..<design.columns) }
    var dependent: [Int] = []
    for k in 0..<design.columns where k >= diagonal.count || abs(diagonal[k]) <= 1e-9 * abs(first) {
      dependent.append(pivots[k])
    }
    return dependent
  }
}
