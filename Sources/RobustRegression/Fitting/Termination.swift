/// Why a fit stopped.
public enum Termination: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The relative changes of the objective and the coefficients fell below the tolerance.
  case converged
  /// The iteration cap was reached first; the last iterate is reported.
  case iterationLimit
  /// The robust scale σ̂ is 0: more than half of the rows lie on one hyperplane, exactly or to
  /// rounding (a perfect fit of most points, found by ``Regression`` even when IRLS only approaches it
  /// geometrically). The coefficients of that hyperplane are reported; inference is not possible.
  case zeroScale
  /// The weighted system lost rank during the iterations (weights of 0 on the rows that identify
  /// some coefficient); the last full-rank iterate is reported.
  case rankDeficient

  /// Whether this counts as convergence.
  public var isConverged: Bool { self == .converged }

  /// The reports' spelling (the CLI's text and JSON, the distributed fit's result):
  /// `converged`, `iteration_limit`, `zero_scale`, `rank_deficient`.
  public var reportName: String {
    switch self {
    case .converged: "converged"
    case .iterationLimit: "iteration_limit"
    case .zeroScale: "zero_scale"
    case .rankDeficient: "rank_deficient"
    }
  }

  /// A readable sentence.
  public var description: String {
    switch self {
    case .converged: "converged"
    case .iterationLimit: "stopped at the iteration limit before converging"
    case .zeroScale: "stopped: the robust scale is 0 (more than half the points lie exactly on the fit)"
    case .rankDeficient: "stopped: the weighted least-squares system lost rank"
    }
  }
}

/// One IRLS iteration, kept when ``Regression/recordsHistory`` is set.
public struct IterationRecord: Sendable, Hashable, Codable {
  /// 1-based iteration number.
  public let iteration: Int
  /// The objective at this iteration's coefficients.
  public let objective: Double
  /// The loss scale c used for the weights.
  public let scale: Double
  /// The coefficients at this iteration.
  public let coefficients: [Double]
  /// max |Δβ| / max |β| against the previous iterate; nil at the first iteration, which has none.
  public let relativeStep: Double?
}
