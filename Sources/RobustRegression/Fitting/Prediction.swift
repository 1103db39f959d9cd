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

/// What prediction needs of a fit, and nothing that grows with n: the coefficients, their covariance,
/// the error scale of a new observation and the column names. `Codable`, so that a fit can be saved
/// (`robustfit fit --save-fit`) and applied later (`robustfit predict`).
public struct FittedModel: Sendable, Hashable, Codable {
  /// The loss the model was fitted with.
  public let loss: Loss
  /// The design's column names (intercept first when there is one).
  public let names: [String]
  /// β̂, in column order.
  public let estimates: [Double]
  /// Cov(β̂) and how it was computed; nil where the fit has none.
  public let covariance: RegressionFit.Covariance?
  /// The scale σ of a new observation's error (``RegressionFit/predictionErrorScale``).
  public let predictionErrorScale: Double
  /// The default level of the intervals.
  public let confidenceLevel: Double

  public init(loss: Loss, names: [String], estimates: [Double], covariance: RegressionFit.Covariance?,
              predictionErrorScale: Double, confidenceLevel: Double) {
    self.loss = loss
    self.names = names
    self.estimates = estimates
    self.covariance = covariance
    self.predictionErrorScale = predictionErrorScale
    self.confidenceLevel = confidenceLevel
  }

  /// Whether the first column is the intercept.
  public var hasIntercept: Bool { names.first == DesignMatrix.interceptName }
  /// The predictor names (without the intercept).
  public var predictorNames: [String] { Array(names.dropFirst(hasIntercept ? 1 : 0)) }

  /// Predictions at the rows of `design` (the model's columns: same names, so an intercept column too),
  /// with intervals at `level` (default ``confidenceLevel``) from Student's t with the covariance's
  /// degrees of freedom.
  ///
  /// - Throws: ``RegressionError/columnMismatch(expected:got:)``, ``RegressionError/nonFinite(column:name:row:)``,
  ///   and ``RegressionError/invalidArgument(_:)`` for a level outside (0, 1).
  public func predictions(for design: DesignMatrix, level: Double? = nil) throws(RegressionError) -> [Prediction] {
    let level = level ?? confidenceLevel
    guard level > 0, level < 1 else { throw .invalidArgument(.confidenceLevel(level)) }
    let fitted = try design.fittedValues(names: names, estimates: estimates)
    guard let covariance else {
      return fitted.map { Prediction(fitted: $0, standardError: nil, confidenceInterval: nil, predictionInterval: nil) }
    }
    let p = names.count, v = covariance.matrix
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
  /// the model has one.
  public func predictions(predictors: [[Double]], level: Double? = nil) throws(RegressionError) -> [Prediction] {
    guard predictors.count == predictorNames.count else {
      throw .columnMismatch(expected: predictorNames, got: (0..<predictors.count).map { "x\($0 + 1)" })
    }
    return try predictions(for: DesignMatrix(predictors: predictors, names: predictorNames, intercept: hasIntercept),
                           level: level)
  }
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

  /// What prediction needs of this fit (``FittedModel``).
  public var model: FittedModel {
    FittedModel(loss: loss, names: names, estimates: estimates, covariance: covariance,
                predictionErrorScale: predictionErrorScale, confidenceLevel: regression.confidenceLevel)
  }

  /// ``FittedModel/predictions(for:level:)`` of this fit's ``model``.
  public func predictions(for design: DesignMatrix, level: Double? = nil) throws(RegressionError) -> [Prediction] {
    try model.predictions(for: design, level: level)
  }

  /// ``FittedModel/predictions(predictors:level:)`` of this fit's ``model``.
  public func predictions(predictors: [[Double]], level: Double? = nil) throws(RegressionError) -> [Prediction] {
    try model.predictions(predictors: predictors, level: level)
  }
}

extension DesignMatrix {
  /// X·β for a fit or model with columns `names` and coefficients `estimates`: the columns must be the
  /// same (``RegressionError/columnMismatch(expected:got:)``), the values finite.
  func fittedValues(names: [String], estimates: [Double]) throws(RegressionError) -> [Double] {
    guard self.names == names else { throw .columnMismatch(expected: names, got: self.names) }
    try checkFinite()
    return multiplied(by: estimates)
  }
}
