/// What a fused pass (``WeightedPass``) computes row by row from the standardised residuals
/// uᵢ = rᵢ/c: the IRLS weights wᵢ, which go into XᵀWX and XᵀWy, and sums over the rows, of which
/// Σρ(uᵢ) is the pass's objective.
///
/// A loss alone is the common case (``LossRows``: the weights and Σρ); an accumulator with more sums
/// (the adaptive fit's derivatives of ρ in its shape and scale) gets them from the same pass, with the
/// residuals still in cache, instead of a pass of its own. The pass hands each block of rows to
/// ``weigh(_:count:inverseScale:weights:)``, adds the blocks' sums into its chunk's total in row order,
/// and the chunks' totals in chunk order (the deterministic reduction of ``ParallelChunks``).
protocol RowAccumulator: Sendable {
  associatedtype Sums: Sendable
  /// The sums over no rows.
  static var zero: Sums { get }
  /// Writes wᵢ = w(rᵢ·inverseScale) for the `m` rows of a block to `weights` and returns the block's sums,
  /// each row's terms multiplied by its case weight when `caseWeights` is given (the block's rows of it).
  func weigh(_ r: UnsafePointer<Double>, count m: Int, inverseScale: Double,
             weights: UnsafeMutablePointer<Double>, caseWeights: UnsafePointer<Double>?) -> Sums
  /// w(u) alone, for ``WeightedPass/weights`` after the pass.
  func weight(_ u: Double) -> Double
  /// `total` += `part`.
  static func add(_ part: Sums, to total: inout Sums)
  /// Σρ(uᵢ) among the sums: the pass's objective.
  static func objective(of sums: Sums) -> Double
}

/// The rows of a fused pass for a loss: its weights and Σρ.
struct LossRows<L: RobustLoss>: RowAccumulator {
  let loss: L

  static var zero: Double { 0 }

  func weight(_ u: Double) -> Double { loss.weight(u) }

  static func add(_ part: Double, to total: inout Double) { total += part }

  static func objective(of sums: Double) -> Double { sums }

  /// wᵢ = w(rᵢ·s) and Σρ(rᵢ·s) of one block. Huber has a branch-free two-lane form
  /// (w = 1/max(1, |u|), ρ = t·(|u| − t/2) with t = min(1, |u|): the same doubles as HuberLoss's
  /// branches); other losses go through the protocol, with the sum split over two lanes.
  @inline(never)
  func weigh(_ r: UnsafePointer<Double>, count m: Int, inverseScale: Double,
             weights: UnsafeMutablePointer<Double>, caseWeights: UnsafePointer<Double>?) -> Double {
    if let caseWeights {
      var sum = 0.0
      for i in 0..<m {
        let u = r[i] * inverseScale
        sum += caseWeights[i] * loss.rho(u)
        weights[i] = loss.weight(u)
      }
      return sum
    }
    var i = 0
    let end = m & ~1
    if L.self == HuberLoss.self {
      var sum = SIMD2<Double>()
      let one = SIMD2<Double>(repeating: 1), half = SIMD2<Double>(repeating: 0.5)
      let s = SIMD2<Double>(repeating: inverseScale)
      while i < end {
        // `replacing(with:where:)` compiles to compare-and-select on both lanes (pointwiseMax/Min
        // keep Swift's NaN rules and become scalar branches).
        let u = UnsafeRawPointer(r + i).loadUnaligned(as: SIMD2<Double>.self) * s
        let a = u.replacing(with: -u, where: u .< 0)
        let weight = one / a.replacing(with: one, where: a .< one)
        let t = a.replacing(with: one, where: a .> one)
        sum += t * (a - t * half)
        UnsafeMutableRawPointer(weights + i).storeBytes(of: weight, as: SIMD2<Double>.self)
        i += 2
      }
      var total = sum.sum()
      if end < m {
        let a = abs(r[end] * inverseScale)
        let t = min(a, 1)
        total += t * (a - t * 0.5)
        weights[end] = 1 / max(a, 1)
      }
      return total
    }
    var s0 = 0.0, s1 = 0.0
    while i < end {
      let u0 = r[i] * inverseScale, u1 = r[i + 1] * inverseScale
      s0 += loss.rho(u0)
      s1 += loss.rho(u1)
      weights[i] = loss.weight(u0)
      weights[i + 1] = loss.weight(u1)
      i += 2
    }
    if end < m {
      let u = r[end] * inverseScale
      s0 += loss.rho(u)
      weights[end] = loss.weight(u)
    }
    return s0 + s1
  }
}

/// The weights of least squares, w = 1 (ρ = u²/2): a pass with them gives XᵀX, Xᵀy and the residuals at
/// a β (``WeightedPass/runWithUnitWeights(beta:accumulate:)``). The same doubles as Barron's loss at
/// α = 2, which such passes used before.
struct UnitWeights: RobustLoss {
  func rho(_ u: Double) -> Double { u * u / 2 }
  func psi(_ u: Double) -> Double { u }
  func psiDerivative(_ u: Double) -> Double { 1 }
  func weight(_ u: Double) -> Double { 1 }
  var isConvex: Bool { true }
  var isRedescending: Bool { false }
}
