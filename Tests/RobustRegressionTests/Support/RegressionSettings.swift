import RobustRegression

extension Regression {
  /// These settings with `loss`: the tests sweep losses under one set of settings.
  func using(_ loss: Loss) -> Regression {
    var copy = self
    copy.loss = loss
    return copy
  }
}

/// The adaptive fit's facts, read from the self-describing result in one place for the tests.
struct AdaptiveFacts {
  let alphaOnBound: Bool
  let scaleOnBound: Bool
  let alphaStandardError: Double?
  let scaleStandardError: Double?
  let alphaRange: ClosedRange<Double>
}

extension RegressionFit {
  /// The shape and scale estimates of an adaptive fit; nil for the fixed losses.
  var adaptiveSummary: AdaptiveFacts? {
    guard case .estimated(_, let alphaSE, let alphaOnBound, let range) = shape,
          case .estimated(let scaleSE, let onFloor) = lossScaleSource else { return nil }
    return AdaptiveFacts(alphaOnBound: alphaOnBound, scaleOnBound: onFloor, alphaStandardError: alphaSE,
                         scaleStandardError: scaleSE, alphaRange: range)
  }
}
