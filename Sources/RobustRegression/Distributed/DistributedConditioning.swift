/// The distributed fit on data that need a change of units or origin (``DataConditioning``): the rule
/// decided on the driver from the range pass (and, for a variable whose magnitudes leave the window or
/// whose band is narrow, a second range pass with the shifts, whose binade counts give the median
/// magnitude's binade), every pass then made on the conditioned columns (the request's conditioning,
/// applied as each batch builds its design), and the result mapped back by DataConditioning's own map.
extension DistributedFit {
  /// The conditioning of the data whose range pass found `range` (the identity for data in range).
  func decideConditioning(_ range: Range, host: PassHost) throws -> DataConditioning {
    let variables = predictors + 1
    // Step 1 from the range: each variable's shift and whether its units need its magnitudes.
    let origins = (0..<variables).map {
      DataConditioning.origin(low: range.low[$0], high: range.high[$0], smallest: range.smallest[$0], mayShift: intercept)
    }
    var changes = origins.map { DataConditioning.Change(shift: $0.shift, factor: 1) }
    if origins.contains(where: \.measure) {
      // Step 2 from the magnitudes of v − shift (one more range pass; a second one only where the median
      // is the midpoint of two values in different binades).
      let measured = try magnitudes(shifts: origins.map(\.shift), splits: [Double](repeating: 1, count: variables),
                                    host: host)
      for k in 0..<variables where origins[k].measure {
        let section = measured[k]
        changes[k].factor = try DataConditioning.factor(
          smallest: section.smallest, largest: section.largest,
          median: { try median(of: section, variable: k, shifts: origins.map(\.shift), host: host) },
          ceiling: k == 0 ? 900 : 60)
      }
    }
    let columns = (intercept ? [DataConditioning.Change()] : []) + changes.dropFirst()
    let magnitudes = (intercept ? [1] : []) + (1..<variables).map { range.largest($0, shift: changes[$0].shift) * changes[$0].factor }
    return DataConditioning(response: changes[0], columns: Array(columns), hasIntercept: intercept,
                            conditionedMagnitudes: magnitudes)
  }

  /// One variable's magnitudes |v − m| over v ≠ m, merged over the batches (``PassRequest/Kind/range``).
  struct Magnitudes {
    var count = 0.0, smallest = Double.infinity, largest = 0.0, below = 0.0, above = Double.infinity, edge = 0.0
    var binades = [Double](repeating: 0, count: PassRequest.binades)
  }

  /// A range pass with the shifts and splits: each variable's merged magnitude section.
  private func magnitudes(shifts: [Double], splits: [Double], host: PassHost) throws -> [Magnitudes] {
    var request = PassRequest(kind: .range, predictors: predictors, intercept: intercept)
    request.weighted = weighted
    request.conditioning = zip(shifts, splits).flatMap { [$0, $1] }
    let answer = try host(request)
    let stride = request.rangeStride, variables = predictors + 1, section = PassRequest.magnitudeSection
    guard answer.count % stride == 0, !answer.isEmpty else {
      throw DistributedFitError.host("a range pass returned \(answer.count) values")
    }
    let head = stride - variables * section
    var merged = [Magnitudes](repeating: Magnitudes(), count: variables)
    for batch in 0..<(answer.count / stride) {
      for k in 0..<variables {
        let base = batch * stride + head + k * section
        merged[k].count += answer[base]
        merged[k].smallest = min(merged[k].smallest, answer[base + 1])
        merged[k].largest = max(merged[k].largest, answer[base + 2])
        merged[k].below = max(merged[k].below, answer[base + 3])
        merged[k].above = min(merged[k].above, answer[base + 4])
        merged[k].edge += answer[base + 5]
        for e in 0..<PassRequest.binades { merged[k].binades[e] += answer[base + 6 + e] }
      }
    }
    return merged
  }

  /// The median of the magnitudes as far as the rule reads it (whether it lies in the window, and its
  /// binade): the midpoint of the two middle values exactly when they lie in different binades (one more
  /// pass, split at the upper one's binade), else a value of the middle binade, 2¹⁰⁰ itself when the
  /// middle values are (the window's upper end).
  private func median(of section: Magnitudes, variable k: Int, shifts: [Double], host: PassHost) throws -> Double {
    let n = Int(section.count)
    guard n > 0 else { return .nan }
    func binade(ofRank rank: Int) -> (binade: Int, first: Int) {
      var seen = 0
      for e in 0..<PassRequest.binades {
        let count = Int(section.binades[e])
        if rank < seen + count { return (e - 1074, seen) }
        seen += count
      }
      return (1023, seen)
    }
    let upper = binade(ofRank: n / 2)
    if n % 2 == 0, case let lower = binade(ofRank: n / 2 - 1), lower.binade != upper.binade {
      var splits = [Double](repeating: 1, count: predictors + 1)
      splits[k] = Double(sign: .plus, exponent: upper.binade, significand: 1)
      let refined = try magnitudes(shifts: shifts, splits: splits, host: host)[k]
      return Selection.midpoint(refined.below, refined.above)
    }
    // Both middle values (or the one) in binade e: 2¹⁰⁰ when they are its first ones and equal to it.
    if upper.binade == 100, n / 2 < upper.first + Int(section.edge) { return 0x1p100 }
    return Double(sign: .plus, exponent: upper.binade, significand: 1.5)
  }

  /// The host whose passes see the conditioned data: every request but the range pass carries the
  /// conditioning, which the worker applies as it builds the batch's design (or its rows and their keys).
  static func conditioned(_ host: @escaping PassHost, by conditioning: DataConditioning) -> PassHost {
    let changes = [conditioning.response] + conditioning.columns.dropFirst(conditioning.hasIntercept ? 1 : 0)
    let block = changes.flatMap { [$0.shift, $0.factor] }
    return { request in
      guard request.kind != .range else { return try host(request) }
      var request = request
      request.conditioning = block
      return try host(request)
    }
  }

  /// The result of the conditioned data in the units and origins of the data (``DataConditioning``'s map:
  /// β, the covariance J·C̃·Jᵀ, c, σ̂, the objective, the adaptive fit's se(c) and profile).
  func original(_ result: Result, conditioning: DataConditioning) throws -> Result {
    var original = result
    let s = conditioning.response.factor
    original.coefficients = conditioning.originalCoefficients(result.coefficients)
    try conditioning.checkRange(original.coefficients, tilde: result.coefficients, names: result.names)
    if let inference = result.inference {
      let mapped = try conditioning.originalInference(inference, coefficients: original.coefficients, names: result.names)
      original.inference = mapped
      original.standardErrors = mapped.standardErrors
    }
    let kind: RegressionFit.Objective.Kind = if case .adaptive = loss.kind { .negativeLogLikelihood }
      else if loss.kind == .sEstimate { .mScale } else { .sumOfLosses }
    let n = result.totalWeight ?? Double(result.rows)
    original.objective = conditioning.originalObjective(result.objective, kind: kind, rows: n)
    original.scale = result.scale / s
    original.sigma = result.sigma / s
    original.scaleStandardError = result.scaleStandardError.map { $0 / s }
    original.shapeSelection = result.shapeSelection?.inUnits(of: s, rows: n)
    guard original.scale.isFinite, original.sigma.isFinite, original.objective.isFinite else {
      throw DistributedFitError.regression("the loss scale, σ̂ or the objective does not fit in a double in the units of y")
    }
    return original
  }
}
