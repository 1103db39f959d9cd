/// Random elemental subsets: p rows of X that determine β exactly, drawn so that singular subsets never
/// occur ("nonsingular subsampling", Koller 2012, as robustbase's `lmrob` draws them): rows are taken in
/// random order and each is kept only when it is not, to rounding, a combination of those already kept.
/// A design with dummy columns (a column that is 1 in a few rows) then still gets subsets that include
/// those rows, where plain subsampling would draw singular subsets most of the time and discard them.
struct ElementalSubsets {
  let design: DesignMatrix
  let response: [Double]
  /// 1 / max|xᵢⱼ| per column: the rank test compares rows in the columns' own units.
  let columnScales: [Double]
  var generator: SplitMix64

  /// Case weights: rows of weight 0 are never drawn.
  let weights: [Double]?

  init(design: DesignMatrix, response: [Double], columnMagnitudes: [Double], seed: UInt64, weights: [Double]? = nil) {
    self.weights = weights
    self.design = design
    self.response = response
    columnScales = columnMagnitudes.map { $0 > 0 ? 1 / $0 : 1 }
    generator = SplitMix64(seed: seed)
  }

  /// The relative size below which a row's part outside the span of the kept rows counts as 0.
  static let rankTolerance = 1e-7

  /// The coefficients of the hyperplane through one random nonsingular subset; nil when none was
  /// found within the tries (a design that is rank deficient on all but a few rows).
  mutating func draw() throws -> [Double]? {
    let n = design.rows, p = design.columns
    var kept: [Int] = []
    var basis: [[Double]] = []  // orthonormal rows, scaled columns
    var tried = Set<Int>()
    let limit = min(n, max(20 * p, 200))
    while kept.count < p && tried.count < limit {
      let i = Int(generator.next() % UInt64(n))
      guard tried.insert(i).inserted, (weights?[i] ?? 1) > 0 else { continue }
      var v = (0..<p).map { design.values[$0 * n + i] * columnScales[$0] }
      let size = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard size > 0 else { continue }
      for q in basis {  // modified Gram–Schmidt, twice for stability
        for _ in 0..<2 {
          var dot = 0.0
          for j in 0..<p { dot += q[j] * v[j] }
          for j in 0..<p { v[j] -= dot * q[j] }
        }
      }
      let remainder = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard remainder > Self.rankTolerance * size else { continue }
      basis.append(v.map { $0 / remainder })
      kept.append(i)
    }
    guard kept.count == p else { return nil }
    var a = [Double](repeating: 0, count: p * p)
    for (k, i) in kept.enumerated() { for j in 0..<p { a[j * p + k] = design.values[j * n + i] } }
    return try LAPACK.solveSquare(a, order: p, kept.map { response[$0] })
  }
}
