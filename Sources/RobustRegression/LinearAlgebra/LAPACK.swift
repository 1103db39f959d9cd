import CLapack

/// Thin wrappers over the LAPACKE routines robustfit uses. Matrices are column-major, leading
/// dimension = number of rows; `info` is turned into ``LAPACKError``.
enum LAPACK {
  static let upper = Int8(UInt8(ascii: "U"))
  static let noTranspose = Int8(UInt8(ascii: "N"))
  static let transpose = Int8(UInt8(ascii: "T"))
  static let oneNorm = Int8(UInt8(ascii: "1"))

  /// Cholesky factor A = UᵀU in place (upper triangle of `a`, n × n). Returns false when A is not
  /// numerically positive definite (dpotrf info > 0).
  static func choleskyFactor(_ a: inout [Double], order n: Int) throws -> Bool {
    let info = a.withUnsafeMutableBufferPointer {
      LAPACKE_dpotrf(LAPACK_COL_MAJOR, upper, Int32(n), $0.baseAddress, Int32(n))
    }
    if info < 0 { throw LAPACKError(routine: "dpotrf", info: info) }
    return info == 0
  }

  /// Reciprocal condition number (1-norm) of the SPD matrix whose Cholesky factor is `factor`,
  /// given the 1-norm of the original matrix.
  static func choleskyReciprocalCondition(_ factor: [Double], order n: Int, norm: Double) throws -> Double {
    var rcond = 0.0
    let info = factor.withUnsafeBufferPointer {
      LAPACKE_dpocon(LAPACK_COL_MAJOR, upper, Int32(n), $0.baseAddress, Int32(n), norm, &rcond)
    }
    if info != 0 { throw LAPACKError(routine: "dpocon", info: info) }
    return rcond
  }

  /// Solves A·x = b in place given A's Cholesky factor.
  static func choleskySolve(_ factor: [Double], order n: Int, _ b: inout [Double]) throws {
    let info = factor.withUnsafeBufferPointer { f in
      b.withUnsafeMutableBufferPointer {
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, upper, Int32(n), 1, f.baseAddress, Int32(n), $0.baseAddress, Int32(n))
      }
    }
    if info != 0 { throw LAPACKError(routine: "dpotrs", info: info) }
  }

  /// A⁻¹ (full symmetric) from A's Cholesky factor.
  static func choleskyInverse(_ factor: [Double], order n: Int) throws -> [Double] {
    var inverse = factor
    let info = inverse.withUnsafeMutableBufferPointer {
      LAPACKE_dpotri(LAPACK_COL_MAJOR, upper, Int32(n), $0.baseAddress, Int32(n))
    }
    if info != 0 { throw LAPACKError(routine: "dpotri", info: info) }
    UpperTriangle.mirror(&inverse, order: n)
    return inverse
  }

  /// Minimum-norm least squares by complete orthogonal factorisation with column pivoting (dgelsy).
  /// `a` (m × n) is overwritten; `b` (max(m, n)) returns the solution in its first n entries.
  /// Returns the numerical rank at reciprocal condition `rcond`.
  static func leastSquares(_ a: inout [Double], rows m: Int, columns n: Int, _ b: inout [Double],
                           rcond: Double) throws -> Int {
    precondition(b.count >= max(m, n), "b must hold max(m, n) values")
    var pivots = [Int32](repeating: 0, count: n)
    var rank: Int32 = 0
    let info = a.withUnsafeMutableBufferPointer { ap in
      b.withUnsafeMutableBufferPointer { bp in
        LAPACKE_dgelsy(LAPACK_COL_MAJOR, Int32(m), Int32(n), 1, ap.baseAddress, Int32(max(m, 1)),
                       bp.baseAddress, Int32(max(m, n, 1)), &pivots, rcond, &rank)
      }
    }
    if info != 0 { throw LAPACKError(routine: "dgelsy", info: info) }
    return Int(rank)
  }

  /// QR with column pivoting of `a` (m × n), in place; returns the pivot order (0-based) and the
  /// diagonal of R, whose magnitudes decrease.
  static func pivotedQR(_ a: inout [Double], rows m: Int, columns n: Int) throws -> (pivots: [Int], rDiagonal: [Double]) {
    var pivots = [Int32](repeating: 0, count: n)
    var tau = [Double](repeating: 0, count: min(m, n))
    let info = a.withUnsafeMutableBufferPointer {
      LAPACKE_dgeqp3(LAPACK_COL_MAJOR, Int32(m), Int32(n), $0.baseAddress, Int32(max(m, 1)), &pivots, &tau)
    }
    if info != 0 { throw LAPACKError(routine: "dgeqp3", info: info) }
    let diagonal = (0..<min(m, n)).map { a[$0 * m + $0] }
    return (pivots.map { Int($0) - 1 }, diagonal)
  }

  /// (XᵀX)⁻¹ = R⁻¹R⁻ᵀ from the QR factorisation of X with unit-norm columns, for designs whose Gram
  /// matrix is too ill-conditioned for Cholesky although X has full column rank.
  static func inverseGramByQR(_ design: DesignMatrix) throws -> [Double] {
    let n = design.rows, p = design.columns
    var a = design.values
    var norms = [Double](repeating: 1, count: p)
    for j in 0..<p {
      var s = 0.0
      for i in 0..<n { s += a[j * n + i] * a[j * n + i] }
      norms[j] = s.squareRoot()
      for i in 0..<n { a[j * n + i] /= norms[j] }
    }
    var tau = [Double](repeating: 0, count: p)
    var info = a.withUnsafeMutableBufferPointer {
      LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(n), Int32(p), $0.baseAddress, Int32(n), &tau)
    }
    if info != 0 { throw LAPACKError(routine: "dgeqrf", info: info) }
    var r = [Double](repeating: 0, count: p * p)
    for j in 0..<p { for i in 0...j { r[j * p + i] = a[j * n + i] } }
    info = r.withUnsafeMutableBufferPointer {
      LAPACKE_dtrtri(LAPACK_COL_MAJOR, upper, noTranspose, Int32(p), $0.baseAddress, Int32(p))
    }
    if info != 0 { throw LAPACKError(routine: "dtrtri", info: info) }
    var inverse = [Double](repeating: 0, count: p * p)
    for i in 0..<p {
      for j in 0..<p {
        var s = 0.0
        for k in max(i, j)..<p { s += r[k * p + i] * r[k * p + j] }
        inverse[j * p + i] = s / (norms[i] * norms[j])
      }
    }
    return inverse
  }

  /// The eigenvalues (ascending) and eigenvectors (columns, column-major) of a symmetric n × n matrix
  /// (LAPACK `dsyev`, from its upper triangle); nil when the iteration fails to converge.
  static func symmetricEigen(_ a: [Double], order n: Int) throws -> (values: [Double], vectors: [Double])? {
    var vectors = a
    var values = [Double](repeating: 0, count: n)
    let info = vectors.withUnsafeMutableBufferPointer {
      LAPACKE_dsyev(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(n), $0.baseAddress,
                    Int32(n), &values)
    }
    if info < 0 { throw LAPACKError(routine: "dsyev", info: info) }
    return info == 0 ? (values, vectors) : nil
  }

  /// Solves the square system A·x = b (LU with partial pivoting); nil when A is exactly singular.
  static func solveSquare(_ a: [Double], order n: Int, _ b: [Double]) throws -> [Double]? {
    var lu = a, x = b
    var pivots = [Int32](repeating: 0, count: n)
    let info = lu.withUnsafeMutableBufferPointer { ap in
      x.withUnsafeMutableBufferPointer { xp in
        LAPACKE_dgesv(LAPACK_COL_MAJOR, Int32(n), 1, ap.baseAddress, Int32(n), &pivots, xp.baseAddress, Int32(n))
      }
    }
    if info < 0 { throw LAPACKError(routine: "dgesv", info: info) }
    return info == 0 ? x : nil
  }
}

/// A LAPACK routine reported an illegal argument or a failure.
package struct LAPACKError: Error, CustomStringConvertible, Sendable {
  /// The routine's name, e.g. `dpotrf`.
  package let routine: String
  /// LAPACK's `info` code.
  package let info: Int32
  /// One line naming the routine and its code.
  package var description: String { "LAPACK \(routine) failed (info = \(info))" }
}
