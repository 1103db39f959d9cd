import RealModule

/// Exact power-of-two rescaling of y and of the predictor columns, so that a fit never meets the edges
/// of the double range in its own arithmetic (squares, Gram sums, X·β).
///
/// A variable whose median and largest nonzero magnitudes both lie in [2⁻¹⁰⁰, 2¹⁰⁰] is left as it is
/// (factor 1: the fit is bit for bit the fit of the data as given). Any other is multiplied by 2ᵏ,
/// with k bringing its median nonzero magnitude to about 1 but never its largest magnitude above
/// 2⁹⁰⁰ (y) or 2⁶⁰ (a predictor), which leaves room for sums over 2⁴⁰ rows and the products of the
/// two. A gross outlier of 1e308 in y therefore puts the bulk of y near 2⁻¹²³, far from underflow,
/// and the outlier where its square (not needed by a robust loss) is the only thing that overflows.
///
/// Multiplying by a power of two is exact (short of underflow), so every estimator is equivariant
/// under it and the fit on the scaled data maps back exactly: β_j = β̃_j·s_j/s_y, r = r̃/s_y,
/// c = c̃/s_y, σ̂ = σ̃/s_y, Cov_jk = Coṽ_jk·s_j·s_k/s_y²; Σρ(r/c) is unchanged, Σ|r| scales by 1/s_y and
/// the adaptive NLL moves by n·log s_y (its n·log c term).
struct DataScaling: Equatable {
  /// s_y.
  let response: Double
  /// s_j per design column (1 for the intercept).
  let columns: [Double]

  /// Whether every factor is 1.
  var isIdentity: Bool { response == 1 && columns.allSatisfy { $0 == 1 } }

  /// Magnitudes whose median and maximum lie in this window are left unscaled.
  static let window = 0x1p-100...0x1p100

  init(design: DesignMatrix, response y: [Double]) {
    response = Self.factor(y[...], ceiling: 900)
    let n = design.rows
    columns = (0..<design.columns).map { j in
      design.hasIntercept && j == 0 ? 1 : Self.factor(design.values[(j * n)..<((j + 1) * n)], ceiling: 60)
    }
  }

  /// 2ᵏ for one variable (see the type's comment); 1 for a variable that is in the window or all zero.
  static func factor(_ values: ArraySlice<Double>, ceiling: Int) -> Double {
    var smallest = Double.infinity, largest = 0.0
    for v in values where v != 0 && v.isFinite {
      smallest = min(smallest, abs(v))
      largest = max(largest, abs(v))
    }
    guard largest > 0 else { return 1 }
    // Every nonzero magnitude in the window (one cheap pass): no median needed.
    if window.contains(largest) && window.contains(smallest) { return 1 }
    var magnitudes = values.compactMap { $0 != 0 && $0.isFinite ? abs($0) : nil }
    let middle = magnitudes.withUnsafeMutableBufferPointer { Selection.median(reordering: $0) }
    if window.contains(largest) && window.contains(middle) { return 1 }
    let k = min(-Int(middle.exponent), ceiling - Int(largest.exponent))
    return Double(sign: .plus, exponent: k, significand: 1)
  }

  /// The design with column j multiplied by s_j.
  func scaled(_ design: DesignMatrix) -> DesignMatrix {
    let n = design.rows
    var values = design.values
    for (j, s) in columns.enumerated() where s != 1 {
      for i in (j * n)..<((j + 1) * n) { values[i] *= s }
    }
    return DesignMatrix(rows: n, columns: design.columns, columnMajor: values, names: design.names,
                        hasIntercept: design.hasIntercept)
  }

  /// y·s_y.
  func scaled(_ response: [Double]) -> [Double] {
    response == [] || self.response == 1 ? response : response.map { $0 * self.response }
  }

  /// The options in the scaled units: a fixed c and given start coefficients.
  func scaled(_ options: FitOptions) -> FitOptions {
    var options = options
    if case .fixed(let c) = options.scale { options.scale = .fixed(c * response) }
    if case .coefficients(let beta) = options.start, beta.count == columns.count {
      options.start = .coefficients(zip(beta, columns).map { $0 * response / $1 })
    }
    return options
  }

  /// How the objective of a fit maps back.
  enum ObjectiveKind {
    /// Σρ(r/c): unchanged.
    case scaleFree
    /// Σ|r|: divided by s_y.
    case absolute
    /// The NLL: less n·log s_y (its n·log c term, with c = c̃/s_y).
    case negativeLogLikelihood(rows: Int)
  }

  func unscaledObjective(_ value: Double, kind: ObjectiveKind) -> Double {
    switch kind {
    case .scaleFree: value
    case .absolute: value / response
    case .negativeLogLikelihood(let n): value - Double(n) * Double.log(response)
    }
  }

  /// Coefficients in the units of the data.
  func unscaledCoefficients(_ beta: [Double]) -> [Double] {
    zip(beta, columns).map { $0 * $1 / response }
  }

  /// The fit on the scaled data, mapped back to the units of the data; throws when a coefficient, its
  /// standard error or an interval end does not fit in a double there.
  func unscaled(_ fit: RegressionFit) throws -> RegressionFit {
    guard !isIdentity else { return fit }
    let coefficientScale = fit.inference.map { [fit.coefficients, $0.standardErrors, $0.lower, $0.upper] }
      ?? [fit.coefficients]
    for values in coefficientScale {
      for (j, value) in values.enumerated() where value != 0 && !(value * columns[j] / response).isFinite {
        let magnitude = Double.log10(abs(value)) + Double(columns[j].exponent - response.exponent) * Double.log10(2)
        throw RegressionError.coefficientOutOfRange(name: fit.names[j], log10Magnitude: magnitude)
      }
    }
    let kind: ObjectiveKind = fit.lossName == "adaptive"
      ? .negativeLogLikelihood(rows: fit.residuals.count)
      : (fit.lossName == Loss.absolute.name ? .absolute : .scaleFree)
    let isAbsolute = fit.lossName == Loss.absolute.name
    let inference = fit.inference.map { inference -> Inference in
      let p = columns.count
      var covariance = inference.covariance
      for j in 0..<p { for k in 0..<p { covariance[j * p + k] *= columns[j] * columns[k] / (response * response) } }
      return Inference(
        covariance: covariance,
        standardErrors: zip(inference.standardErrors, columns).map { $0 * $1 / response },
        tValues: inference.tValues, pValues: inference.pValues,
        lower: unscaledCoefficients(inference.lower), upper: unscaledCoefficients(inference.upper),
        degreesOfFreedom: inference.degreesOfFreedom, confidenceLevel: inference.confidenceLevel,
        method: inference.method)
    }
    let history = fit.history.map {
      IterationRecord(iteration: $0.iteration, objective: unscaledObjective($0.objective, kind: kind),
                      scale: isAbsolute ? $0.scale : $0.scale / response,
                      coefficients: unscaledCoefficients($0.coefficients), relativeStep: $0.relativeStep)
    }
    let adaptive = fit.adaptive.map {
      AdaptiveSummary(alphaRange: $0.alphaRange, alphaOnBound: $0.alphaOnBound, scaleOnBound: $0.scaleOnBound,
                      alphaStandardError: $0.alphaStandardError,
                      scaleStandardError: $0.scaleStandardError.map { $0 / response })
    }
    return RegressionFit(
      lossName: fit.lossName, names: fit.names, coefficients: unscaledCoefficients(fit.coefficients),
      residuals: fit.residuals.map { $0 / response },
      weights: isAbsolute ? fit.weights.map { $0 * response } : fit.weights,
      scale: isAbsolute ? fit.scale : fit.scale / response, sigma: fit.sigma / response, tuning: fit.tuning,
      alpha: fit.alpha, objective: unscaledObjective(fit.objective, kind: kind), iterations: fit.iterations,
      termination: fit.termination, inference: inference, outliers: fit.outliers, history: history,
      warnings: fit.warnings, adaptive: adaptive)
  }
}
