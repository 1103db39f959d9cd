/// What the fitting engine returns, before ``RegressionFit`` describes it for users: the estimates,
/// scales, objective and diagnostics of one fit, in the units of the data the engine was given
/// (``DataConditioning/original(_:)`` maps them back).
struct FitOutcome: Sendable {
  /// Column names, intercept first when there is one.
  var names: [String]
  /// β, in column order.
  var coefficients: [Double]
  /// r = y − X·β.
  var residuals: [Double]
  /// The final IRLS weights.
  var weights: [Double]
  /// The loss scale c.
  var scale: Double
  /// σ̂ = MAD/0.6745 of the final residuals.
  var sigma: Double
  /// The tuning constant k with c = k·σ̂, when the scale came from σ̂.
  var tuning: Double?
  /// Barron's α, where the loss has one.
  var alpha: Double?
  /// The objective's value and kind.
  var objective: Double
  var objectiveKind: RegressionFit.Objective.Kind
  var iterations: Int
  var termination: Termination
  var inference: Inference?
  var outliers: [Bool]
  var history: [IterationRecord]
  var warnings: [FitWarning]
  /// What the adaptive fit adds; nil for the fixed losses.
  var adaptive: AdaptiveSummary?
  /// How σ̂ was computed.
  var residualScaleSource: RegressionFit.ResidualScaleSource = .medianAbsoluteResidual
  /// Where c came from, when the estimator says it itself (S and MM); otherwise from the scale rule.
  var lossScaleSource: RegressionFit.LossScaleSource?
  /// The S-estimate behind an S or MM fit.
  var sEstimate: SEstimator.Estimate?
  /// The MM fit's robust R².
  var robustRSquared: (value: Double, adjusted: Double)?
}

/// What the adaptive fit adds to a ``FitOutcome``.
struct AdaptiveSummary: Sendable, Hashable {
  /// The admissible range of α.
  var alphaRange: ClosedRange<Double>
  /// Whether α ended on the lower or upper end of its range.
  var alphaOnBound: Bool
  /// Whether c ended on its data-relative floor.
  var scaleOnBound: Bool
  /// Standard error of α from the observed information; nil when α is on a bound.
  var alphaStandardError: Double?
  /// Standard error of c from the observed information; nil when c is on its floor.
  var scaleStandardError: Double?
  /// How α was chosen: the criterion, its profile over α and the likelihood's profile interval.
  var selection: RegressionFit.ShapeSelection
}

/// Coefficient inference: a covariance and what follows from it.
struct Inference: Sendable, Hashable {
  /// The p × p covariance of the coefficients, column-major.
  let covariance: [Double]
  /// √diag(covariance).
  let standardErrors: [Double]
  /// β / se.
  let tValues: [Double]
  /// Two-sided p-values from Student's t with `degreesOfFreedom`.
  let pValues: [Double]
  /// Lower ends of the confidence intervals.
  let lower: [Double]
  /// Upper ends of the confidence intervals.
  let upper: [Double]
  /// n − p.
  let degreesOfFreedom: Int
  /// The intervals' coverage.
  let confidenceLevel: Double
  /// How the covariance was computed.
  let method: CovarianceMethod
}

extension Inference {
  /// The same inference under another method's name (a special case the general formula reduces to).
  func relabelled(_ method: CovarianceMethod) -> Inference {
    Inference(covariance: covariance, standardErrors: standardErrors, tValues: tValues, pValues: pValues,
              lower: lower, upper: upper, degreesOfFreedom: degreesOfFreedom, confidenceLevel: confidenceLevel,
              method: method)
  }
}
