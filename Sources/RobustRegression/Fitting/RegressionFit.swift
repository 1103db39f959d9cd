/// Coefficient inference: the sandwich covariance and what follows from it.
public struct Inference: Sendable, Hashable {
  /// The p × p covariance of the coefficients, column-major. Where a standard error exceeds about 1e154
  /// (data near 1e±300) a variance is beyond the double range and its entries are ±∞; the standard
  /// errors, t, p and intervals are computed without it and stay finite.
  public let covariance: [Double]
  /// √diag(covariance).
  public let standardErrors: [Double]
  /// β / se.
  public let tValues: [Double]
  /// Two-sided p-values from Student's t with `degreesOfFreedom`.
  public let pValues: [Double]
  /// Lower ends of the confidence intervals.
  public let lower: [Double]
  /// Upper ends of the confidence intervals.
  public let upper: [Double]
  /// n − p.
  public let degreesOfFreedom: Int
  /// The intervals' coverage (0.95).
  public let confidenceLevel: Double
  /// How the covariance was computed, e.g. "Huber sandwich (H1)".
  public let method: String
}

/// The result of a robust fit: what a statistician needs to read it and what a program needs to use it.
public struct RegressionFit: Sendable {
  /// The loss's command-line name (Docs/spec.md §2), `adaptive` for the adaptive fit.
  public let lossName: String
  /// Column names, intercept first when there is one.
  public let names: [String]
  /// β, in column order.
  public let coefficients: [Double]
  /// r = y − X·β.
  public let residuals: [Double]
  /// The final IRLS weights w(r/c) (for L1 σ̂/|r| capped at 1e6; 1 for L2).
  public let weights: [Double]
  /// The loss scale c in the units of y (1 for L2 and L1 unless fixed).
  public let scale: Double
  /// The robust residual scale σ̂ = MAD/0.6745 of the final residuals.
  public let sigma: Double
  /// The tuning constant k with c = k·σ̂, when the scale came from σ̂.
  public let tuning: Double?
  /// Barron's α, where the loss has one.
  public let alpha: Double?
  /// Σρ(rᵢ/c) (Σ|rᵢ| for L1; the NLL for the adaptive fit).
  public let objective: Double
  /// IRLS iterations (outer iterations for the adaptive fit; steps for the subgradient method).
  public let iterations: Int
  /// Why the fit stopped.
  public let termination: Termination
  /// Coefficient inference; nil where it cannot be computed (zero scale, a failed fit, or a
  /// redescending fit with E[ψ′] ≤ 0).
  public let inference: Inference?
  /// Points flagged as outliers: |rᵢ|/σ̂ > the threshold in ``FitOptions/outlierThreshold``.
  public let outliers: [Bool]
  /// Per-iteration records when requested.
  public let history: [IterationRecord]
  /// Things a reader should know (e.g. why standard errors are missing).
  public var warnings: [String]
  /// Extra facts of the adaptive fit; nil for the other losses.
  public let adaptive: AdaptiveSummary?

  /// Whether the fit converged.
  public var converged: Bool { termination.isConverged }
  /// n.
  public var observationCount: Int { residuals.count }
  /// p.
  public var parameterCount: Int { coefficients.count }
  /// ŷ = y − r.
  public func fittedValues(response: [Double]) -> [Double] {
    zip(response, residuals).map { $0 - $1 }
  }
  /// The number of flagged outliers.
  public var outlierCount: Int { outliers.reduce(0) { $0 + ($1 ? 1 : 0) } }
}

/// What the adaptive fit adds to a ``RegressionFit``.
public struct AdaptiveSummary: Sendable, Hashable {
  /// The admissible range of α.
  public let alphaRange: ClosedRange<Double>
  /// Whether α ended on the lower or upper end of its range.
  public let alphaOnBound: Bool
  /// Whether c ended on its data-relative floor.
  public let scaleOnBound: Bool
  /// Standard error of α from the observed information; nil when α is on a bound.
  public let alphaStandardError: Double?
  /// Standard error of c from the observed information; nil when c is on its floor.
  public let scaleStandardError: Double?
}
