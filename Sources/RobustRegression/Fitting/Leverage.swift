import CLapack

extension RegressionFit {
  /// The leverage (hat value) of each row in the final weighted fit:
  /// hᵢ = wᵢ·xᵢᵀ(XᵀWX)⁻¹xᵢ with W = diag(``weights``) (times the ``caseWeights`` when there are any), the diagonal of the hat matrix
  /// H = W^½X(XᵀWX)⁻¹XᵀW^½ of the last IRLS step. For least squares (all weights 1) these are the classical
  /// hat values (R's `hatvalues(lm)`); each lies in [0, 1] and they sum to p. A row the fit gives weight 0
  /// has leverage 0, so a bad leverage point that the loss has discarded shows a small hᵢ here: this is the
  /// leverage *of the weighted fit*, not a robust distance of xᵢ from the bulk of the design.
  ///
  /// `design` must be the fitted design (same columns by name, one row per residual). The computation is
  /// O(np²): the columns of W^½X are scaled to unit norm (so column scales do not count, and hᵢ is invariant
  /// to them), XᵀWX is factored by Cholesky (RᵀR), with a pivoted QR of W^½X instead when the Gram matrix is
  /// too ill-conditioned for Cholesky, and hᵢ is the squared norm of row i of W^½X·R⁻¹ (one triangular solve).
  ///
  /// - Throws: ``RegressionError/columnMismatch(expected:got:)`` when the design's columns are not the
  ///   fit's, ``RegressionError/dimensionMismatch(rows:responses:)`` when its row count differs from the
  ///   fit's, ``RegressionError/nonFinite(column:name:row:)`` for a NaN or infinite value, and
  ///   ``RegressionError/collinear(columns:names:)`` when XᵀWX is singular: the columns named are linearly
  ///   dependent on the rows with positive weight (for example when a redescending loss gave weight 0 to
  ///   every row but p − 1), and the leverage is not defined.
  public func leverage(_ design: DesignMatrix) throws(RegressionError) -> [Double] {
    guard design.names == names else { throw .columnMismatch(expected: names, got: design.names) }
    guard design.rows == observationCount else {
      throw .dimensionMismatch(rows: design.rows, responses: observationCount)
    }
    try design.checkFinite()
    do {
      // With case weights the last weighted step's W is the case weight times the IRLS weight.
      let combined = caseWeights.map { zip(weights, $0).map { $0 * $1 } } ?? weights
      return try Leverage.hatValues(design: design, weights: combined)
    } catch let error as RegressionError {
      throw error
    } catch {
      // LAPACK reports an illegal argument only for a programming error; treat it as a singular system.
      throw .collinear(columns: Array(0..<design.columns), names: design.names)
    }
  }
}

/// The hat values of a weighted least-squares fit (``RegressionFit/leverage(_:)``).
enum Leverage {
  /// Below this reciprocal condition of the equilibrated Gram matrix the factor comes from QR of W^½X,
  /// which loses only cond(W^½X)·ε instead of its square (the test ``NormalEquations`` uses).
  static let conditionLimit = NormalEquations.conditionLimit
  /// Relative size of R's diagonal below which the pivoted QR declares a column dependent.
  static let rankTolerance = 1e-9

  /// hᵢ for the design and non-negative weights (negative and NaN weights count as 0).
  static func hatValues(design: DesignMatrix, weights: [Double]) throws -> [Double] {
    let n = design.rows, p = design.columns
    guard n > 0 else { return [] }
    guard p > 0 else { return [Double](repeating: 0, count: n) }
    // B = W^½ X D with D scaling each column of W^½X to unit norm.
    var b = design.values
    let roots = weights.map { $0 > 0 && $0.isFinite ? $0.squareRoot() : 0 }
    var dependent: [Int] = []
    for j in 0..<p {
      var largest = 0.0
      for i in 0..<n {
        b[j * n + i] *= roots[i]
        largest = max(largest, abs(b[j * n + i]))
      }
      // Norm computed on the column divided by its largest entry, so that 1e200 entries cannot overflow.
      var sum = 0.0
      if largest > 0 { for i in 0..<n { let v = b[j * n + i] / largest; sum += v * v } }
      let norm = largest * sum.squareRoot()
      if norm > 0 && norm.isFinite {
        for i in 0..<n { b[j * n + i] /= norm }
      } else {
        dependent.append(j)
      }
    }
    if !dependent.isEmpty {
      throw RegressionError.collinear(columns: dependent, names: dependent.map { design.names[$0] })
    }
    guard let factor = try choleskyFactor(of: b, rows: n, columns: p) else {
      // Ill-conditioned or singular: R from the pivoted QR of B, whose columns it holds in pivot order.
      var a = b
      let (pivots, diagonal) = try LAPACK.pivotedQR(&a, rows: n, columns: p)
      let first = abs(diagonal.first ?? 0)
      let weak = (0..<p).filter { $0 >= diagonal.count || !(abs(diagonal[$0]) > rankTolerance * first) }
      if !weak.isEmpty {
        let columns = weak.map { pivots[$0] }.sorted()
        throw RegressionError.collinear(columns: columns, names: columns.map { design.names[$0] })
      }
      var r = [Double](repeating: 0, count: p * p)
      for j in 0..<p { for i in 0...j { r[j * p + i] = a[j * n + i] } }
      var permuted = [Double](repeating: 0, count: n * p)
      for (k, column) in pivots.enumerated() {
        permuted.replaceSubrange((k * n)..<((k + 1) * n), with: b[(column * n)..<((column + 1) * n)])
      }
      return rowNormsAfterSolve(&permuted, factor: r, rows: n, columns: p)
    }
    return rowNormsAfterSolve(&b, factor: factor, rows: n, columns: p)
  }

  /// The upper Cholesky factor R (RᵀR = BᵀB, column-major p × p) when BᵀB is numerically positive
  /// definite with reciprocal condition at least `conditionLimit`; nil otherwise.
  private static func choleskyFactor(of b: [Double], rows n: Int, columns p: Int) throws -> [Double]? {
    var gram = [Double](repeating: 0, count: p * p)
    b.withUnsafeBufferPointer { x in
      gram.withUnsafeMutableBufferPointer { g in
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(p), Int32(n), 1, x.baseAddress, Int32(n), 0,
                    g.baseAddress, Int32(p))
      }
    }
    var norm = 0.0
    for j in 0..<p {
      var sum = 0.0
      for i in 0..<p { sum += abs(i <= j ? gram[j * p + i] : gram[i * p + j]) }
      norm = max(norm, sum)
    }
    guard try LAPACK.choleskyFactor(&gram, order: p) else { return nil }
    let rcond = try LAPACK.choleskyReciprocalCondition(gram, order: p, norm: norm)
    guard rcond >= conditionLimit else { return nil }
    for j in 0..<p { for i in (j + 1)..<p { gram[j * p + i] = 0 } }  // the strict lower triangle is unused
    return gram
  }

  /// Overwrites `b` (n × p) with B·R⁻¹ (one triangular solve from the right) and returns its squared row
  /// norms, clamped to [0, 1] against rounding.
  private static func rowNormsAfterSolve(_ b: inout [Double], factor: [Double], rows n: Int,
                                         columns p: Int) -> [Double] {
    factor.withUnsafeBufferPointer { r in
      b.withUnsafeMutableBufferPointer { x in
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), Int32(p), 1,
                    r.baseAddress, Int32(p), x.baseAddress, Int32(n))
      }
    }
    var h = [Double](repeating: 0, count: n)
    for j in 0..<p {
      let base = j * n
      for i in 0..<n { h[i] += b[base + i] * b[base + i] }
    }
    return h.map { $0.isFinite ? min(max($0, 0), 1) : 0 }
  }
}
