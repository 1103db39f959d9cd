/// The fitted value of a fit at one new row, with a confidence interval for the mean and a prediction
/// interval for a new observation (``RegressionFit/predictions(for:level:)``).
public struct Prediction: Sendable, Hashable, Codable {
  /// x₀ᵀβ̂.
  public let fitted: Double
  /// se(x₀ᵀβ̂) = √(x₀ᵀ·Cov(β̂)·x₀); nil without a covariance.
  public let standardError: Double?
  /// x₀ᵀβ̂ ± t·se: where the mean of y at x₀ lies; nil without a covariance.
  public let confidenceInterval: ClosedRange<Double>?
  /// x₀ᵀβ̂ ± t·√(σ² + se²), σ the fit's ``RegressionFit/predictionErrorScale``: where a new observation at x₀
  /// lies; nil without a covariance.
  public let predictionInterval: ClosedRange<Double>?
}

extension RegressionFit {
  /// The scale σ of a new observation's error in ``Prediction/predictionInterval``: for least squares
  /// (the classical covariance) s = √(Σwᵢrᵢ²/(n − p)), as statsmodels' `get_prediction` and R's
  /// `predict(lm, interval = "prediction")` use; for every robust fit the robust residual scale σ̂
  /// (``residualScale``), which the outliers do not inflate. The interval then assumes errors of about
  /// Gaussian shape at that scale for the bulk of the data (Docs/prediction.md).
  public var predictionErrorScale: Double {
    guard covariance?.method == .classical else { return residualScale }
    let p = Double(parameterCount)
    let weights = caseWeights ?? Array(repeating: 1, count: residuals.count)
    let total = weights.reduce(0, +)
    let sum = zip(residuals, weights).reduce(0) { $0 + $1.1 * $1.0 * $1.0 }
    return total > p ? (sum / (total - p)).squareRoot() : .nan
  }

  /// Predictions at the rows of `design` (the fitted design's columns: same names, so an intercept
  /// column too), with intervals at `level` (default: the fit's ``Regression/confidenceLevel``) from
  /// Student's t with the fit's residual degrees of freedom.
  ///
  /// - Throws: ``RegressionError/columnMismatch(expected:got:)``, ``RegressionError/nonFinite(column:name:row:)``,
  ///   and ``RegressionError/invalidArgument(_:)`` for a level outside (0, 1).
  public func predictions(for design: DesignMatrix, level: Double? = nil) throws(RegressionError) -> [Prediction] {
    let level = level ?? regression.confidenceLevel
    guard level > 0, level < 1 else { throw .invalidArgument(.confidenceLevel(level)) }
    let fitted = try predict(design)
    guard let covariance else {
      return fitted.map { Prediction(fitted: $0, standardError: nil, confidenceInterval: nil, predictionInterval: nil) }
    }
    let p = parameterCount, v = covariance.matrix
    let t = StudentT.quantile(0.5 + level / 2, degreesOfFreedom: Double(covariance.degreesOfFreedom))
    let sigma = predictionErrorScale
    return (0..<design.rows).map { i in
      var variance = 0.0
      for a in 0..<p {
        var row = 0.0
        for b in 0..<p { row += v[b * p + a] * design[i, b] }
        variance += design[i, a] * row
      }
      let se = max(0, variance).squareRoot()
      let spread = (sigma * sigma + se * se).squareRoot()
      return Prediction(fitted: fitted[i], standardError: se,
                        confidenceInterval: (fitted[i] - t * se)...(fitted[i] + t * se),
                        predictionInterval: sigma.isFinite ? (fitted[i] - t * spread)...(fitted[i] + t * spread) : nil)
    }
  }

  /// ``predictions(for:level:)`` for new predictor columns (each of one length), with an intercept when
  /// the fit had one.
  public func predictions(predictors: [[Double]], level: Double? = nil) throws(RegressionError) -> [Prediction] {
    let hasIntercept = names.first == DesignMatrix.interceptName
    let predictorNames = Array(names.dropFirst(hasIntercept ? 1 : 0))
    guard predictors.count == predictorNames.count else {
      throw .columnMismatch(expected: predictorNames, got: (0..<predictors.count).map { "x\($0 + 1)" })
    }
    return try predictions(for: DesignMatrix(predictors: predictors, names: predictorNames, intercept: hasIntercept),
                           level: level)
  }
}
