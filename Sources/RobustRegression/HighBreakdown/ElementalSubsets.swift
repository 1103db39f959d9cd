/// Random elemental subsets: p rows of X that determine β exactly, drawn so that singular subsets never
/// occur ("nonsingular subsampling", Koller 2012, as robustbase's `lmrob` draws them): rows are taken in
/// random order and each is kept only when it is not, to rounding, a combination of those already kept.
/// A design with dummy columns (a column that is 1 in a few rows) then still gets subsets that include
/// those rows, where plain subsampling would draw singular subsets most of the time and discard them.
///
/// The kept rows are orthonormalised as they come (modified Gram–Schmidt, twice, in the columns' own
/// units): with the rows xₖ = Σⱼ≤ₖ Lₖⱼ qⱼ, the β through them is Σⱼ aⱼ qⱼ with L·a = y of the kept rows,
/// a forward substitution (the QR solve of the subset, no further factorisation). Buffers are allocated
/// once; the rows tried are marked by a stamp per row.
final class ElementalSubsets {
  let block: CandidateBlock
  /// Orthonormal rows qₖ (p × p, row k at k·p, scaled columns), the triangle L (row k at k·p) and the
  /// row being orthogonalised: raw buffers (array writes in these loops would pay uniqueness checks).
  private let basis: UnsafeMutablePointer<Double>
  private let lower: UnsafeMutablePointer<Double>
  private let candidate: UnsafeMutablePointer<Double>
  private var kept: [Int]
  /// Row i was tried in the current draw when stamps[i] == stamp.
  private let stamps: UnsafeMutableBufferPointer<UInt32>
  private var stamp: UInt32 = 0

  init(block: CandidateBlock) {
    self.block = block
    let p = block.columns
    basis = .allocate(capacity: p * p)
    basis.initialize(repeating: 0, count: p * p)
    lower = .allocate(capacity: p * p)
    lower.initialize(repeating: 0, count: p * p)
    candidate = .allocate(capacity: p)
    candidate.initialize(repeating: 0, count: p)
    kept = []
    kept.reserveCapacity(p)
    stamps = .allocate(capacity: block.rows)
    stamps.initialize(repeating: 0)
  }

  deinit {
    basis.deallocate()
    lower.deallocate()
    candidate.deallocate()
    stamps.deallocate()
  }

  /// The relative size below which a row's part outside the span of the kept rows counts as 0.
  static let rankTolerance = 1e-7

  /// The coefficients of the hyperplane through one random nonsingular subset; nil when none was
  /// found within the tries (a design that is rank deficient on all but a few rows).
  func draw(_ generator: inout SplitMix64) -> [Double]? {
    let n = block.rows, p = block.columns, x = block.x.baseAddress!, scales = block.columnScales
    let basis = self.basis, lower = self.lower, candidate = self.candidate, stamps = self.stamps
    kept.removeAll(keepingCapacity: true)
    stamp &+= 1
    if stamp == 0 {  // the stamps wrapped: clear them
      for i in stamps.indices { stamps[i] = 0 }
      stamp = 1
    }
    var tried = 0
    let limit = min(n, max(20 * p, 200))
    while kept.count < p && tried < limit {
      let i = Int(generator.next() % UInt64(n))
      guard stamps[i] != stamp else { continue }
      stamps[i] = stamp
      tried += 1
      guard (block.caseWeights?[i] ?? 1) > 0 else { continue }
      let k = kept.count
      var size = 0.0
      for j in 0..<p {
        let v = x[j * n + i] * scales[j]
        candidate[j] = v
        size += v * v
      }
      size = size.squareRoot()
      guard size > 0 else { continue }
      for t in 0..<k {  // modified Gram–Schmidt, twice for stability
        var total = 0.0
        for _ in 0..<2 {
          var dot = 0.0
          for j in 0..<p { dot += basis[t * p + j] * candidate[j] }
          for j in 0..<p { candidate[j] -= dot * basis[t * p + j] }
          total += dot
        }
        lower[k * p + t] = total
      }
      var remainder = 0.0
      for j in 0..<p { remainder += candidate[j] * candidate[j] }
      remainder = remainder.squareRoot()
      guard remainder > Self.rankTolerance * size else { continue }
      for j in 0..<p { basis[k * p + j] = candidate[j] / remainder }
      lower[k * p + k] = remainder
      kept.append(i)
    }
    guard kept.count == p else { return nil }
    // L·a = y of the kept rows, then β̃ = Σ aₖqₖ in scaled columns, βⱼ = β̃ⱼ·scaleⱼ.
    var a = [Double](repeating: 0, count: p)
    for k in 0..<p {
      var sum = block.y[kept[k]]
      for t in 0..<k { sum -= lower[k * p + t] * a[t] }
      a[k] = sum / lower[k * p + k]
    }
    var beta = [Double](repeating: 0, count: p)
    for k in 0..<p { for j in 0..<p { beta[j] += a[k] * basis[k * p + j] } }
    for j in 0..<p { beta[j] *= scales[j] }
    guard beta.allSatisfy(\.isFinite) else { return nil }
    return beta
  }
}
