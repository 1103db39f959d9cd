import RealModule

/// Portnoy & Koenker's preprocessing (Statistical Science 12, 1997) for the exact L1 fit of many rows:
/// most rows lie far from the optimal hyperplane, and only the side they lie on matters to the
/// optimum, so they need not take part in the simplex walk one by one.
///
/// 1. Fit a subsample of m = ((p + 1)·n)^(2/3) rows exactly (the same fit, recursively).
/// 2. Score every row by |rᵢ|/sᵢ at that fit, sᵢ = √(xᵢᵀ(XᵀX)⁻¹xᵢ) the spread of its fitted value, and
///    keep the 0.8·m rows of the smallest score; the others are *globbed*: those above the fit are held
///    on the side rᵢ > 0, those below on rᵢ < 0.
/// 3. Walk the kept rows to their optimum, with the globbed rows entering the objective as the linear
///    term Σ_globbed wᵢ·sideᵢ·rᵢ (``LeastAbsoluteBasis/Walk/fixedGradient``).
/// 4. Check every globbed row at that optimum. sideᵢ·rᵢ ≤ |rᵢ| for every β, with equality where the side
///    is right, so the reduced objective is a lower bound of Σwᵢ|rᵢ| that touches it at β̂: if no globbed
///    row lies on its wrong side (a residual of 0 is on both), β̂ minimises Σwᵢ|rᵢ| too. Rows found on the
///    wrong side are kept and the walk goes on (up to 3 times while they are fewer than a tenth of the
///    kept rows); otherwise the band is doubled around the latest fit. Should it reach half the rows,
///    the walk finishes on all of them.
/// 5. Prove it on the full data: the walk of ``LeastAbsoluteBasis`` from the reduced optimum's basis and
///    sides over all n rows checks the multipliers (|d_k| ≤ w_k) and would go on walking should they
///    fail — the returned fit carries the same certificate as the plain walk's.
///
/// The sweeps over all n rows (residuals and scores, the globbed rows' gradient, the check) run in
/// the chunks of ``ParallelChunks`` on all cores.
enum LeastAbsolutePreprocessing {
  /// Fewer rows than this are fitted directly (IRLS and the walk): below, the subsample and the kept
  /// band would be most of the data.
  static let smallestRows = 5_000

  /// The subsample size m = ((p + 1)·n)^(2/3) (quantreg's `rq.fit.pfn`).
  static func subsampleRows(rows n: Int, columns p: Int) -> Int {
    Int(Double.pow(Double((p + 1) * n), 2.0 / 3).rounded())
  }

  /// Rows found on the wrong side that are moved into the kept rows before the band is widened
  /// instead: a tenth of the kept rows, and at most this many rounds.
  static let maximumFixups = 3
}

extension FitProblem {
  /// The exact L1 fit by preprocessing (``LeastAbsolutePreprocessing``); nil when the problem is too
  /// small for it (or its subsample cannot be prepared), for the direct fit.
  func preprocessedAbsoluteFinish() throws -> LeastAbsoluteBasis.Finish? {
    let n = design.rows, p = design.columns
    let m = LeastAbsolutePreprocessing.subsampleRows(rows: n, columns: p)
    guard n >= LeastAbsolutePreprocessing.smallestRows, 2 * m <= n else { return nil }
    let subsample = scanSubsample(rows: m)
    guard subsample.design.rows < n else { return nil }
    let start = try subsample.exactAbsoluteFinish().finish
    guard start.coefficients.allSatisfy(\.isFinite) else { return nil }
    var finish = try preprocessedAbsoluteFinish(from: start.coefficients, keeping: Int(0.8 * Double(m))).finish
    finish.steps += start.steps
    return finish
  }

  /// Steps 2–5 of ``LeastAbsolutePreprocessing`` from `start` (any coefficients: the nearer the
  /// optimum, the fewer rows end up on the wrong side), `keep` rows kept at first; with the number of
  /// rounds that kept misplaced rows and of band doublings (0 and 0 when the first band held).
  func preprocessedAbsoluteFinish(from start: [Double], keeping keep: Int) throws
    -> (finish: LeastAbsoluteBasis.Finish, fixups: Int, widenings: Int) {
    let n = design.rows
    var beta = start, steps = 0, fixups = 0, widenings = 0
    let spread = fittedValueSpread()
    // The walks and checks run on y with the tie-breaking perturbations of the finish
    // (``LeastAbsoluteBasis/perturbedResponse(_:residuals:)``): on tied data (integer y, repeated rows)
    // thousands of rows lie on the start's hyperplane, and a reduced walk among them would pivot in
    // place; the certificate at the end is on the exact data.
    let perturbed = LeastAbsoluteBasis.perturbedResponse(response, residuals: design.residuals(response, start))
    let rowsThatCount = caseWeights.map { $0.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } } ?? n
    var keep = max(keep, design.columns)
    while 2 * keep < rowsThatCount {
      var split = AbsoluteSplit(problem: self, response: perturbed, beta: beta, spread: spread, keep: keep)
      for round in 0...LeastAbsolutePreprocessing.maximumFixups {
        guard let reduced = try split.solve(from: beta), reduced.optimal else { break }
        steps += reduced.steps
        beta = reduced.coefficients
        let check = split.misplacedRows(at: beta)
        if check.misplaced.isEmpty {
          guard var finish = try certify(split: split, reduced: reduced, residuals: check.residuals) else { break }
          finish.steps += steps
          return (finish, fixups, widenings)
        }
        if check.misplaced.count > split.kept.count / 10 || round == LeastAbsolutePreprocessing.maximumFixups { break }
        split.admit(check.misplaced)
        fixups += 1
      }
      keep *= 2
      widenings += 1
    }
    // The band reached half the rows: the walk over all of them from the latest fit.
    var finish = try LeastAbsoluteBasis.finish(design: design, response: response, columnMagnitudes: columnMagnitudes,
                                               weights: caseWeights, from: beta)
    finish.steps += steps
    return (finish, fixups, widenings)
  }

  /// The walk over all rows from the reduced optimum: its basis (as rows of the full data) and every
  /// row's side — the globbed rows' from the split, the kept rows' from the reduced walk. It stops at
  /// once when the multipliers hold on the full data (the expected case) and walks on otherwise.
  private func certify(split: AbsoluteSplit, reduced: LeastAbsoluteBasis.Finish, residuals: [Double]) throws
    -> LeastAbsoluteBasis.Finish? {
    var side = split.side.map { Double($0 < 0 ? -1 : 1) }
    for (k, i) in split.kept.enumerated() { side[i] = reduced.side[k] }
    return try LeastAbsoluteBasis.walk(design: design, response: response, columnMagnitudes: columnMagnitudes,
                                       weights: caseWeights, tilt: 0, basis: reduced.basis.map { split.kept[$0] },
                                       side: side, startResiduals: residuals)
  }

  /// sᵢ = √(xᵢᵀ(XᵀX)⁻¹xᵢ) for every row (‖U·xᵢ‖ with (XᵀX)⁻¹ = UᵀU), the spread of the fitted value
  /// xᵢ·β̂ of a fit to the data up to a common factor; 1 for every row should the factorisation fail.
  private func fittedValueSpread() -> [Double] {
    let n = design.rows, p = design.columns
    var upper = inverseGram
    guard (try? LAPACK.choleskyFactor(&upper, order: p)) == true else { return [Double](repeating: 1, count: n) }
    let factor = upper
    var spread = [Double](repeating: 0, count: n)
    let chunks = ParallelChunks.weightedPass(rows: n, columns: p)
    design.values.withUnsafeBufferPointer { xBuffer in
      spread.withUnsafeMutableBufferPointer { sBuffer in
        nonisolated(unsafe) let x = xBuffer.baseAddress!, s = sBuffer.baseAddress!
        ParallelChunks.perform(chunks) { chunk in
          let rows = ParallelChunks.rows(of: chunk, chunks: chunks, total: n)
          let block = 1024
          var t = [Double](repeating: 0, count: block)
          var start = rows.lowerBound
          while start < rows.upperBound {
            let count = min(block, rows.upperBound - start)
            for k in 0..<p {
              // (U·xᵢ)_k = Σ_{j ≥ k} U[k, j]·xᵢⱼ
              for i in 0..<count { t[i] = 0 }
              for j in k..<p {
                let u = factor[j * p + k], column = x + j * n + start
                for i in 0..<count { t[i] += u * column[i] }
              }
              for i in 0..<count { s[start + i] += t[i] * t[i] }
            }
            for i in 0..<count { s[start + i] = s[start + i].squareRoot() }
            start += count
          }
        }
      }
    }
    return spread
  }
}

/// The rows of a preprocessed L1 fit split into those kept for the walk and those globbed on one side
/// (``LeastAbsolutePreprocessing``).
struct AbsoluteSplit {
  let problem: FitProblem
  /// The response the split and its walks use (the problem's, perturbed).
  let response: [Double]
  /// The kept rows, increasing.
  private(set) var kept: [Int]
  /// Per row: +1 globbed above the fit, −1 globbed below, 0 kept (or of case weight 0: in neither).
  private(set) var side: [Int8]
  /// Σ over the globbed rows of wᵢ·sideᵢ·xᵢ.
  private(set) var gradient: [Double]

  /// About `keep` rows of positive weight around the fit `beta`, the middle ones by rᵢ/sᵢ, and every
  /// row on the fit; the others globbed below or above.
  init(problem: FitProblem, response: [Double], beta: [Double], spread: [Double], keep: Int) {
    self.problem = problem
    self.response = response
    let design = problem.design, weights = problem.caseWeights
    let n = design.rows
    var residuals = design.residuals(response, beta)
    // A row on the fit (to rounding) can lie on either side at the optimum (with ties, many rows do,
    // and the rows above and below then differ in number by up to theirs): never globbed.
    let bound = ExactFit.roundingBound(beta: beta, columnMagnitudes: problem.columnMagnitudes)
    for i in 0..<n where residuals[i] != 0
      && ExactFit.isOnFit(row: i, design: design, response: response, beta: beta, residual: residuals[i],
                          bound: bound) {
      residuals[i] = 0
    }
    // Signed scores rᵢ/sᵢ; the band between the ranks (c − keep)/2 and (c + keep)/2 of the c rows of
    // positive weight, as quantreg's quantiles at τ ± M/(2n): as many rows globbed below as above, so
    // the reduced problem stays bounded wherever the rows on the fit put the median.
    var score = [Double](repeating: 0, count: n)
    var candidates: [Double] = []
    candidates.reserveCapacity(n)
    for i in 0..<n where (weights?[i] ?? 1) > 0 {
      let r = residuals[i]
      score[i] = r == 0 ? 0 : (spread[i] > 0 ? r / spread[i] : (r > 0 ? .infinity : -.infinity))
      candidates.append(score[i])
    }
    let c = candidates.count, wanted = min(keep, c)
    let lowRank = max(0, (c - wanted) / 2), highRank = min(c - 1, lowRank + wanted - 1)
    var lower = Double.infinity, upper = -Double.infinity
    if wanted > 0 {
      var copy = candidates
      lower = copy.withUnsafeMutableBufferPointer { Selection.select($0, rank: lowRank) }
      upper = candidates.withUnsafeMutableBufferPointer { Selection.select($0, rank: highRank) }
    }
    var kept: [Int] = []
    kept.reserveCapacity(wanted)
    var side = [Int8](repeating: 0, count: n)
    for i in 0..<n where (weights?[i] ?? 1) > 0 {
      if residuals[i] == 0 || (score[i] >= lower && score[i] <= upper) {
        kept.append(i)
      } else {
        side[i] = score[i] < lower ? -1 : 1
      }
    }
    self.kept = kept
    self.side = side
    gradient = Self.gradient(design: design, weights: weights, side: side)
  }

  /// Σᵢ wᵢ·sideᵢ·xᵢ, column by column in the chunks of ``ParallelChunks`` (added in chunk order).
  private static func gradient(design: DesignMatrix, weights: [Double]?, side: [Int8]) -> [Double] {
    let n = design.rows, p = design.columns
    let chunks = ParallelChunks.weightedPass(rows: n, columns: p)
    var partial = [Double](repeating: 0, count: chunks * p)
    design.values.withUnsafeBufferPointer { xBuffer in
      side.withUnsafeBufferPointer { sideBuffer in
        partial.withUnsafeMutableBufferPointer { pBuffer in
          nonisolated(unsafe) let x = xBuffer.baseAddress!, s = sideBuffer.baseAddress!, out = pBuffer.baseAddress!
          ParallelChunks.perform(chunks) { chunk in
            let rows = ParallelChunks.rows(of: chunk, chunks: chunks, total: n)
            var coefficient = [Double](repeating: 0, count: rows.count)
            for (k, i) in rows.enumerated() { coefficient[k] = Double(s[i]) * (weights?[i] ?? 1) }
            for j in 0..<p {
              let column = x + j * n + rows.lowerBound
              var sum = 0.0
              for k in 0..<rows.count { sum += coefficient[k] * column[k] }
              out[chunk * p + j] = sum
            }
          }
        }
      }
    }
    var total = [Double](repeating: 0, count: p)
    for chunk in 0..<chunks { for j in 0..<p { total[j] += partial[chunk * p + j] } }
    return total
  }

  /// The walk over the kept rows, the globbed ones a linear term, from the basis of `start`'s smallest
  /// residuals among the kept rows; nil when they hold no p independent rows.
  func solve(from start: [Double]) throws -> LeastAbsoluteBasis.Finish? {
    let design = problem.design.selectingRows(kept)
    let response = kept.map { self.response[$0] }
    let weights = problem.caseWeights.map { w in kept.map { w[$0] } }
    let r0 = design.residuals(response, start)
    guard let basis = LeastAbsoluteBasis.initialBasis(design: design, residuals: r0, weights: weights) else { return nil }
    return try LeastAbsoluteBasis.walk(design: design, response: response, columnMagnitudes: problem.columnMagnitudes,
                                       weights: weights, tilt: 0, basis: basis, side: r0.map { $0 < 0 ? -1 : 1 },
                                       startResiduals: r0, fixedGradient: gradient)
  }

  /// The globbed rows on the wrong side of the fit `beta` (a residual that is 0 up to the rounding of
  /// its evaluation lies on both sides), and the residuals of all rows.
  func misplacedRows(at beta: [Double]) -> (misplaced: [Int], residuals: [Double]) {
    let design = problem.design
    let residuals = design.residuals(response, beta)
    let bound = ExactFit.roundingBound(beta: beta, columnMagnitudes: problem.columnMagnitudes)
    var misplaced: [Int] = []
    for i in residuals.indices where side[i] != 0 && Double(side[i]) * residuals[i] < 0
      && !ExactFit.isOnFit(row: i, design: design, response: response, beta: beta, residual: residuals[i],
                           bound: bound) {
      misplaced.append(i)
    }
    return (misplaced, residuals)
  }

  /// Moves `rows` (globbed) into the kept rows.
  mutating func admit(_ rows: [Int]) {
    let p = problem.design.columns
    for i in rows {
      let w = Double(side[i]) * (problem.caseWeights?[i] ?? 1)
      for j in 0..<p { gradient[j] -= w * problem.design[i, j] }
      side[i] = 0
    }
    kept = (kept + rows).sorted()
  }
}
