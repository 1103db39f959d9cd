/// Random elemental subsets: p rows of X that determine β exactly, drawn so that singular subsets never
/// occur ("nonsingular subsampling", Koller 2012, as robustbase's `lmrob` draws them): rows are taken in
/// random order and each is kept only when it is not, to rounding, a combination of those already kept.
/// A design with dummy columns (a column that is 1 in a few rows) then still gets subsets that include
/// those rows, where plain subsampling would draw singular subsets most of the time and discard them.
///
/// The kept rows are orthonormalised as they come (modified Gram–Schmidt, in the columns' own units) for
/// the rank test; β through them is then solved by Gaussian elimination with partial pivoting. Buffers
/// are allocated once; the rows tried are marked by a stamp per row.
///
/// A draw consumes the generator until p rows passed the rank test or the tries ran out; a row that
/// cannot be taken at all (case weight 0, or a zero row: ``CandidateBlock/usableRows``) only counts as
/// tried. So when the rank test rejects nothing, the numbers a draw consumes follow from the row
/// indices alone, which ``skip(_:)`` replays without the arithmetic: the generator states at which the
/// draws of a stream start can be speculated in microseconds, and the draws themselves made in
/// parallel from those states (``CandidateBlock/bestCandidates(in:count:seeds:kept:)``), each checked
/// against the state its predecessor really left.
final class ElementalSubsets {
  let block: CandidateBlock
  /// Orthonormal rows qₖ (p × p, row k at k·p, scaled columns), the subset's p × p system (row k at
  /// k·p) and the row being orthogonalised (then the system's right-hand side and solution): raw buffers
  /// (array writes in these loops would pay uniqueness checks).
  private let basis: UnsafeMutablePointer<Double>
  private let system: UnsafeMutablePointer<Double>
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
    system = .allocate(capacity: p * p)
    system.initialize(repeating: 0, count: p * p)
    candidate = .allocate(capacity: p)
    candidate.initialize(repeating: 0, count: p)
    kept = []
    kept.reserveCapacity(p)
    stamps = .allocate(capacity: block.rows)
    stamps.initialize(repeating: 0)
  }

  deinit {
    basis.deallocate()
    system.deallocate()
    candidate.deallocate()
    stamps.deallocate()
  }

  /// The relative size below which a row's part outside the span of the kept rows counts as 0.
  static let rankTolerance = 1e-7

  /// Distinct rows a draw tries at most before it gives up.
  static func tries(rows n: Int, columns p: Int) -> Int { min(n, max(20 * p, 200)) }

  /// Row i of X in scaled columns (xᵢⱼ/max|xⱼ|) written to `row`, and its Euclidean length: the rank
  /// test's units, and (length > 0) part of whether the row can be drawn at all.
  @inline(__always)
  static func scaledRow(_ i: Int, x: UnsafePointer<Double>, rows n: Int, columns p: Int, scales: [Double],
                        into row: UnsafeMutablePointer<Double>) -> Double {
    var size = 0.0
    for j in 0..<p {
      let v = x[j * n + i] * scales[j]
      row[j] = v
      size += v * v
    }
    return size.squareRoot()
  }

  private func nextStamp() {
    stamp &+= 1
    if stamp == 0 {  // the stamps wrapped: clear them
      for i in stamps.indices { stamps[i] = 0 }
      stamp = 1
    }
  }

  /// Advances `generator` past one draw as ``draw(_:)`` advances it when its rank test rejects no row:
  /// the same row indices, tries and stamps, with every usable row taken. The state it leaves is then
  /// exactly the one ``draw(_:)`` leaves; when the rank test did reject a row, ``draw(_:)`` went on
  /// drawing and the states differ (SplitMix64's state counts the numbers consumed).
  func skip(_ generator: inout SplitMix64) {
    let n = block.rows, p = block.columns, usable = block.usableRows
    nextStamp()
    var tried = 0, taken = 0
    let limit = Self.tries(rows: n, columns: p)
    while taken < p && tried < limit {
      let i = Int(generator.next() % UInt64(n))
      guard stamps[i] != stamp else { continue }
      stamps[i] = stamp
      tried += 1
      if usable[i] { taken += 1 }
    }
  }

  /// The coefficients of the hyperplane through one random nonsingular subset; nil when none was
  /// found within the tries (a design that is rank deficient on all but a few rows).
  func draw(_ generator: inout SplitMix64) -> [Double]? {
    let n = block.rows, p = block.columns, x = block.x.baseAddress!, scales = block.columnScales
    let basis = self.basis, system = self.system, candidate = self.candidate, stamps = self.stamps
    kept.removeAll(keepingCapacity: true)
    nextStamp()
    let usable = block.usableRows
    var tried = 0
    let limit = Self.tries(rows: n, columns: p)
    while kept.count < p && tried < limit {
      let i = Int(generator.next() % UInt64(n))
      guard stamps[i] != stamp else { continue }
      stamps[i] = stamp
      tried += 1
      guard usable[i] else { continue }
      let k = kept.count
      let size = Self.scaledRow(i, x: x, rows: n, columns: p, scales: scales, into: candidate)
      // Modified Gram–Schmidt, repeated when the first pass cancelled more than 1 − 1/√2 of the row
      // ("twice is enough", Parlett–Kahan): most rows of a random subset need one pass.
      var remainder = size
      // (The rows are addressed by pointer: the index t·p + j of each element cost an overflow check
      // that kept these loops from being vectorised.)
      for pass in 0..<2 {
        for t in 0..<k {
          let q = basis + t * p
          var dot = 0.0
          for j in 0..<p { dot += q[j] * candidate[j] }
          for j in 0..<p { candidate[j] -= dot * q[j] }
        }
        let before = remainder
        remainder = 0
        for j in 0..<p { remainder += candidate[j] * candidate[j] }
        remainder = remainder.squareRoot()
        if pass == 0 && remainder * remainder * 2 >= before * before { break }
      }
      guard remainder > Self.rankTolerance * size else { continue }
      let q = basis + k * p
      for j in 0..<p { q[j] = candidate[j] / remainder }
      kept.append(i)
    }
    guard kept.count == p else { return nil }
    // The subset's system by Gaussian elimination with partial pivoting (dgesv's algorithm, on the rows
    // in their own units: data on an exact hyperplane with small integers give its coefficients exactly).
    // Rows are addressed by pointer (an index k·p + j per element cost an overflow check each) and the
    // right-hand side, then β, is worked in `candidate`; the operations and their order are the same.
    let a = system, y = block.y.baseAddress!, beta = candidate
    for k in 0..<p {
      let row = a + k * p, i = kept[k]
      for j in 0..<p { row[j] = x[j * n + i] }
      beta[k] = y[i]
    }
    for column in 0..<p {
      let pivotRow: UnsafeMutablePointer<Double>
      do {
        var pivot = column, largest = abs(a[column * p + column])
        for row in (column + 1)..<p {
          let size = abs(a[row * p + column])
          if size > largest { (pivot, largest) = (row, size) }
        }
        let chosen = a + pivot * p
        guard chosen[column] != 0 else { return nil }
        pivotRow = a + column * p
        if pivot != column {
          for j in 0..<p { (chosen[j], pivotRow[j]) = (pivotRow[j], chosen[j]) }
          (beta[pivot], beta[column]) = (beta[column], beta[pivot])
        }
      }
      for row in (column + 1)..<p {
        let target = a + row * p
        let factor = target[column] / pivotRow[column]
        guard factor != 0 else { continue }
        for j in column..<p { target[j] -= factor * pivotRow[j] }
        beta[row] -= factor * beta[column]
      }
    }
    for k in stride(from: p - 1, through: 0, by: -1) {
      let row = a + k * p
      var sum = beta[k]
      for j in (k + 1)..<p { sum -= row[j] * beta[j] }
      beta[k] = sum / row[k]
    }
    let solution = UnsafeBufferPointer(start: beta, count: p)
    guard solution.allSatisfy(\.isFinite) else { return nil }
    return Array(solution)
  }
}
