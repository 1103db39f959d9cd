import RealModule

/// An exact change of units and origin of y and of the predictor columns, so that a fit never meets the
/// edges of the double range, nor a large common offset, in its own arithmetic (squares, Gram sums, X·β,
/// the normal equations).
///
/// **Origin.** With an intercept, a variable whose values all lie in a band narrower than 2⁻¹⁰ of their
/// size (y or x ≈ 1e15 + u, a year 2024.5 ± 0.1) is shifted by the band's midpoint m: x − m is exact
/// there (Sterbenz), and without the shift the normal equations lose log₂(|m|/spread) bits of every
/// slope (y + 1e15 moved the slopes of an 80-row fit by up to 0.9) and such a column looks collinear with
/// the intercept.
///
/// **Units.** A variable whose smallest and largest nonzero magnitudes (or its median and largest ones)
/// lie in [2⁻¹⁰⁰, 2¹⁰⁰] keeps its units. Any other is multiplied by 2ᵏ, with k bringing its median nonzero
/// magnitude to about 1 but never its largest magnitude above 2⁹⁰⁰ (y) or 2⁶⁰ (a predictor), which leaves
/// room for sums over 2⁴⁰ rows and the products of the two. A gross outlier of 1e308 in y therefore
/// puts the bulk of y near 2⁻¹²³, far from underflow, and the outlier where only its square (which a
/// robust loss does not need) overflows. Multiplying by a power of two is exact short of underflow.
///
/// Data that need neither are fitted as given, bit for bit. Every estimator is regression-, scale- and
/// affine-equivariant, so the fit of ỹ = s_y(y − m_y) on x̃_j = s_j(x_j − m_j) maps back exactly:
/// β_j = β̃_j·s_j/s_y, β₀ = m_y + β̃₀/s_y − Σ_j β_j·m_j, r = r̃/s_y, c = c̃/s_y, σ̂ = σ̃/s_y,
/// Cov = J·Coṽ·Jᵀ for that linear map J; Σρ(r/c) is unchanged, Σ|r| scales by 1/s_y and the adaptive
/// NLL moves by n·log s_y (its n·log c term).
struct DataConditioning: Equatable {
  /// How one variable is brought into range: x̃ = factor·(x − shift).
  struct Change: Equatable {
    var shift = 0.0
    var factor = 1.0
    var isIdentity: Bool { shift == 0 && factor == 1 }
  }

  /// y's change.
  let response: Change
  /// Each design column's (the identity for the intercept).
  let columns: [Change]
  /// Whether column 0 is the intercept (shifts need one).
  let hasIntercept: Bool

  var isIdentity: Bool { response.isIdentity && columns.allSatisfy(\.isIdentity) }

  /// Magnitudes in this window are left in their units.
  static let window = 0x1p-100...0x1p100
  /// A variable in a band narrower than this fraction of its size is shifted (with an intercept).
  static let narrowBand = 0x1p-10

  /// The conditioned design's largest magnitude per column (1 for the intercept), for bounds on the
  /// rounding of X·β (``ExactFit``) without another pass over X.
  let conditionedMagnitudes: [Double]

  /// The conditioning decided elsewhere (the distributed fit, from its passes).
  init(response: Change, columns: [Change], hasIntercept: Bool, conditionedMagnitudes: [Double]) {
    self.response = response
    self.columns = columns
    self.hasIntercept = hasIntercept
    self.conditionedMagnitudes = conditionedMagnitudes
  }

  /// Reads every value once (the fit has checked that they are finite), or, given the `ranges`, a
  /// sample of each variable (and all of a variable whose units or origin change).
  init(design: DesignMatrix, response y: [Double], ranges: DataRanges? = nil) {
    hasIntercept = design.hasIntercept
    response = y.withUnsafeBufferPointer {
      Self.change($0, range: ranges?.response, ceiling: 900, mayShift: design.hasIntercept).change
    }
    let n = design.rows
    var changes: [Change] = [], magnitudes: [Double] = []
    design.values.withUnsafeBufferPointer { all in
      for j in 0..<design.columns {
        if design.hasIntercept && j == 0 {
          changes.append(Change())
          magnitudes.append(1)
          continue
        }
        let column = UnsafeBufferPointer(rebasing: all[(j * n)..<((j + 1) * n)])
        let (change, largest) = Self.change(column, range: ranges?.columns[j], ceiling: 60,
                                            mayShift: design.hasIntercept)
        changes.append(change)
        magnitudes.append(largest * change.factor)
      }
    }
    columns = changes
    conditionedMagnitudes = magnitudes
  }

  /// Whether values in [low, high] lie in a band so narrow, away from 0, that they are shifted to its
  /// midpoint (when the model has an intercept to absorb the shift).
  static func isNarrow(low: Double, high: Double) -> Bool {
    let largest = Swift.max(Swift.abs(low), Swift.abs(high))
    return high - low <= narrowBand * largest && low != high && (low > 0) == (high > 0)
  }

  /// Whether a variable whose largest and smallest nonzero magnitudes are these keeps its units.
  static func isInWindow(largest: Double, smallest: Double) -> Bool {
    largest == 0 || (window.contains(largest) && window.contains(smallest))
  }

  /// The change for one variable (see the type's comment), and the largest |v − shift|; `range` is
  /// min v ... max v when known (then only the sample of small magnitudes is read).
  static func change(_ values: UnsafeBufferPointer<Double>, range known: ClosedRange<Double>? = nil, ceiling: Int,
                     mayShift: Bool) -> (change: Change, largest: Double) {
    let (low, high, smallest) = known.map { ($0.lowerBound, $0.upperBound, sampledSmallest(values)) } ?? range(values)
    guard low <= high else { return (Change(), 0) }
    let (shift, measure) = origin(low: low, high: high, smallest: smallest, mayShift: mayShift)
    let largest = shift != 0 ? Swift.max(high - shift, shift - low) : Swift.max(Swift.abs(low), Swift.abs(high))
    guard measure else { return (Change(), largest) }
    return (Change(shift: shift, factor: factor(values, shift: shift, ceiling: ceiling)), largest)
  }

  /// The rule's first step, from a variable's range (min v, max v and the smallest nonzero |v| seen):
  /// its shift (the band's midpoint when it is narrow and `mayShift`, else 0) and whether its units
  /// need the magnitudes of v − shift (``factor(smallest:largest:median:ceiling:)``). The fit in memory
  /// and the distributed fit (``DistributedFit``, from its range pass) both decide by it.
  static func origin(low: Double, high: Double, smallest: Double, mayShift: Bool) -> (shift: Double, measure: Bool) {
    guard low <= high else { return (0, false) }
    if mayShift, isNarrow(low: low, high: high) { return (low + (high - low) / 2, true) }
    // Unshifted: every nonzero magnitude in the window needs no median (the common case).
    return (0, !isInWindow(largest: Swift.max(Swift.abs(low), Swift.abs(high)), smallest: smallest))
  }

  /// The rule's second step: 2ᵏ from the smallest, largest and median of the nonzero |v − shift| (the
  /// median asked for only when the smallest or largest lies outside the window); 1 for a variable that
  /// is in the window or all equal to its shift.
  static func factor(smallest: Double, largest: Double, median: () throws -> Double, ceiling: Int) rethrows -> Double {
    guard largest > 0 else { return 1 }
    // Every nonzero magnitude in the window (one cheap pass): no median needed.
    if window.contains(largest) && window.contains(smallest) { return 1 }
    let middle = try median()
    if window.contains(largest) && window.contains(middle) { return 1 }
    // (k within the exponents of normal doubles, so that the factor and its reciprocal are numbers:
    // subnormal data then end near 2⁻³⁵ rather than 1.)
    let k = Swift.min(Swift.max(Swift.min(-Int(middle.exponent), ceiling - Int(largest.exponent)), -1022), 1023)
    return Double(sign: .plus, exponent: k, significand: 1)
  }

  /// min v and max v in one pass (four independent lanes of compare-and-select, which the compiler
  /// turns into packed min/max), and the smallest nonzero |v| of a strided sample of at most 4096 values.
  /// The sample stands in for the variable's small magnitudes in the decision whether to change its
  /// units: a variable whose bulk is far below the window shows it in any such sample, and either
  /// decision gives the same fit (the change is exact), so a sample suffices.
  static func range(_ values: UnsafeBufferPointer<Double>) -> (low: Double, high: Double, smallest: Double) {
    var lo = (Double.infinity, Double.infinity, Double.infinity, Double.infinity)
    var hi = (-Double.infinity, -Double.infinity, -Double.infinity, -Double.infinity)
    let count = values.count, whole = count / 4 * 4
    var i = 0
    while i < whole {
      let a = values[i], b = values[i + 1], c = values[i + 2], d = values[i + 3]
      lo = (a < lo.0 ? a : lo.0, b < lo.1 ? b : lo.1, c < lo.2 ? c : lo.2, d < lo.3 ? d : lo.3)
      hi = (a > hi.0 ? a : hi.0, b > hi.1 ? b : hi.1, c > hi.2 ? c : hi.2, d > hi.3 ? d : hi.3)
      i += 4
    }
    var low = Swift.min(Swift.min(lo.0, lo.1), Swift.min(lo.2, lo.3))
    var high = Swift.max(Swift.max(hi.0, hi.1), Swift.max(hi.2, hi.3))
    while i < count {
      low = Swift.min(low, values[i])
      high = Swift.max(high, values[i])
      i += 1
    }
    return (low, high, sampledSmallest(values))
  }

  /// The smallest nonzero |v| of a strided sample of at most 4096 values (see ``range(_:)``).
  static func sampledSmallest(_ values: UnsafeBufferPointer<Double>) -> Double {
    var smallest = Double.infinity
    let stride = Swift.max(1, values.count / 4096)
    for k in Swift.stride(from: 0, to: values.count, by: stride) where values[k] != 0 {
      smallest = Swift.min(smallest, Swift.abs(values[k]))
    }
    return smallest
  }

  /// 2ᵏ for one variable after its shift (``factor(smallest:largest:median:ceiling:)`` from its values).
  static func factor(_ values: UnsafeBufferPointer<Double>, shift: Double, ceiling: Int) -> Double {
    var smallest = Double.infinity, largest = 0.0
    for v in values where v != shift {
      let magnitude = abs(v - shift)
      smallest = min(smallest, magnitude)
      largest = max(largest, magnitude)
    }
    return factor(smallest: smallest, largest: largest, median: {
      var magnitudes = values.compactMap { $0 != shift ? abs($0 - shift) : nil }
      return magnitudes.withUnsafeMutableBufferPointer { Selection.median(reordering: $0) }
    }, ceiling: ceiling)
  }

  /// The design in the new units and origins.
  func conditioned(_ design: DesignMatrix) -> DesignMatrix {
    let n = design.rows
    var values = design.values
    for (j, change) in columns.enumerated() where !change.isIdentity {
      for i in (j * n)..<((j + 1) * n) { values[i] = (values[i] - change.shift) * change.factor }
    }
    return DesignMatrix(checkedRows: n, columns: design.columns, values: values, names: design.names,
                        hasIntercept: design.hasIntercept)
  }

  /// y in its new unit and origin.
  func conditioned(_ y: [Double]) -> [Double] {
    response.isIdentity ? y : y.map { ($0 - response.shift) * response.factor }
  }

  /// Coefficients of the original data in the new units (for a given start).
  func conditionedCoefficients(_ beta: [Double]) -> [Double] {
    var tilde = zip(beta, columns).map { $0 * response.factor / $1.factor }
    if hasIntercept, !tilde.isEmpty {
      var intercept = beta[0] - response.shift
      for j in 1..<beta.count { intercept += beta[j] * columns[j].shift }
      tilde[0] = intercept * response.factor
    }
    return tilde
  }

  /// The options in the new units: a fixed c and given start coefficients.
  func conditioned(_ options: FitOptions) -> FitOptions {
    var options = options
    if case .fixed(let c) = options.scale { options.scale = .fixed(c * response.factor) }
    if case .coefficients(let beta) = options.start, beta.count == columns.count {
      options.start = .coefficients(conditionedCoefficients(beta))
    }
    return options
  }

  /// Coefficients in the units and origins of the data: β = a + J·β̃.
  func originalCoefficients(_ tilde: [Double]) -> [Double] {
    var beta = zip(tilde, columns).map { $0 * $1.factor / response.factor }
    if hasIntercept, !beta.isEmpty {
      var intercept = response.shift + tilde[0] / response.factor
      for j in 1..<beta.count where columns[j].shift != 0 { intercept -= beta[j] * columns[j].shift }
      beta[0] = intercept
    }
    return beta
  }

  /// The map β̃ → β as rows: row j of J (β_j = a_j + Σ_k J_jk·β̃_k) divided by its largest magnitude g_j,
  /// and g_j. Kept apart so that variances are formed from unit rows: J_jj = s_j/s_y can be 2⁶⁶⁴ (a
  /// column of 1e-200) while the standard error it scales is an ordinary number.
  func unitRows() -> (rows: [[Double]], sizes: [Double]) {
    let p = columns.count
    var rows = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
    var sizes = [Double](repeating: 1, count: p)
    for j in 0..<p {
      // In exponent arithmetic: s_j/s_y and m_k·s_k/s_y may themselves overflow.
      var row = [Double](repeating: 0, count: p)
      var exponents = [Int](repeating: 0, count: p)
      row[j] = 1
      exponents[j] = columns[j].factor.exponent - response.factor.exponent
      if hasIntercept && j == 0 {
        for k in 1..<p where columns[k].shift != 0 {
          row[k] = -columns[k].shift.significand * (columns[k].shift < 0 ? -1 : 1)
          exponents[k] = columns[k].shift.exponent + columns[k].factor.exponent - response.factor.exponent
        }
      }
      let top = (0..<p).filter { row[$0] != 0 }.map { exponents[$0] }.max() ?? 0
      rows[j] = (0..<p).map { row[$0] == 0 ? 0 : Double(sign: .plus, exponent: exponents[$0] - top, significand: row[$0]) }
      sizes[j] = Double(sign: .plus, exponent: top, significand: 1)
    }
    return (rows, sizes)
  }

  /// The inference of β from that of β̃: each standard error g_j·√(uⱼᵀ·C̃·uⱼ) from the unit row uⱼ, and t,
  /// p and intervals from them; the covariance g_j·g_k·uⱼᵀC̃u_k, whose entries overflow to ±∞ where a
  /// standard error exceeds about 1e154 (the variance itself is then beyond the double range).
  func originalInference(_ given: Inference, coefficients: [Double], names: [String]) throws -> Inference {
    let p = coefficients.count
    let (rows, sizes) = unitRows()
    let c = given.covariance
    func form(_ a: [Double], _ b: [Double]) -> Double {
      var total = 0.0
      for k in 0..<p where a[k] != 0 { for l in 0..<p where b[l] != 0 { total += a[k] * c[l * p + k] * b[l] } }
      return total
    }
    var covariance = [Double](repeating: 0, count: p * p)
    for j in 0..<p { for k in 0..<p { covariance[k * p + j] = sizes[j] * form(rows[j], rows[k]) * sizes[k] } }
    let se = (0..<p).map { max(form(rows[$0], rows[$0]), 0).squareRoot() * sizes[$0] }
    let critical = StudentT.quantile(0.5 + given.confidenceLevel / 2, degreesOfFreedom: Double(given.degreesOfFreedom))
    let lower = (0..<p).map { coefficients[$0] - critical * se[$0] }
    let upper = (0..<p).map { coefficients[$0] + critical * se[$0] }
    for j in 0..<p where !(se[j].isFinite && se[j] > 0 && lower[j].isFinite && upper[j].isFinite) {
      let magnitude = Double.log10(max(form(rows[j], rows[j]), .leastNormalMagnitude)) / 2
        + Double(sizes[j].exponent) * Double.log10(2)
      // Beyond the largest double, or (a standard error that underflowed to 0) below the smallest.
      throw RegressionError.outOfRange(.coefficient(names[j]), log10Magnitude: se[j] > 0 ? max(magnitude, 308.3) : magnitude)
    }
    let t = (0..<p).map { se[$0] > 0 ? coefficients[$0] / se[$0] : (coefficients[$0] == 0 ? 0 : .infinity) }
    return Inference(
      covariance: covariance, standardErrors: se, tValues: t,
      pValues: t.map { StudentT.twoSidedPValue($0, degreesOfFreedom: Double(given.degreesOfFreedom)) },
      lower: lower, upper: upper, degreesOfFreedom: given.degreesOfFreedom,
      confidenceLevel: given.confidenceLevel, method: given.method)
  }

  /// The objective in the units of the data: Σρ(r/c) is unchanged, Σ|r| is divided by s_y, and the NLL
  /// loses n·log s_y (its n·log c term, with c = c̃/s_y).
  func originalObjective(_ value: Double, kind: RegressionFit.Objective.Kind, rows n: Double) -> Double {
    switch kind {
    case .sumOfLosses: value
    case .sumOfAbsoluteResiduals, .mScale: value / response.factor
    case .negativeLogLikelihood: value - n * Double.log(response.factor)
    }
  }

  /// The fit of the conditioned data, mapped back to the units and origins of the data; throws when a
  /// coefficient, its standard error or an interval end does not fit in a double there.
  /// `totalWeight` is Σwᵢ of the case weights (n without them): the NLL's count.
  func original(_ fit: FitOutcome, totalWeight: Double) throws -> FitOutcome {
    guard !isIdentity else { return fit }
    let coefficients = originalCoefficients(fit.coefficients)
    try checkRange(coefficients, tilde: fit.coefficients, names: fit.names)
    let kind = fit.objectiveKind, n = totalWeight
    let isAbsolute = kind == .sumOfAbsoluteResiduals
    let inference = try fit.inference.map { try originalInference($0, coefficients: coefficients, names: fit.names) }
    let s = response.factor
    let history = fit.history.map {
      IterationRecord(iteration: $0.iteration, objective: originalObjective($0.objective, kind: kind, rows: n),
                      scale: isAbsolute ? $0.scale : $0.scale / s,
                      coefficients: originalCoefficients($0.coefficients), relativeStep: $0.relativeStep)
    }
    let adaptive = fit.adaptive.map {
      var summary = $0
      summary.scaleStandardError = $0.scaleStandardError.map { $0 / s }
      summary.selection = $0.selection.inUnits(of: s, rows: n)
      return summary
    }
    let residuals = fit.residuals.map { $0 / s }
    let scale = isAbsolute ? fit.scale : fit.scale / s, sigma = fit.sigma / s
    let objective = originalObjective(fit.objective, kind: kind, rows: n)
    // What a double cannot hold in the units of the data (the tilde values are finite).
    func magnitude(_ tilde: Double) -> Double { Double.log10(abs(tilde)) - Double(s.exponent) * Double.log10(2) }
    if !scale.isFinite { throw RegressionError.outOfRange(.lossScale, log10Magnitude: magnitude(fit.scale)) }
    if !sigma.isFinite { throw RegressionError.outOfRange(.residualScale, log10Magnitude: magnitude(fit.sigma)) }
    if let row = residuals.firstIndex(where: { !$0.isFinite }) {
      throw RegressionError.outOfRange(.residual(row: row), log10Magnitude: magnitude(fit.residuals[row]))
    }
    if !objective.isFinite {
      // |r|/c is the same in both units (for L1, c is one unit of y: s_y in the conditioned data).
      throw RegressionError.objectiveOverflow(residuals: fit.residuals, scale: isAbsolute ? s : fit.scale)
    }
    var original = fit
    original.coefficients = coefficients
    original.residuals = residuals
    original.scale = scale
    original.sigma = sigma
    original.objective = objective
    original.inference = inference
    original.history = history
    original.adaptive = adaptive
    original.sEstimate = fit.sEstimate.map {
      SEstimator.Estimate(coefficients: originalCoefficients($0.coefficients), scale: $0.scale / s,
                          converged: $0.converged)
    }
    return original
  }

  /// Throws ``RegressionError/outOfRange(_:log10Magnitude:)`` for the first coefficient
  /// that overflowed in the map back, with its size from logs (x ≈ 1e-307 for y ≈ 1e307: about 1e614).
  func checkRange(_ beta: [Double], tilde: [Double], names: [String]) throws {
    for (j, value) in beta.enumerated() where !value.isFinite {
      let magnitude = Double.log10(abs(tilde[j]))
        + Double(columns[j].factor.exponent - response.factor.exponent) * Double.log10(2)
      throw RegressionError.outOfRange(.coefficient(names[j]), log10Magnitude: max(magnitude, 308.3))
    }
  }
}
