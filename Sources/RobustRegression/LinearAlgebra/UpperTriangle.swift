/// The upper triangle of a symmetric column-major matrix, which is the half the Gram kernels, dsyrk and
/// LAPACK's Cholesky routines (`uplo` = U) read and write: element (row j, column k), j ≤ k, sits at
/// `k · leadingDimension + j`.
enum UpperTriangle {
  /// `total` += the upper triangle of `part` (order p, leading dimension `leadingDimension` ≥ p; `total`
  /// has leading dimension p): one chunk's contribution to a deterministic reduction, which callers make
  /// in chunk order. The lower triangle of `total` is left alone.
  static func add(_ part: UnsafePointer<Double>, leadingDimension: Int, into total: inout [Double], order p: Int) {
    for k in 0..<p {
      for j in 0...k { total[k * p + j] += part[k * leadingDimension + j] }
    }
  }

  /// Copies the upper triangle of `matrix` (order n, leading dimension n) onto its lower triangle, so
  /// that every element holds the symmetric matrix.
  static func mirror(_ matrix: inout [Double], order n: Int) {
    for k in 0..<n {
      for j in 0..<k { matrix[j * n + k] = matrix[k * n + j] }
    }
  }
}
