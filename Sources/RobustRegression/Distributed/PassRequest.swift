/// Runs one pass on every batch of rows and returns the merged answer (``PassRequest/mergedCount``
/// doubles when the request says how many): the host of a distributed fit.
package typealias PassHost = (_ request: PassRequest) throws -> [Double]

/// One pass over the rows of a distributed fit, as the driver (``DistributedPass``) asks for it and every
/// batch of rows answers it (``BatchPass``): a flat array of doubles, so that the host (Spark) ships it
/// to its workers as bytes without reading it, and merges the batches' answers by the rule
/// ``merge`` names — element-wise addition in a fixed order, or concatenation.
///
/// Layout: `[kind, columns, intercept, loss, alpha, scale, accumulate, low_hi, low_lo, high_hi, high_lo,
/// shift, meanSlope, weighted, β₀, …, β_{p−1}]`; a 64-bit bound is two 32-bit halves (each exact in a
/// double), then (optionally) the conditioning, `[m_y, s_y, m₁, s₁, …, m_k, s_k]`, then (a residual
/// values pass only) its key ranges. `weighted` (0 or 1): the host passes a case-weights column with every batch (frequency
/// weights, ``Regression/fit(_:response:weights:)``), and the sums, counts and values below are weighted
/// as the fit in memory weights them. With a conditioning every batch fits ỹ = s_y(y − m_y) and
/// x̃_j = s_j(x_j − m_j) (``DataConditioning``) in place of its columns, in every pass (the rows, their
/// keys and the sample too: those of the conditioned data); a range pass with one reads the magnitudes.
package struct PassRequest: Equatable, Sendable {
  /// What a batch computes.
  package enum Kind: Int, Sendable {
    /// XᵀWX (p × p, upper triangle valid), XᵀWy and Σρ at β and c: p² + p + 1 sums.
    case run = 1
    /// Σ|ψ(rᵢ/c)|·(|yᵢ| + |ŷᵢ|): 1 sum (the rounding floor of Σρ, before its factor 16ε/c).
    case roundingFloor = 2
    /// The |rᵢ| whose bit patterns lie in [low, high], counted in buckets of 2^shift patterns:
    /// [count below low, buckets…, count above high (NaN included), NaN count]. Weighted: the counts
    /// are of the rows of positive weight, followed by the weights' sums [below, buckets…, above]
    /// (the weighted median's ranks).
    case histogram = 3
    /// The |rᵢ| whose bit patterns lie in [low, high] (concatenated); weighted: pairs (|rᵢ|, wᵢ) of the
    /// rows of positive weight.
    case values = 4
    /// Σ(c·ψ(uᵢ))², Σψ′(uᵢ), Σ(ψ′(uᵢ) − meanSlope)², row count (weighted: each term times wᵢ, and Σwᵢ):
    /// the sandwich's sums.
    case sandwich = 5
    /// The |rᵢ| whose bit patterns lie in [low, high] and the counts around them, per batch
    /// `[below, above, NaN, count, values…]` (concatenated; ``DistributedPass`` walks the segments): σ̂
    /// in one pass when the window holds the median (the window of ``ScaleTracker``). Weighted: per batch
    /// `[weight below, weight above, NaN, count, (|r|, w) pairs…]` of the rows of positive weight.
    case window = 7
    /// The batch's row count, then per variable (y, then each predictor): min v, max v, min |v| over
    /// v ≠ 0, and the count of non-finite values; weighted, then Σwᵢ, the count of wᵢ > 0 and the count
    /// of weights that are negative or not finite (concatenated per batch, reduced by the driver). With a
    /// conditioning, then per variable the magnitudes of v − m (over v ≠ m, m its shift) that the rule of
    /// its units reads (``magnitudeSection``): their count, smallest, largest, the largest below and the
    /// smallest at or above the split s (the conditioning's factor slot), the count equal to 2¹⁰⁰ and the
    /// count in each binade 2ᵉ, e = −1074…1023.
    case range = 6
    /// The rows themselves, `[y, x₁, …, x_k]` (and w when weighted) each (concatenated): the driver-side
    /// sample of the losses whose start or whole fit runs on the driver (``DriverSample``).
    case rows = 8
    /// The rows' sample keys (``DriverSample/key(_:)``, of the rows of positive weight when weighted) in
    /// [low, high], counted in buckets of 2^shift keys: [count below low, buckets…, count above high].
    case keyHistogram = 9
    /// The distinct rows whose sample key lies in [low, high] (rows of positive weight only when
    /// weighted), each `[y, x₁, …, x_k, (w), count]` with the count of its copies in the batch
    /// (``DriverSample/distinct(_:stride:)``; concatenated): the candidates of the driver's sample
    /// (``DriverSample/sample``).
    case sampleRows = 10
    /// The S refinement's pass at β and c (``SRefinementRows``): XᵀWX and XᵀWy with Tukey's weights
    /// (zeros unless `accumulate`), then Σρ̃(u), Σρ̃′(u)·u, Σw(u), Σψ′(u) and the count of rᵢ ≠ 0 (each
    /// term times wᵢ when weighted): p² + p + 5 sums; without `accumulate`, the M-scale's sums.
    case sRefinement = 11
    /// The sums of the MM covariance (``MMInference/Sums``) at the MM β (the first p of `beta`) and the
    /// S β (the next p), the S-scale s in `scale` and k in `alpha`: 2p² + 2p + 3 sums.
    case mmCovariance = 12
    /// The adaptive fit's fused pass at β, α and c (``BarronShapeRows``): XᵀWX and XᵀWy with Barron's
    /// weights (zeros unless `accumulate`), then Σρ, Σ∂ρ/∂α, Σ∂²ρ/∂α², Σ∂ρ/∂λ, Σ∂²ρ/∂λ², Σ∂²ρ/∂α∂λ
    /// (λ = log c; each term times wᵢ when weighted): p² + p + 6 sums.
    case barronShape = 20
    /// The adaptive fit's observed information at β, α and c (``ObservedInformation/Sums``, α's entries
    /// when `accumulate`): p² + 2p + 3 sums.
    case information = 21
    /// The residual summary's first pass at β (``DistributedResidualSummary``): the histogram's layout
    /// over the *signed* residuals' order-preserving keys (``Selection/orderedKey(_:)``) in [low, high],
    /// then [outlier count, Σwᵢ·yᵢ/u, Σwᵢ·(rᵢ/u)²] with u = `meanSlope` (the R² sums; 0 when u is 0).
    /// The outlier rule: |rᵢ|/σ̂ > `alpha` with σ̂ = `scale` (loss `unitWeights`), or the bisquare's weight
    /// at c = `scale` below `alpha` (loss `tukey`, lmrob's); over every row, weight 0 included, as the fit
    /// in memory flags them. With a conditioning rᵢ is r̃ᵢ/s_y (the residual in the units of y) and yᵢ
    /// the batch's own value.
    case residualHistogram = 13
    /// The residual summary's collecting pass at β: per batch `[Σwᵢ·(yᵢ/u − ȳ)², count, values…]`
    /// (concatenated; u = `meanSlope`, ȳ = `alpha`, in units of u), the signed residuals whose keys lie in
    /// any of ``ranges`` (weighted: (rᵢ, wᵢ) pairs of the rows of positive weight).
    case residualValues = 14
  }

  /// How the host merges the batches' answers.
  package enum Merge: Int32, Sendable {
    case add = 0
    case concatenate = 1
  }

  /// The loss whose weights and sums a pass computes.
  package enum LossCode: Int, Sendable {
    case unitWeights = 0
    case huber = 1
    case barron = 2
    /// Tukey's bisquare (the MM step; the S-estimate's sandwich).
    case tukey = 3
  }

  package var kind: Kind
  /// Predictor columns the host sends (the intercept is not among them).
  package var predictors: Int
  package var intercept: Bool
  package var loss: LossCode = .unitWeights
  package var alpha: Double = 2
  package var scale: Double = 1
  package var accumulate: Bool = true
  package var low: UInt64 = 0
  package var high: UInt64 = 0
  package var shift: Int = 0
  package var meanSlope: Double = 0
  /// Whether every batch comes with case weights.
  package var weighted: Bool = false
  package var beta: [Double] = []
  /// `[m_y, s_y, m₁, s₁, …]` (``DataConditioning``; empty: the data as they are). In a range pass s is the
  /// split of the magnitude section.
  package var conditioning: [Double] = []
  /// The key ranges of a ``Kind/residualValues`` request (their count in `shift`; encoded after the
  /// conditioning, each as four 32-bit halves).
  package var ranges: [ClosedRange<UInt64>] = []

  static let headerCount = 14

  package init(kind: Kind, predictors: Int, intercept: Bool) {
    self.kind = kind
    self.predictors = predictors
    self.intercept = intercept
  }

  /// Design columns: the predictors and the intercept.
  package var columns: Int { predictors + (intercept ? 1 : 0) }

  package var merge: Merge {
    kind == .values || kind == .range || kind == .window || kind == .rows || kind == .sampleRows || kind == .residualValues
      ? .concatenate : .add
  }

  /// How many doubles the merged answer holds (nil when it depends on the number of batches).
  package var mergedCount: Int? {
    let p = columns
    switch kind {
    case .run: return p * p + p + 1
    case .roundingFloor: return 1
    case .histogram: return bucketCount + 3 + (weighted ? bucketCount + 2 : 0)
    case .residualHistogram: return bucketCount + 3 + (weighted ? bucketCount + 2 : 0) + 3
    case .sandwich: return 4
    case .keyHistogram: return bucketCount + 2
    case .sRefinement: return p * p + p + 5
    case .mmCovariance: return MMInference.Sums.count(order: p)
    case .barronShape: return p * p + p + 6
    case .information: return ObservedInformation.Sums.count(order: p)
    case .values, .range, .window, .rows, .sampleRows, .residualValues: return nil
    }
  }

  /// Doubles one batch of `rows` rows may write.
  package func batchCapacity(rows: Int) -> Int {
    switch kind {
    case .values: return weighted ? 2 * rows : rows
    case .window: return (weighted ? 2 * rows : rows) + 4
    case .residualValues: return (weighted ? 2 * rows : rows) + 2
    case .range: return rangeStride
    case .rows: return rows * rowStride
    case .sampleRows: return rows * sampleStride
    default: return mergedCount!
    }
  }

  /// Doubles of one batch's range answer.
  package var rangeStride: Int {
    1 + 4 * (predictors + 1) + (weighted ? 3 : 0) + (conditioning.isEmpty ? 0 : (predictors + 1) * Self.magnitudeSection)
  }

  /// Doubles of one variable's magnitudes in a range pass with a conditioning: count, smallest, largest,
  /// largest below the split, smallest at or above it, count equal to 2¹⁰⁰, then 2098 binades.
  package static let magnitudeSection = 6 + binades
  /// Binades of positive doubles, 2⁻¹⁰⁷⁴ (subnormal) to 2¹⁰²³.
  package static let binades = 2098

  /// Doubles of one row in a rows answer.
  package var rowStride: Int { 1 + predictors + (weighted ? 1 : 0) }

  /// Doubles of one row in a sampleRows answer: a rows answer's and the row's count.
  package var sampleStride: Int { rowStride + 1 }

  /// Buckets of a histogram request.
  package var bucketCount: Int { Int((high - low) >> UInt64(shift)) + 1 }

  /// Most buckets of a histogram request: 2¹⁶ (the top 16 bits of the range's width).
  package static let bucketBits = 16

  /// Makes this a histogram over [low, high] in at most 2^``bucketBits`` buckets of 2^shift values each.
  mutating func setBuckets(low: UInt64, high: UInt64) {
    self.low = low
    self.high = high
    let top = (high - low) >> UInt64(Self.bucketBits)
    shift = top == 0 ? 0 : UInt64.bitWidth - top.leadingZeroBitCount
  }

  /// The histogram slot of `value` (a bit pattern or a key): 0 below `low`, 1 + its bucket inside,
  /// ``bucketCount`` + 1 above `high`.
  @inline(__always)
  func slot(of value: UInt64) -> Int {
    value < low ? 0 : value > high ? bucketCount + 1 : 1 + Int((value - low) >> UInt64(shift))
  }

  /// A 64-bit bound from its two 32-bit halves (each exact in a double); nil when they are not.
  static func bound(_ high: Double, _ low: Double) -> UInt64? {
    guard let hi = UInt64(exactly: high), let lo = UInt64(exactly: low), hi < 1 << 32, lo < 1 << 32 else { return nil }
    return hi << 32 | lo
  }

  package var encoded: [Double] {
    func halves(_ v: UInt64) -> [Double] { [Double(v >> 32), Double(v & 0xFFFF_FFFF)] }
    return [Double(kind.rawValue), Double(predictors), intercept ? 1 : 0, Double(loss.rawValue), alpha, scale,
            accumulate ? 1 : 0] + halves(low) + halves(high) + [Double(shift), meanSlope, weighted ? 1 : 0] + beta + conditioning
      + ranges.flatMap { halves($0.lowerBound) + halves($0.upperBound) }
  }

  /// The request from its doubles; nil when they are not one.
  package init?(decoding d: UnsafeBufferPointer<Double>) {
    guard d.count >= Self.headerCount, let kind = Kind(rawValue: Int(exactly: d[0]) ?? -1),
          let predictors = Int(exactly: d[1]), predictors >= 0, predictors < 1 << 20,
          let loss = LossCode(rawValue: Int(exactly: d[3]) ?? -1),
          let shift = Int(exactly: d[11]), (0...63).contains(shift), d[13] == 0 || d[13] == 1
    else { return nil }
    func bound(_ i: Int) -> UInt64? { Self.bound(d[i], d[i + 1]) }
    guard let low = bound(7), let high = bound(9), low <= high else { return nil }
    self.kind = kind
    self.predictors = predictors
    intercept = d[2] != 0
    self.loss = loss
    alpha = d[4]
    scale = d[5]
    accumulate = d[6] != 0
    self.low = low
    self.high = high
    self.shift = shift
    meanSlope = d[12]
    weighted = d[13] == 1
    var rest = Array(d[Self.headerCount...])
    if kind == .residualValues {
      // The key ranges, `shift` of them, last.
      let count = 4 * shift
      guard rest.count >= count else { return nil }
      let tail = Array(rest.suffix(count))
      rest.removeLast(count)
      var ranges: [ClosedRange<UInt64>] = []
      for k in 0..<shift {
        guard let lo = Self.bound(tail[4 * k], tail[4 * k + 1]), let hi = Self.bound(tail[4 * k + 2], tail[4 * k + 3]),
              lo <= hi else { return nil }
        ranges.append(lo...hi)
      }
      self.ranges = ranges
    }
    let rowsOnly = kind == .range || kind == .rows || kind == .keyHistogram || kind == .sampleRows
    let conditioningCount = 2 * (predictors + 1)
    var betaCount = kind == .mmCovariance ? 2 * columns : columns
    if rowsOnly && (rest.isEmpty || rest.count == conditioningCount) { betaCount = 0 }
    let extra = rest.count - betaCount
    guard extra == 0 || extra == conditioningCount else { return nil }
    beta = Array(rest[..<betaCount])
    conditioning = Array(rest[betaCount...])
  }
}
