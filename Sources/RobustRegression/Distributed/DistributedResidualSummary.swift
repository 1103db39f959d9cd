/// What a report says of the residuals of a distributed fit after it, as the fit in memory's report says it
/// from all n residuals: their quantiles (min, 1Q, median, 3Q, max: R's type 7; with case weights those of
/// the rows repeated, type 7 over Σwᵢ observations), the outlier count and, for least squares, R² and
/// the adjusted R² — from passes over the rows at β̂ with memory bounded independent of n.
///
/// The passes:
/// 1. ``PassRequest/Kind/residualHistogram`` over the signed residuals' order-preserving keys
///    (``Selection/orderedKey(_:)``) in 2¹⁶ buckets, with the outlier count and the sums Σwᵢyᵢ and Σwᵢrᵢ²
///    (in units u, a power of two at least max|y|/2: exact scaling, no overflow of the squares). Type 7
///    needs the order statistics at the 0-based positions ⌊h⌋ and ⌊h⌋ + 1 of h = (N − 1)q for five q (N:
///    the row count, or Σwᵢ); the walk of the buckets' counts (or weights) finds the bucket of each.
/// 2. While the chosen buckets together hold more than ``valueLimit`` rows, the largest are histogrammed
///    again over their own keys (2¹⁶ finer buckets; at most three levels, after which a bucket is one key,
///    i.e. one value, which is read off its key without collecting it: ties cost no memory).
/// 3. ``PassRequest/Kind/residualValues`` collects the residuals of the chosen buckets (at most
///    ``valueLimit`` values over all ten positions), and with them Σwᵢ(yᵢ − ȳ)² about the mean of pass 1:
///    the two-pass sum of squares of the fit in memory, merged per batch by addition (stable, unlike
///    Σy² − (Σy)²/n; no extra pass, as it rides on this one). The order statistic at position t is the
///    bucket's value of rank t minus the count below the bucket (a selection), or with weights the first
///    whose cumulative weight from there exceeds t (``Selection/weightedOrderStatistic(values:weights:exceeding:)``).
///
/// Without weights the quantiles are those of the fit in memory exactly at the same β̂ (the same residuals
/// row by row, the same order statistics, the same interpolation); with whole weights too. Fractional
/// weights are added per bucket and per batch rather than in sorted order, so a rank on the boundary of
/// two runs may fall on the other side of it by rounding. R²'s sums differ from the fit in memory's only
/// in the order of additions.
package struct DistributedResidualSummary: Sendable, Equatable {
  /// Min, 1Q, median, 3Q, max.
  package var quantiles: [Double]
  package var outlierCount: Int
  /// The outlier rule's threshold: of |r|/σ̂, or (``robustWeightRule``) of the bisquare weight.
  package var outlierThreshold: Double
  /// Whether outliers are rows of robustness weight below the threshold (lmrob's rule, S and MM) rather
  /// than of |r|/σ̂ above it.
  package var robustWeightRule: Bool
  /// Least squares' classical R² and adjusted R² (nil for other losses, or where y does not vary).
  package var rSquared: Double?
  package var adjustedRSquared: Double?
  /// The passes it ran, by kind.
  package var passes: [String: Int]

  /// How rows are flagged as outliers.
  package enum OutlierRule: Sendable {
    /// |rᵢ|/σ̂ above the threshold (rᵢ ≠ 0 when σ̂ = 0): ``FitProblem/flagOutliers(_:sigma:)``.
    case ratio(sigma: Double, threshold: Double)
    /// The bisquare's robustness weight at c below the threshold (0.1/Σw, lmrob's `eps.outlier`).
    case bisquareWeight(scale: Double, threshold: Double)
  }

  /// The summary at `beta` over `host`'s rows (in the host's units and origins; with a conditioning the
  /// residuals the batches report are in the units of y). `rows`: n; `totalWeight`: Σwᵢ of a weighted
  /// fit; `responseMagnitude`: max|yᵢ| of the data as given (nil: no R²); `parameters`: p.
  static func compute(host: PassHost, beta: [Double], predictors: Int, intercept: Bool, rows: Int,
                      totalWeight: Double?, rule: OutlierRule, responseMagnitude: Double?, parameters p: Int,
                      valueLimit: Int) throws -> DistributedResidualSummary {
    var passes: [String: Int] = [:]
    func perform(_ request: PassRequest) throws -> [Double] {
      passes["\(request.kind)", default: 0] += 1
      let answer = try host(request)
      if let count = request.mergedCount, answer.count != count {
        throw DistributedFitError.host("a \(request.kind) pass returned \(answer.count) values, expected \(count)")
      }
      return answer
    }
    let weighted = totalWeight != nil
    // u: 2^⌊log₂ max|y|⌋, so that y/u and r/u are exact and their squares neither overflow nor underflow.
    let unit = responseMagnitude.flatMap { m -> Double? in
      m > 0 && m.isFinite ? Double(sign: .plus, exponent: m.exponent, significand: 1) : nil
    }
    func request(_ kind: PassRequest.Kind) -> PassRequest {
      var request = PassRequest(kind: kind, predictors: predictors, intercept: intercept)
      request.beta = beta
      request.weighted = weighted
      request.meanSlope = unit ?? 0
      return request
    }

    // The positions type 7 needs, over N observations (Σwᵢ with weights; rows of weight 0 do not count).
    let total = totalWeight ?? Double(rows)
    let positions = TypeSevenQuantiles.positions(observations: total)

    var first: [Double]?
    var values: [Double: Double] = [:]  // position → order statistic
    // Positions still to locate, by the key range they lie in; and the buckets to collect, with their
    // counts and the count (or weight) below each.
    var pending: [ClosedRange<UInt64>: [Double]] = [
      Selection.orderedKey(-.infinity)...Selection.orderedKey(.infinity): Array(Set(positions.flatMap { [$0.low, $0.high] })).sorted()
    ]
    var collect: [ClosedRange<UInt64>: Bucket] = [:]
    while !pending.isEmpty {
      // This level's buckets of the positions (a bucket may hold several).
      var candidates: [ClosedRange<UInt64>: Bucket] = [:]
      for (range, targets) in pending.sorted(by: { $0.key.lowerBound < $1.key.lowerBound }) {
        var histogram = request(.residualHistogram)
        histogram.setBuckets(low: range.lowerBound, high: range.upperBound)
        switch rule {
        case .ratio(let sigma, let threshold): (histogram.loss, histogram.scale, histogram.alpha) = (.unitWeights, sigma, threshold)
        case .bisquareWeight(let c, let threshold): (histogram.loss, histogram.scale, histogram.alpha) = (.tukey, c, threshold)
        }
        let answer = try perform(histogram)
        let buckets = histogram.bucketCount, shift = UInt64(histogram.shift)
        guard answer[buckets + 2] == 0 else {
          throw DistributedFitError.nonFinite("\(Int(answer[buckets + 2])) residuals are NaN")
        }
        if first == nil { first = answer }
        // The mass (count, or weight) of slot k: 0 below, 1…buckets inside, buckets + 1 above.
        let massBase = weighted ? buckets + 3 : 0
        for t in targets {
          var cumulative = answer[massBase]
          var chosen = -1, below = 0.0, lastNonEmpty = -1, belowLast = 0.0
          for k in 0..<buckets where answer[1 + k] > 0 {
            let mass = answer[massBase + 1 + k]
            if cumulative + mass > t {
              chosen = k
              below = cumulative
              break
            }
            (lastNonEmpty, belowLast) = (k, cumulative)
            cumulative += mass
          }
          // Rounding of fractional weights may leave the position past the last bucket: take that bucket.
          if chosen < 0 { (chosen, below) = (lastNonEmpty, belowLast) }
          guard chosen >= 0 else { throw DistributedFitError.host("a residual histogram pass counted no residuals") }
          let low = histogram.low + (UInt64(chosen) << shift)
          let bucket = low...min(histogram.high, low + ((1 << shift) - 1))
          if bucket.lowerBound == bucket.upperBound {
            // One key: one value, whatever the count.
            values[t] = Selection.value(ofOrderedKey: bucket.lowerBound)
          } else {
            candidates[bucket, default: Bucket(count: Int(answer[1 + chosen]), below: below)].positions.append(t)
          }
        }
      }
      // Collect the buckets while all of them fit in the value limit; refine the largest until they do.
      var total = collect.values.reduce(0) { $0 + $1.count } + candidates.values.reduce(0) { $0 + $1.count }
      var next: [ClosedRange<UInt64>: [Double]] = [:]
      for (bucket, entry) in candidates.sorted(by: { $0.value.count > $1.value.count }) {
        if total > valueLimit {
          next[bucket] = entry.positions
          total -= entry.count
        } else {
          collect[bucket] = entry
        }
      }
      pending = next
    }

    // The collecting pass (also when only R²'s sum of squares is left to take).
    let sums = Array(first!.suffix(3))
    let rSquaredWanted = unit != nil
    var totalSquares = 0.0
    if !collect.isEmpty || rSquaredWanted {
      var gather = request(.residualValues)
      let ranges = collect.keys.sorted { $0.lowerBound < $1.lowerBound }
      gather.ranges = ranges
      gather.shift = ranges.count
      gather.alpha = intercept && rSquaredWanted ? sums[1] / total : 0
      let answer = try perform(gather)
      let stride = weighted ? 2 : 1
      // Each bucket's values (and weights), split by key as they come.
      var inside = [(values: [Double], weights: [Double])](repeating: ([], []), count: ranges.count)
      var k = 0
      while k + 2 <= answer.count {
        totalSquares += answer[k]
        let count = Int(answer[k + 1])
        guard count >= 0, k + 2 + stride * count <= answer.count else { break }
        for j in 0..<count {
          let base = k + 2 + stride * j, key = Selection.orderedKey(answer[base])
          guard let b = ranges.firstIndex(where: { $0.contains(key) }) else { continue }
          inside[b].values.append(answer[base])
          if weighted { inside[b].weights.append(answer[base + 1]) }
        }
        k += 2 + stride * count
      }
      guard k == answer.count else { throw DistributedFitError.host("a residual values pass returned a malformed answer") }
      for (b, bucket) in ranges.enumerated() {
        let entry = collect[bucket]!
        guard inside[b].values.count == entry.count else {
          throw DistributedFitError.host("a residual values pass returned \(inside[b].values.count) of a bucket's \(entry.count) residuals")
        }
        for t in entry.positions {
          values[t] = Self.orderStatistic(values: &inside[b].values, weights: weighted ? inside[b].weights : nil,
                                          exceeding: t - entry.below)
        }
      }
    }

    let quantiles = TypeSevenQuantiles.interpolate(positions) { values[$0]! }
    var summary = DistributedResidualSummary(quantiles: quantiles, outlierCount: Int(sums[0]), outlierThreshold: 0,
                                             robustWeightRule: false, rSquared: nil, adjustedRSquared: nil,
                                             passes: passes)
    switch rule {
    case .ratio(_, let threshold): summary.outlierThreshold = threshold
    case .bisquareWeight(_, let threshold): (summary.outlierThreshold, summary.robustWeightRule) = (threshold, true)
    }
    // R² = 1 − Σwr²/Σw(y − ȳ)² (ȳ = 0 without an intercept), adjusted by (N − i)/(N − p): the fit in
    // memory's rule (nil where y does not vary).
    let residualSquares = sums[2]
    if rSquaredWanted, total > Double(p), totalSquares > 0, totalSquares.isFinite, residualSquares.isFinite {
      let value = 1 - residualSquares / totalSquares
      let i = intercept ? 1.0 : 0
      summary.rSquared = value
      summary.adjustedRSquared = 1 - (1 - value) * (total - i) / (total - Double(p))
    }
    return summary
  }

  /// A bucket of the positions' histogram: its rows' count, the count (or weight) below it, and the
  /// positions whose order statistic it holds.
  struct Bucket {
    var count: Int
    var below: Double
    var positions: [Double] = []
  }

  /// The value of a bucket's rows at which the count (or the cumulative weight) first exceeds `position`:
  /// a selection of rank `position` without weights, ``Selection/weightedOrderStatistic(values:weights:exceeding:)``
  /// with them (the largest value when rounding leaves the position past the bucket's weight).
  static func orderStatistic(values: inout [Double], weights: [Double]?, exceeding position: Double) -> Double {
    guard let weights else {
      let rank = min(max(Int(position), 0), values.count - 1)
      return values.withUnsafeMutableBufferPointer { Selection.select($0, rank: rank) }
    }
    let value = values.withUnsafeBufferPointer { v in
      weights.withUnsafeBufferPointer { Selection.weightedOrderStatistic(values: v, weights: $0, exceeding: position) }
    }
    return value.isNaN ? values.max()! : value
  }

}

extension BatchPass {
  /// The residual summary's passes over one batch (``PassRequest/Kind/residualHistogram`` and
  /// ``PassRequest/Kind/residualValues``): `pass` is the batch in the request's units, `y` its response
  /// as given (R²'s sums are of the data's y).
  static func residualSummary(_ request: PassRequest, pass: WeightedPass, y: UnsafePointer<Double>,
                              output: UnsafeMutableBufferPointer<Double>) -> Int {
    let n = pass.rows
    let bisquare = request.kind == .residualHistogram && request.loss == .tukey
    if bisquare {
      // The fit in memory's weights: the bisquare's pass at c (MMEstimator's outcome).
      pass.run(beta: request.beta, loss: TukeyBiweightLoss(), scale: request.scale, accumulate: false)
    } else {
      pass.sweepResiduals(beta: request.beta, medianWindow: nil, selection: nil)
    }
    // The residuals in the units of y: r̃/s_y under a conditioning (DataConditioning's map of a fit).
    let s = request.conditioning.isEmpty ? 1 : request.conditioning[1]
    let caseWeights = pass.caseWeights
    let unit = request.meanSlope
    if request.kind == .residualValues {
      let mean = request.alpha, ranges = request.ranges
      var squares = 0.0, count = 0
      let stride = caseWeights == nil ? 1 : 2
      for i in 0..<n {
        let w = caseWeights?[i] ?? 1
        if unit > 0 {
          let d = y[i] / unit - mean
          squares += w * d * d
        }
        let r = pass.residuals[i] / s
        guard w > 0, !r.isNaN else { continue }
        let key = Selection.orderedKey(r)
        guard ranges.contains(where: { $0.contains(key) }) else { continue }
        output[2 + stride * count] = r
        if stride == 2 { output[3 + 2 * count] = w }
        count += 1
      }
      output[0] = squares
      output[1] = Double(count)
      return 2 + stride * count
    }
    let buckets = request.bucketCount
    let total = request.mergedCount!
    for k in 0..<total { output[k] = 0 }
    let sums = buckets + 3, extras = total - 3
    let robustWeights = bisquare ? pass.weights : nil
    let sigma = request.scale, threshold = request.alpha
    var below = 0, above = 0, nan = 0, outliers = 0, sumY = 0.0, sumR2 = 0.0
    for i in 0..<n {
      let r = pass.residuals[i] / s
      let w = caseWeights?[i] ?? 1
      // FitProblem.flagOutliers (or MMEstimator's weight rule), over every row.
      if let robustWeights {
        if robustWeights[i] < threshold { outliers += 1 }
      } else if sigma > 0 ? abs(r) / sigma > threshold : r != 0 {
        outliers += 1
      }
      if unit > 0 {
        let e = r / unit
        sumY += w * (y[i] / unit)
        sumR2 += w * e * e
      }
      if r.isNaN { nan += 1; above += 1; continue }
      guard w > 0 else { continue }
      let slot = request.slot(of: Selection.orderedKey(r))
      if slot == 0 { below += 1 } else if slot == buckets + 1 { above += 1 } else { output[slot] += 1 }
      if caseWeights != nil { output[sums + slot] += w }
    }
    output[0] = Double(below)
    output[buckets + 1] = Double(above)
    output[buckets + 2] = Double(nan)
    output[extras] = Double(outliers)
    output[extras + 1] = sumY
    output[extras + 2] = sumR2
    return total
  }
}
