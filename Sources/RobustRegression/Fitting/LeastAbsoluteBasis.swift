/// The exact finish of the L1 fit: from coefficients near the optimum, a simplex walk over bases of p
/// interpolated rows (Barrodale–Roberts steps: a line search along an edge that passes every breakpoint
/// where the objective still falls) until the multipliers of the basis rows prove optimality.
///
/// The same walk minimises the check loss Σwᵢ·ρ_τ(rᵢ), ρ_τ(r) = r·(τ − 1{r < 0}), of quantile regression
/// at any τ in (0, 1) (``quantile(design:response:columnMagnitudes:weights:tau:from:)``): the fits at
/// τ ± h of the nid standard errors. τ = 1/2 is the L1 fit itself (2ρ_{1/2}(r) = |r|), bit for bit.
///
/// Tied data (integer x and y, repeated rows) make the optimal vertex degenerate: many more than p rows
/// lie on it, and a walk on the data as they are can pivot among those rows without moving for as long
/// as it likes (each pivot costs O(n log n), and the number of bases at the vertex grows with the ties).
/// The finish therefore walks on the exact data only until its first degenerate pivot; from there it
/// walks on a copy of y with tiny deterministic perturbations (which leave no two rows on the same
/// vertex, so every step moves and lowers the objective), and finally re-solves the basis it reached on
/// the exact data and proves optimality there. The perturbed basis is optimal for the exact data when
/// the perturbations change the sign of no residual that is non-zero at the exact optimum; should one
/// do so, the exact walk goes on from that basis.
enum LeastAbsoluteBasis {
  struct Finish {
    var coefficients: [Double]
    var steps: Int
    var optimal: Bool
    /// The interpolated rows the walk ended at (empty when it never started).
    var basis: [Int] = []
    /// The side (±1) of every row at the end, as ``Walk/side``: what a walk on a larger problem
    /// containing these rows starts from (``FitProblem/preprocessedAbsoluteFinish()``).
    var side: [Double] = []
  }

  /// How a walk ended.
  enum WalkEnd {
    /// The multipliers prove optimality.
    case optimal
    /// A pivot did not move β (and the walk was asked to stop there).
    case degenerate
    /// The step limit, or a basis that could not be solved.
    case stalled
  }

  /// From coefficients near the L1 optimum: take the p rows with the smallest |r| that give a
  /// nonsingular basis, interpolate them, and walk (see the type's comment).
  /// `columnMagnitudes` holds max|xⱼ| per column (``FitProblem/columnMagnitudes``).
  static func finish(design: DesignMatrix, response: [Double], columnMagnitudes: [Double],
                     weights: [Double]? = nil, from start: [Double]) throws -> Finish {
    try quantile(design: design, response: response, columnMagnitudes: columnMagnitudes, weights: weights,
                 tau: 0.5, from: start)
  }

  /// The quantile-regression fit at `tau` in (0, 1), minimising Σwᵢ·ρ_τ(rᵢ), by the walk of ``finish``
  /// from `start` (any coefficients: the walk is an exact simplex method; the nearer the optimum, the
  /// fewer its steps).
  static func quantile(design: DesignMatrix, response: [Double], columnMagnitudes: [Double],
                       weights: [Double]? = nil, tau: Double, from start: [Double]) throws -> Finish {
    let r0 = design.residuals(response, start)
    let unfinished = Finish(coefficients: start, steps: 0, optimal: false)
    guard let basis = initialBasis(design: design, residuals: r0, weights: weights) else { return unfinished }
    // The side of every non-basis row: sign(rᵢ) when rᵢ ≠ 0; first the sign of its start residual.
    return try walk(design: design, response: response, columnMagnitudes: columnMagnitudes, weights: weights,
                    tilt: 2 * tau - 1, basis: basis, side: r0.map { $0 < 0 ? -1 : 1 }, startResiduals: r0)
      ?? unfinished
  }

  /// The walk from `basis` with the rows on `side` (the side of a row whose residual is not 0 is its
  /// sign, whatever is given) to a certified optimum: exact until its first degenerate pivot, then past
  /// the ties (``detourPastTies(from:startResiduals:limit:)``). `startResiduals` sets the size of the
  /// detour's perturbations. `fixedGradient` is Σwᵢ(sideᵢ + c)·xᵢ of rows outside the design whose sides
  /// are held fixed (the globbed rows of ``FitProblem/preprocessedAbsoluteFinish()``): the walk then
  /// minimises Σwᵢ·(|rᵢ| + c·rᵢ) over the design's rows plus that linear term. Nil when `basis` is
  /// singular.
  static func walk(design: DesignMatrix, response: [Double], columnMagnitudes: [Double], weights: [Double]?,
                   tilt: Double, basis: [Int], side: [Double], startResiduals r0: [Double],
                   fixedGradient: [Double]? = nil) throws -> Finish? {
    let limit = 50 * design.rows + 100
    guard var walk = try Walk(design: design, response: response, columnMagnitudes: columnMagnitudes, weights: weights,
                              tilt: tilt, basis: basis, side: side, fixedGradient: fixedGradient)
    else { return nil }
    var end = try walk.run(limit: limit, stopAtDegenerateStep: true)
    if end == .degenerate {
      walk = try detourPastTies(from: walk, startResiduals: r0, limit: limit)
      end = try walk.run(limit: limit, stopAtDegenerateStep: false)
    }
    return Finish(coefficients: walk.beta, steps: walk.steps, optimal: end == .optimal, basis: walk.basis,
                  side: walk.side)
  }

  /// From the first degenerate pivot of the exact walk: a walk on the perturbed response
  /// (``perturbedResponse(_:residuals:)``) from its basis and sides, and back on the exact data at the
  /// basis that walk reached, with the steps of both counted. `exact` itself where a basis cannot be
  /// solved.
  private static func detourPastTies(from exact: Walk, startResiduals r0: [Double], limit: Int) throws -> Walk {
    let design = exact.design, response = exact.response, columnMagnitudes = exact.columnMagnitudes
    let perturbed = perturbedResponse(response, residuals: r0)
    guard var tieFree = try Walk(design: design, response: perturbed, columnMagnitudes: columnMagnitudes,
                                 weights: exact.weights, tilt: exact.tilt, basis: exact.basis, side: exact.side,
                                 fixedGradient: exact.fixedGradient)
    else { return exact }
    _ = try tieFree.run(limit: limit - exact.steps, stopAtDegenerateStep: false)
    guard var back = try Walk(design: design, response: response, columnMagnitudes: columnMagnitudes,
                              weights: exact.weights, tilt: exact.tilt, basis: tieFree.basis, side: tieFree.side,
                              fixedGradient: exact.fixedGradient)
    else { return exact }
    back.steps = exact.steps + tieFree.steps
    return back
  }

  /// Greedy independent rows in order of increasing |r|, by incremental Gram–Schmidt on the rows (rows
  /// of case weight 0 never: they do not count in the objective); nil when fewer than p independent
  /// rows exist.
  static func initialBasis(design: DesignMatrix, residuals r0: [Double], weights: [Double]? = nil) -> [Int]? {
    let n = design.rows, p = design.columns
    let order = (0..<n).filter { (weights?[$0] ?? 1) > 0 }.sorted { abs(r0[$0]) < abs(r0[$1]) }
    var basis: [Int] = []
    var orthonormal: [[Double]] = []
    for i in order where basis.count < p {
      var v = (0..<p).map { design[i, $0] }
      let norm0 = (v.reduce(0) { $0 + $1 * $1 }).squareRoot()
      guard norm0 > 0 else { continue }
      for q in orthonormal {
        let dot = zip(v, q).reduce(0) { $0 + $1.0 * $1.1 }
        for k in 0..<p { v[k] -= dot * q[k] }
      }
      let norm = (v.reduce(0) { $0 + $1 * $1 }).squareRoot()
      guard norm > 1e-10 * norm0 else { continue }
      orthonormal.append(v.map { $0 / norm })
      basis.append(i)
    }
    return basis.count == p ? basis : nil
  }

  /// y plus deterministic perturbations uniform in ±ε, ε = 2⁻³⁰ of the start's mean |r| (a size far
  /// below the data's residuals and far above their rounding), or 2⁻⁴⁰·max|y| when that is larger.
  static func perturbedResponse(_ response: [Double], residuals: [Double]) -> [Double] {
    let meanAbsolute = residuals.reduce(0) { $0 + abs($1) } / Double(max(residuals.count, 1))
    let largest = response.reduce(0) { max($0, abs($1)) }
    let epsilon = max(0x1p-30 * meanAbsolute, 0x1p-40 * largest, .leastNormalMagnitude)
    var generator = SplitMix64(seed: 0x11_DE6E_4E7A7E)
    return response.map { y in
      let unit = Double(generator.next() >> 11) * 0x1p-53  // [0, 1)
      return y + epsilon * (2 * unit - 1)
    }
  }

  /// One simplex walk over the bases of p interpolated rows, on the given response, for the objective
  /// Σwᵢ·(|rᵢ| + c·rᵢ) = 2Σwᵢ·ρ_τ(rᵢ) with the tilt c = 2τ − 1 (wᵢ the case weights, 1 without them; c = 0
  /// is the L1 objective Σwᵢ|rᵢ|).
  ///
  /// The certificate is |d_k − c·w_k| ≤ w_k for the k-th basis row, where X_Bᵀd = −Σ_{i∉B} wᵢ·(sideᵢ + c)·xᵢ:
  /// moving the k-th basis row off its residual 0 along δ (X_B·δ = σ·e_k, so r_k = −tσ and the other
  /// basis residuals stay 0) changes the non-basis part of the objective at the rate
  /// −Σ_{i∉B} wᵢ(sideᵢ + c)·xᵢ·δ = dᵀX_B·δ = σ·d_k and the row's own term w_k(|r_k| + c·r_k) at the rate
  /// w_k(1 − c·σ): in all w_k + σ·(d_k − c·w_k), which σ = −sign(d_k − c·w_k) makes negative exactly when
  /// |d_k − c·w_k| > w_k. (In τ's terms: optimal when every d_k/2 lies in [(τ − 1)·w_k, τ·w_k], the dual
  /// feasibility of quantile regression's LP.) The linear term c·r has no kink, so each breakpoint of the
  /// line search still adds 2wᵢ|xᵢ·δ| to the slope, whatever τ.
  struct Walk {
    let design: DesignMatrix
    let response: [Double]
    /// The case weights; nil for 1 each.
    let weights: [Double]?
    /// c = 2τ − 1: 0 for the L1 fit (τ = 1/2).
    let tilt: Double
    /// Σwᵢ(sideᵢ + c)·xᵢ over rows outside the design held on fixed sides (nil for none): a linear term
    /// of the objective, added to the multipliers' right-hand side (it has no breakpoints).
    let fixedGradient: [Double]?
    /// The interpolated rows.
    private(set) var basis: [Int]
    /// The side (±1) of every row: sign(rᵢ) when rᵢ ≠ 0. A row with rᵢ = 0 exactly (a degenerate vertex:
    /// more than p rows interpolated) keeps the side it was assigned — the side it was given, the side
    /// it left the basis on, or the flip of a breakpoint passed at t = 0 — and enters the multipliers
    /// with it, so the certificate |d| ≤ 1 is a valid subgradient certificate at degenerate vertices too.
    private(set) var side: [Double]
    /// The basis rows as a p × p matrix (row k = x of basis[k]).
    private var basisMatrix: [Double]
    /// The coefficients interpolating the basis rows.
    private(set) var beta: [Double]
    /// Steps made.
    var steps = 0
    /// Consecutive pivots that did not move β.
    private var degenerateRun = 0
    /// max|xⱼ| per column, for the screened rounding test of `roundedResiduals`.
    let columnMagnitudes: [Double]

    /// A walk at `basis`; nil when the basis rows are singular.
    init?(design: DesignMatrix, response: [Double], columnMagnitudes: [Double], weights: [Double]? = nil,
          tilt: Double = 0, basis: [Int], side: [Double], fixedGradient: [Double]? = nil) throws {
      self.design = design
      self.weights = weights
      self.tilt = tilt
      self.fixedGradient = fixedGradient
      self.columnMagnitudes = columnMagnitudes
      self.response = response
      self.basis = basis
      self.side = side
      basisMatrix = Self.matrix(design, basis)
      guard let beta = try LAPACK.solveSquare(basisMatrix, order: design.columns, basis.map { response[$0] })
      else { return nil }
      self.beta = beta
    }

    static func matrix(_ design: DesignMatrix, _ rows: [Int]) -> [Double] {
      let p = design.columns
      var m = [Double](repeating: 0, count: p * p)
      for (k, i) in rows.enumerated() { for j in 0..<p { m[j * p + k] = design[i, j] } }
      return m
    }

    /// Walks until the multipliers prove optimality, `steps` reaches `limit`, or (when asked) a pivot
    /// does not move β.
    mutating func run(limit: Int, stopAtDegenerateStep: Bool) throws -> WalkEnd {
      let n = design.rows, p = design.columns
      while steps < limit {
        let r = roundedResiduals()
        var inBasis = [Bool](repeating: false, count: n)
        for i in basis { inBasis[i] = true }
        for i in 0..<n where r[i] != 0 { side[i] = r[i] > 0 ? 1 : -1 }
        // Multipliers: X_Bᵀ·d = −g with g = Σ_{i∉B} wᵢ(sideᵢ + c)·xᵢ, shifted by −c·w_k (exactly d at c = 0).
        guard let raw = try multipliers(inBasis: inBasis) else { return .stalled }
        let d = tilt == 0 ? raw : (0..<p).map { raw[$0] - tilt * weight(basis[$0]) }
        let candidates = (0..<p).filter { abs(d[$0]) > weight(basis[$0]) * (1 + 1e-12) }
        if candidates.isEmpty { return .optimal }
        let leaving = leavingPosition(among: candidates, multipliers: d)
        // Direction keeping the other basis rows interpolated: X_B·δ = σ·e_leaving, σ = −sign(d).
        var e = [Double](repeating: 0, count: p)
        e[leaving] = d[leaving] > 0 ? -1 : 1
        guard let delta = try LAPACK.solveSquare(basisMatrix, order: p, e) else { return .stalled }
        guard let (entering, t) = ratioTest(residuals: r, inBasis: inBasis, direction: delta,
                                            slope: weight(basis[leaving]) - abs(d[leaving]))
        else { return .stalled }
        if t == 0 && stopAtDegenerateStep { return .degenerate }
        try pivot(leaving: leaving, multiplier: d[leaving], entering: entering, step: t, direction: delta)
      }
      return .stalled
    }

    /// Row i's case weight (1 without weights).
    private func weight(_ i: Int) -> Double { weights?[i] ?? 1 }

    /// The basis position whose row leaves, among those whose multiplier exceeds its row's weight in
    /// magnitude: the largest excess first; after a run of degenerate steps, Bland's rule (smallest row index) so
    /// that the pivots cannot cycle among the interpolated rows.
    private func leavingPosition(among candidates: [Int], multipliers d: [Double]) -> Int {
      degenerateRun > design.columns
        ? candidates.min { basis[$0] < basis[$1] }!
        : candidates.max { abs(d[$0]) - weight(basis[$0]) < abs(d[$1]) - weight(basis[$1]) }!
    }

    /// Moves β by `t`·δ and swaps the row at basis position `leaving` (multiplier `d`) for `entering`.
    private mutating func pivot(leaving: Int, multiplier d: Double, entering: Int, step t: Double,
                                direction delta: [Double]) throws {
      let p = design.columns
      for j in 0..<p { beta[j] += t * delta[j] }
      // The leaving row's residual becomes −t·σ: it leaves on the side of d.
      side[basis[leaving]] = d > 0 ? 1 : -1
      degenerateRun = t == 0 ? degenerateRun + 1 : 0
      basis[leaving] = entering
      basisMatrix = Self.matrix(design, basis)
      // Re-solve the interpolation exactly to keep rounding from accumulating.
      if let exact = try LAPACK.solveSquare(basisMatrix, order: p, basis.map { response[$0] }) { beta = exact }
      steps += 1
    }

    /// y − X·β, with the residuals that are 0 up to the rounding of their evaluation
    /// (``ExactFit/isOnFit(row:design:response:beta:residual:)``) set to 0: rows that lie on the
    /// vertex in exact arithmetic keep their assigned side instead of one drawn from rounding noise.
    private func roundedResiduals() -> [Double] {
      var r = design.residuals(response, beta)
      let bound = ExactFit.roundingBound(beta: beta, columnMagnitudes: columnMagnitudes)
      for i in r.indices where r[i] != 0
        && ExactFit.isOnFit(row: i, design: design, response: response, beta: beta, residual: r[i], bound: bound) {
        r[i] = 0
      }
      return r
    }

    /// d with X_Bᵀ·d = −Σ_{i∉B} wᵢ(sideᵢ + c)·xᵢ − (the fixed gradient); nil when the basis is singular.
    private func multipliers(inBasis: [Bool]) throws -> [Double]? {
      let n = design.rows, p = design.columns
      var g = fixedGradient ?? [Double](repeating: 0, count: p)
      // Column by column (contiguous), each column's sum in row order.
      var weighted = [Double](repeating: 0, count: n)
      for i in 0..<n where !inBasis[i] { weighted[i] = (tilt == 0 ? side[i] : side[i] + tilt) * weight(i) }
      design.values.withUnsafeBufferPointer { x in
        for j in 0..<p {
          var sum = g[j]
          let column = x.baseAddress! + j * n
          for i in 0..<n where !inBasis[i] { sum += weighted[i] * column[i] }
          g[j] = sum
        }
      }
      var transposed = [Double](repeating: 0, count: p * p)
      for a in 0..<p { for b in 0..<p { transposed[b * p + a] = basisMatrix[a * p + b] } }
      return try LAPACK.solveSquare(transposed, order: p, g.map { -$0 })
    }

    /// The line search along β + tδ. Row i changes side at tᵢ = rᵢ/(xᵢ·δ) when sideᵢ·xᵢ·δ > 0 (tᵢ = 0
    /// for a row interpolated already). The slope starts at w_k − |d_k − c·w_k| < 0 and each breakpoint adds
    /// 2|xᵢ·δ|; the step ends at the breakpoint where it turns non-negative, whose row enters the
    /// basis. The rows passed before it cross to the other side; those passed at t = 0 keep r = 0, so
    /// their side is flipped here. Nil when no breakpoint lies ahead.
    private mutating func ratioTest(residuals r: [Double], inBasis: [Bool], direction delta: [Double],
                                    slope start: Double) -> (entering: Int, t: Double)? {
      let xd = design.multiplied(by: delta)
      var breaks: [Breakpoint] = []
      for i in 0..<design.rows where !inBasis[i] && side[i] * xd[i] > 0 && weight(i) > 0 {
        breaks.append(Breakpoint(t: max(0, r[i] / xd[i]), i: i, rise: 2 * weight(i) * abs(xd[i])))
      }
      guard !breaks.isEmpty else { return nil }
      let (chosen, crossed) = Self.crossing(&breaks, slope: start)
      // Past every breakpoint the objective still falls: with a fixed gradient the reduced problem is
      // unbounded along this edge (without one only rounding can do this, and the last breakpoint is
      // taken).
      if !crossed && fixedGradient != nil { return nil }
      for k in 0..<chosen { side[breaks[k].i] = -side[breaks[k].i] }
      return (breaks[chosen].i, breaks[chosen].t)
    }

    /// A breakpoint of the line search: row i changes side at t, where the slope rises by `rise`.
    struct Breakpoint {
      var t: Double
      var i: Int
      var rise: Double
      /// The order the line search passes them in: by t, then by row.
      func precedes(_ other: Breakpoint) -> Bool { t < other.t || (t == other.t && i < other.i) }
    }

    /// The position k of the breakpoint where the slope, starting at `slope` and passing the
    /// breakpoints in order, turns non-negative (the last one, and `crossed` false, when it never does), with `breaks`
    /// reordered so that breaks[0..<k] are exactly the breakpoints passed before it. Up to 512 they
    /// are sorted and the slope summed in order (the walk of small problems is unchanged by the
    /// selection); beyond, quickselect-style partitions around a median-of-three pivot narrow the
    /// range holding the crossing while summing the rises of whole parts (O(n) expected instead of a
    /// sort; the slope's sums differ from the in-order sums only in their rounding).
    static func crossing(_ breaks: inout [Breakpoint], slope start: Double) -> (position: Int, crossed: Bool) {
      breaks.withUnsafeMutableBufferPointer { b in
        var lo = 0, hi = b.count, slope = start
        // Partitions enough for a balanced split many times over; then the sort (O(n log n) at worst).
        var budget = 2 * (Int.bitWidth - b.count.leadingZeroBitCount) + 8
        while hi - lo > 512 && budget > 0 {
          budget -= 1
          let mid = lo + (hi - lo) / 2
          let (first, middle, last) = (b[lo], b[mid], b[hi - 1])
          let pivotPosition = first.precedes(middle)
            ? (middle.precedes(last) ? mid : (first.precedes(last) ? hi - 1 : lo))
            : (first.precedes(last) ? lo : (middle.precedes(last) ? hi - 1 : mid))
          b.swapAt(pivotPosition, hi - 1)
          let pivot = b[hi - 1]
          var store = lo, below = 0.0
          for k in lo..<(hi - 1) where b[k].precedes(pivot) {
            below += b[k].rise
            b.swapAt(k, store)
            store += 1
          }
          b.swapAt(store, hi - 1)
          if slope + below >= 0 {
            hi = store
          } else {
            slope += below
            if slope + pivot.rise >= 0 { return (store, true) }
            slope += pivot.rise
            lo = store + 1
          }
        }
        if lo == hi { return (b.count - 1, false) }  // every breakpoint passed: the last (the pivot at count − 1)
        b[lo..<hi].sort { $0.precedes($1) }
        for k in lo..<hi {
          slope += b[k].rise
          if slope >= 0 { return (k, true) }
        }
        return (b.count - 1, false)
      }
    }
  }
}
