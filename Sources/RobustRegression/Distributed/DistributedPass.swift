/// The ``RowPass`` of a fit whose rows live elsewhere (a Spark DataFrame): every pass is a
/// ``PassRequest`` handed to the host, which runs it on each batch of rows with ``BatchPass`` and
/// returns the merged answer. The IRLS loop runs on the driver against this pass exactly as it runs
/// against a ``WeightedPass`` in memory.
///
/// σ̂ is exact: median(|r|) is located by histograms of the residuals' bit patterns (a non-negative
/// double orders like its bits), narrowed until the bucket range holding the middle order statistics
/// has at most ``valueLimit`` values, which one more pass collects and ``Selection/middle(of:upperRank:even:)``
/// selects — the same value a selection over all n residuals gives. With case weights σ̂ is the weighted
/// median of |r| (``Selection/weightedMedian(values:weights:)``, the rule of a weighted fit in memory),
/// located the same way by the weights' sums per bucket.
final class DistributedPass: RowPass {

  let columns: Int
  let predictors: Int
  let intercept: Bool
  let rows: Int
  let responseMagnitude: Double
  /// Whether the rows carry case weights (then every request says so, and σ̂ is their weighted median).
  let weighted: Bool
  /// Σwᵢ (the row count without weights): the observations the rows stand for.
  let totalWeight: Double
  private let host: PassHost
  private(set) var gram: [Double]
  private(set) var rhs: [Double]
  private(set) var objective = 0.0
  /// The β of the last run or sweep: the residuals the next scale or floor is asked of.
  private(set) var beta: [Double]
  /// The shape sums of the last pass when it was an adaptive fused pass (``adopt(_:beta:accumulate:shapeSums:)``).
  private(set) var shapeSums: [Double]?
  /// Passes run so far, by kind (for the report).
  private(set) var passes: [PassRequest.Kind: Int] = [:]
  /// ``passes`` by the kinds' names, as results report them.
  var passCounts: [String: Int] { Dictionary(uniqueKeysWithValues: passes.map { ("\($0.key)", $0.value) }) }
  /// Most values a `values` pass may collect on the driver (a window pass: a quarter of it).
  let valueLimit: Int
  /// The default ``valueLimit``: 8 MB of values through a Spark driver.
  package static let defaultValueLimit = 1 << 20

  init(predictors: Int, intercept: Bool, rows: Int, responseMagnitude: Double, weighted: Bool = false,
       totalWeight: Double? = nil, valueLimit: Int = DistributedPass.defaultValueLimit, host: @escaping PassHost) {
    self.valueLimit = max(1 << 10, valueLimit)
    self.weighted = weighted
    self.totalWeight = totalWeight ?? Double(rows)
    self.predictors = predictors
    self.intercept = intercept
    columns = predictors + (intercept ? 1 : 0)
    self.rows = rows
    self.responseMagnitude = responseMagnitude
    self.host = host
    gram = [Double](repeating: 0, count: columns * columns)
    rhs = [Double](repeating: 0, count: columns)
    beta = [Double](repeating: 0, count: columns)
  }

  /// A request of `kind` at `beta`.
  private func request(_ kind: PassRequest.Kind, beta: [Double]) -> PassRequest {
    var request = PassRequest(kind: kind, predictors: predictors, intercept: intercept)
    request.beta = beta
    request.weighted = weighted
    return request
  }

  /// The host's answer, checked for its length.
  func perform(_ request: PassRequest) throws -> [Double] {
    passes[request.kind, default: 0] += 1
    let answer = try host(request)
    if let count = request.mergedCount, answer.count != count {
      throw DistributedFitError.host("a \(request.kind) pass returned \(answer.count) values, expected \(count)")
    }
    return answer
  }

  /// The loss's code for the workers.
  static func code<L: RobustLoss>(_ loss: L) throws -> (PassRequest.LossCode, Double) {
    if loss is UnitWeights { return (.unitWeights, 2) }
    if loss is HuberLoss { return (.huber, 2) }
    if let barron = loss as? BarronLoss { return (.barron, barron.alpha) }
    if loss is TukeyBiweightLoss { return (.tukey, 2) }
    throw DistributedFitError.unsupported("the loss \(loss.name) has no distributed row code")
  }

  func run<L: RobustLoss>(beta: [Double], loss: L, scale: Double, accumulate: Bool) throws {
    var request = request(.run, beta: beta)
    (request.loss, request.alpha) = try Self.code(loss)
    request.scale = scale
    request.accumulate = accumulate
    adopt(try perform(request), beta: beta, accumulate: accumulate, shapeSums: nil)
  }

  /// Takes a fused pass's answer at `beta`: XᵀWX and XᵀWy from its first p² + p values (when
  /// `accumulate`), then Σρ, and the adaptive fit's shape sums when it has them (Σρ their first).
  func adopt(_ answer: [Double], beta: [Double], accumulate: Bool, shapeSums: [Double]?) {
    let p = columns
    if accumulate {
      gram = Array(answer[0..<(p * p)])
      rhs = Array(answer[(p * p)..<(p * p + p)])
    }
    objective = answer[p * p + p]
    self.beta = beta
    self.shapeSums = shapeSums
  }

  /// With a window (``ScaleTracker``'s, around the last median) whose values the last full histogram
  /// expects to be few, one pass collects them and counts the rest: σ̂ at the new β in one pass instead
  /// of two when the window holds the median (``medianAbsoluteResidual(scratch:)``).
  func sweepResiduals(beta: [Double], medianWindow: WeightedPass.MedianWindow?,
                      selection: UnsafeMutableBufferPointer<Double>?) throws {
    self.beta = beta
    shapeSums = nil
    windowAnswer = nil
    windowSkipped = false
    guard let medianWindow, medianWindow.lower >= 0, medianWindow.upper >= medianWindow.lower else { return }
    guard let expected = expectedCount(low: medianWindow.lower.bitPattern, high: medianWindow.upper.bitPattern),
          expected <= valueLimit / 4
    else {
      // Too many values to collect: the exact route instead, reported as the window's answer so that
      // the tracker narrows its window (a miss would widen it).
      windowSkipped = true
      return
    }
    var request = request(.window, beta: beta)
    request.low = medianWindow.lower.bitPattern
    request.high = medianWindow.upper.bitPattern
    windowAnswer = try perform(request)
  }

  /// median(|r|) from the window pass, when its values hold the middle order statistics (or by the
  /// exact histogram route when the window was too full to collect).
  func medianAbsoluteResidual(scratch: UnsafeMutableBufferPointer<Double>) throws -> Double? {
    if windowSkipped {
      windowSkipped = false
      return try medianAbsoluteResidual(at: beta)
    }
    guard let answer = windowAnswer else { return nil }
    windowAnswer = nil
    if weighted { return weightedMedian(fromWindow: answer) }
    var below = 0, above = 0, nan = 0, values: [Double] = []
    var k = 0
    while k + 4 <= answer.count {
      below += Int(answer[k])
      above += Int(answer[k + 1])
      nan += Int(answer[k + 2])
      let count = Int(answer[k + 3])
      guard count >= 0, k + 4 + count <= answer.count else { return nil }
      values += answer[(k + 4)..<(k + 4 + count)]
      k += 4 + count
    }
    let n = rows
    guard k == answer.count, nan == 0, below + values.count + above == n else { return nil }
    let upperRank = n / 2, lowerRank = n % 2 == 0 ? n / 2 - 1 : n / 2
    guard below <= lowerRank, upperRank < below + values.count else { return nil }
    return values.withUnsafeMutableBufferPointer {
      Selection.middle(of: $0, upperRank: upperRank - below, even: lowerRank != upperRank)
    }
  }

  /// The weighted median of |r| from a weighted window pass's segments, when the window holds the row
  /// where the cumulative weight reaches W/2 − 1e-12·W (and, at a tie with W/2, the next one); nil
  /// otherwise (the exact route then runs). The fit in memory takes the exact route at every step; the
  /// window only saves a pass, its value is the exact route's.
  private func weightedMedian(fromWindow answer: [Double]) -> Double? {
    var below = 0.0, above = 0.0, nan = 0.0
    var pairs: [(value: Double, weight: Double)] = []
    var k = 0
    while k + 4 <= answer.count {
      below += answer[k]
      above += answer[k + 1]
      nan += answer[k + 2]
      let count = Int(answer[k + 3])
      guard count >= 0, k + 4 + 2 * count <= answer.count else { return nil }
      for t in 0..<count { pairs.append((answer[k + 4 + 2 * t], answer[k + 5 + 2 * t])) }
      k += 4 + 2 * count
    }
    guard k == answer.count, nan == 0, !pairs.isEmpty else { return nil }
    let total = totalWeight, half = total / 2, tolerance = 1e-12 * total
    // The crossing lies below the window (or is a tie whose partner might be the window's first value).
    guard below < half - tolerance else { return nil }
    pairs.sort { $0.value < $1.value }
    return Selection.weightedMedianWalk(pairs, from: below, total: total, valuesAbove: above > 0)
  }

  /// The window pass's merged answer, until ``medianAbsoluteResidual(scratch:)`` reads it.
  private var windowAnswer: [Double]?
  /// Whether the last sweep had a window too full to collect.
  private var windowSkipped = false
  /// The first histogram of the last exact median (buckets of 2^shift bit patterns from 0): how many
  /// |rᵢ| a window would collect, roughly (the residuals have moved since).
  private var lastHistogram: (counts: ArraySlice<Double>, shift: Int)?

  /// The count of the last histogram's buckets that meet [low, high] (nil before the first median).
  private func expectedCount(low: UInt64, high: UInt64) -> Int? {
    guard let (counts, shift) = lastHistogram else { return nil }
    let first = Int(low >> UInt64(shift)), last = min(Int(high >> UInt64(shift)), counts.count - 1)
    guard first <= last else { return 0 }
    return Int(counts[(counts.startIndex + first)...(counts.startIndex + last)].reduce(0, +))
  }

  func residualScale(scratch: UnsafeMutableBufferPointer<Double>) throws -> Double {
    try medianAbsoluteResidual(at: beta) / Selection.madConsistency
  }

  func roundingFloor<L: RobustLoss>(loss: L, scale c: Double) throws -> Double {
    var request = request(.roundingFloor, beta: beta)
    (request.loss, request.alpha) = try Self.code(loss)
    request.scale = c
    return WeightedPass.roundingFloor(sum: try perform(request)[0], scale: c)
  }

  /// Not distributed yet: a fit whose σ̂ collapses towards an exact fit runs to its iteration cap.
  func exactFit(scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double]? { nil }

  func solveByQR() throws -> [Double]? {
    throw DistributedFitError.unsupported(
      "the weighted normal equations are ill-conditioned, and the QR fallback of a fit in memory is not distributed")
  }

  func overflow(scale c: Double) -> RegressionError {
    // The row is not known on the driver; DistributedFit reports the overflow in its own words.
    .objectiveOverflow(row: -1, ratio: .infinity)
  }

  /// The S refinement's pass at `beta` and c (``PassRequest/Kind/sRefinement``): with `accumulate` the
  /// pass's XᵀWX and XᵀWy become the system ``IRLS/solveStep(pass:scale:)`` solves; returns the
  /// ``SRefinementRows`` sums and the weight of the non-zero residuals.
  func sRefinement(beta: [Double], scale c: Double, accumulate: Bool) throws -> (sums: SIMD4<Double>, nonzero: Double) {
    var request = request(.sRefinement, beta: beta)
    request.scale = c
    request.accumulate = accumulate
    let answer = try perform(request)
    let p = columns
    if accumulate {
      gram = Array(answer[0..<(p * p)])
      rhs = Array(answer[(p * p)..<(p * p + p)])
      self.beta = beta
    }
    let base = p * p + p
    return (SIMD4(answer[base], answer[base + 1], answer[base + 2], answer[base + 3]), answer[base + 4])
  }

  /// The sums of the MM covariance at the MM β and the S β, S-scale s and k (``MMInference/Sums``).
  func mmCovarianceSums(beta: [Double], sBeta: [Double], scale s: Double, k: Double) throws -> MMInference.Sums {
    var request = request(.mmCovariance, beta: beta + sBeta)
    request.scale = s
    request.alpha = k
    guard let sums = MMInference.Sums(flat: try perform(request), order: columns) else {
      throw DistributedFitError.host("an MM covariance pass returned a malformed answer")
    }
    return sums
  }

  /// The sandwich's sums at `beta` and c: Σ(cψ)², Σψ′, Σ(ψ′ − m)² (with `meanSlope` m) and n.
  func sandwichSums<L: RobustLoss>(beta: [Double], loss: L, scale c: Double, meanSlope: Double) throws -> [Double] {
    var request = request(.sandwich, beta: beta)
    (request.loss, request.alpha) = try Self.code(loss)
    request.scale = c
    request.meanSlope = meanSlope
    return try perform(request)
  }

  /// One histogram pass of |r| at `beta` over the bit patterns [low, high], in at most 2^16
  /// buckets; the first (over the whole range) is kept for the window's expected count. NaN residuals
  /// are an error.
  private func histogram(low: UInt64, high: UInt64, beta: [Double]) throws -> (PassRequest, [Double]) {
    var request = request(.histogram, beta: beta)
    request.setBuckets(low: low, high: high)
    let answer = try perform(request)
    let buckets = request.bucketCount
    if low == 0 { lastHistogram = (answer[1...buckets], request.shift) }
    guard answer[buckets + 2] == 0 else {
      throw DistributedFitError.nonFinite("\(Int(answer[buckets + 2])) residuals are NaN")
    }
    return (request, answer)
  }

  /// median(|rᵢ|) at `beta`, exactly (the type's comment); weighted by the case weights when there are any.
  func medianAbsoluteResidual(at beta: [Double]) throws -> Double {
    if weighted { return try weightedMedianAbsoluteResidual(at: beta) }
    let n = rows
    let upperRank = n / 2, lowerRank = n % 2 == 0 ? n / 2 - 1 : n / 2
    // Bit patterns of |r| from +0 to +∞.
    var low: UInt64 = 0, high = Double.infinity.bitPattern
    while true {
      let (request, answer) = try histogram(low: low, high: high, beta: beta)
      let shift = UInt64(request.shift), buckets = request.bucketCount
      let total = answer.reduce(0, +) - answer[buckets + 2]
      guard total == Double(n) else {
        throw DistributedFitError.host("a histogram pass counted \(Int(total)) residuals of \(n) rows")
      }
      // The buckets holding the ranks lowerRank and upperRank.
      var cumulative = Int(answer[0])
      var first = -1, last = -1, belowFirst = 0
      for k in 0..<buckets {
        let count = Int(answer[1 + k])
        if first < 0 && cumulative + count > lowerRank {
          first = k
          belowFirst = cumulative
        }
        if cumulative + count > upperRank {
          last = k
          break
        }
        cumulative += count
      }
      guard first >= 0, last >= first else {
        throw DistributedFitError.host("the histogram of |r| does not hold the median's ranks")
      }
      let inside = answer[(1 + first)...(1 + last)].reduce(0, +)
      let newLow = low + (UInt64(first) << shift), newHigh = min(high, request.low + (UInt64(last + 1) << shift) - 1)
      if Int(inside) > valueLimit && shift > 0 && last > first && newLow == low && newHigh == high {
        // No progress: the two middle ranks sit in this range's first and last buckets (ties of two values
        // far apart, more rows than a values pass may bring): each is found alone, by narrowing one bucket.
        let firstHigh = newLow + (UInt64(1) << shift) - 1, lastLow = request.low + (UInt64(last) << shift)
        let lower = try absoluteResidual(rank: lowerRank - belowFirst, low: newLow, high: firstHigh, beta: beta)
        let upper = try absoluteResidual(rank: upperRank - belowFirst - Int(answer[1 + first]), low: lastLow,
                                         high: newHigh, beta: beta)
        return Selection.midpoint(lower, upper)
      }
      low = newLow
      high = newHigh
      if Int(inside) <= valueLimit || shift == 0 {
        var values = self.request(.values, beta: beta)
        values.low = low
        values.high = high
        var collected = try perform(values)
        guard collected.count == Int(inside) else {
          throw DistributedFitError.host("a values pass returned \(collected.count) of \(Int(inside)) residuals")
        }
        return collected.withUnsafeMutableBufferPointer {
          Selection.middle(of: $0, upperRank: upperRank - belowFirst, even: lowerRank != upperRank)
        }
      }
    }
  }

  /// The weighted median of |rᵢ| at `beta` (``Selection/weightedMedian(values:weights:)`` over all rows):
  /// over the rows of positive weight in increasing |r|, the first whose cumulative weight reaches
  /// W/2 − 1e-12·W (W = Σwᵢ) — the midpoint with the next value when it lies within 1e-12·W of W/2.
  /// Histograms of counts and weight sums narrow the bit-pattern range to the bucket holding that row
  /// and the next non-empty one; a values pass collects their (|r|, w) pairs, and the walk of the
  /// weighted median runs over them from the weight below. The weights are added per bucket and per
  /// batch rather than in sorted order, so a fractional weight's cumulative sum may differ from the
  /// fit in memory's by rounding (integer weights below 2⁵³ add exactly).
  func weightedMedianAbsoluteResidual(at beta: [Double]) throws -> Double {
    var low: UInt64 = 0, high = Double.infinity.bitPattern
    // Once the range stops shrinking (the crossing bucket and the next one are its first and last: ties of
    // two values far apart), the crossing bucket is narrowed alone and `partner` keeps the range whose
    // smallest value is the next one above it (a tie's partner).
    var partner: (low: UInt64, high: UInt64)?
    // W = Σwᵢ of the range pass: the sum every route measures the ranks against.
    let weightTotal = totalWeight
    let threshold = weightTotal / 2 - 1e-12 * weightTotal
    while true {
      let (request, answer) = try histogram(low: low, high: high, beta: beta)
      let shift = UInt64(request.shift), buckets = request.bucketCount, sums = buckets + 3
      var cumulative = answer[sums]
      var first = -1, belowFirst = 0.0
      for k in 0..<buckets where answer[1 + k] > 0 {
        if cumulative + answer[sums + 1 + k] >= threshold {
          first = k
          belowFirst = cumulative
          break
        }
        cumulative += answer[sums + 1 + k]
      }
      guard first >= 0 else {
        throw DistributedFitError.host("the weighted histogram of |r| does not reach half the weight")
      }
      var next: Int?
      for k in (first + 1)..<max(first + 1, buckets) where answer[1 + k] > 0 {
        next = k
        break
      }
      let rangeLow = request.low
      if partner != nil, let next { partner = (rangeLow + (UInt64(next) << shift), high) }
      let last = partner == nil ? next ?? first : first
      let inside = answer[1 + first] + (last > first ? answer[1 + last] : 0)
      let newLow = rangeLow + (UInt64(first) << shift)
      let newHigh = min(high, rangeLow + (UInt64(last + 1) << shift) - 1)
      if Int(inside) > valueLimit && shift > 0 && partner == nil && last > first && newLow == low && newHigh == high {
        partner = (rangeLow + (UInt64(last) << shift), high)
        low = newLow
        high = newLow + (UInt64(1) << shift) - 1
        continue
      }
      low = newLow
      high = newHigh
      if Int(inside) <= valueLimit || shift == 0 {
        var pairs: [(value: Double, weight: Double)] = []
        if shift == 0 {
          // One bit pattern per bucket: the values are the keys (no pass; ties cost nothing).
          pairs.append((Double(bitPattern: low), answer[sums + 1 + first]))
          if last > first { pairs.append((Double(bitPattern: high), answer[sums + 1 + last])) }
        } else {
          var values = self.request(.values, beta: beta)
          values.low = low
          values.high = high
          let collected = try perform(values)
          guard collected.count % 2 == 0, collected.count / 2 == Int(inside) else {
            throw DistributedFitError.host("a weighted values pass returned \(collected.count / 2) of \(Int(inside)) residuals")
          }
          pairs.reserveCapacity(collected.count / 2)
          for k in 0..<(collected.count / 2) { pairs.append((collected[2 * k], collected[2 * k + 1])) }
          pairs.sort { $0.value < $1.value }
        }
        // The walk of Selection.weightedMedian from the weight below the range (a value above it is
        // needed only for a tie at its last value, or when rounding put the crossing past it: the last one).
        if let middle = Selection.weightedMedianWalk(pairs, from: belowFirst, total: weightTotal, valuesAbove: partner != nil) {
          return middle
        }
        // The smallest |r| of positive weight in the partner's range (histograms count only those rows).
        let above = try partner.map { try absoluteResidual(rank: 0, low: $0.low, high: $0.high, beta: beta) }
        guard let middle = Selection.weightedMedianWalk(pairs, from: belowFirst, total: weightTotal, next: above,
                                                        valuesAbove: false) else {
          throw DistributedFitError.host("a weighted values pass returned no residuals")
        }
        return middle
      }
    }
  }

  /// The |rᵢ| of 0-based rank `rank` among those whose bit patterns lie in [low, high] (all rows' counts),
  /// by histograms narrowing to the one bucket that holds it, then a values pass (or, at one bit pattern
  /// per bucket, the key itself).
  private func absoluteResidual(rank: Int, low: UInt64, high: UInt64, beta: [Double]) throws -> Double {
    var low = low, high = high, rank = rank
    while true {
      let (request, answer) = try histogram(low: low, high: high, beta: beta)
      let shift = UInt64(request.shift)
      var cumulative = 0, bucket = -1
      for k in 0..<request.bucketCount {
        if cumulative + Int(answer[1 + k]) > rank {
          bucket = k
          break
        }
        cumulative += Int(answer[1 + k])
      }
      guard bucket >= 0 else { throw DistributedFitError.host("the histogram of |r| does not hold rank \(rank)") }
      rank -= cumulative
      low = request.low + (UInt64(bucket) << shift)
      high = min(high, low + (UInt64(1) << shift) - 1)
      if shift == 0 { return Double(bitPattern: low) }
      let inside = Int(answer[1 + bucket])
      if inside <= valueLimit {
        var values = self.request(.values, beta: beta)
        values.low = low
        values.high = high
        var collected = try perform(values)
        if weighted { collected = stride(from: 0, to: collected.count, by: 2).map { collected[$0] } }
        guard collected.count == inside else {
          throw DistributedFitError.host("a values pass returned \(collected.count) of \(inside) residuals")
        }
        return collected.withUnsafeMutableBufferPointer { Selection.select($0, rank: rank) }
      }
    }
  }

}
