/// How a fit chooses the loss scale c (the residual size where the loss bends, in units of y).
public enum ScaleRule: Sendable, Hashable {
  /// c = k·σ̂ with σ̂ the MAD of the residuals (centred at 0); `tuning` overrides the loss's default
  /// k; `update` re-estimates σ̂ from the current residuals every iteration (the default, as
  /// statsmodels and MASS) or holds the σ̂ of the start.
  case mad(tuning: Double? = nil, update: Bool = true)
  /// c fixed by the user; σ̂ plays no part in the fit.
  case fixed(Double)
}

/// Where IRLS starts.
public enum StartRule: Sendable, Hashable {
  /// OLS for convex losses, a Huber fit for redescending ones (Docs/spec.md §4).
  case automatic
  /// Ordinary least squares.
  case ordinaryLeastSquares
  /// A Huber fit (k = 1.345, MAD scale) started from OLS.
  case huber
  /// Least absolute deviations (exact).
  case absolute
  /// Given coefficients, in the design's column order.
  case coefficients([Double])
}

/// The L1 algorithm.
public enum AbsoluteMethod: String, Sendable, Hashable, CaseIterable {
  /// IRLS followed by an exact basis (simplex) finish: the LP optimum.
  case irls
  /// Subgradient descent with diminishing steps: the slow first-order baseline.
  case subgradient
}

/// Options of a robust fit. The defaults follow Docs/spec.md §4.
public struct FitOptions: Sendable, Hashable {
  /// How the loss scale c is set.
  public var scale: ScaleRule
  /// The start.
  public var start: StartRule
  /// Stop when the relative changes of the objective and of the coefficients are both below this.
  /// The default 1e-10 leaves the coefficients accurate to about 1e-9 relative while IRLS converges
  /// linearly.
  public var tolerance: Double
  /// The iteration cap; reaching it ends the fit with ``Termination/iterationLimit``.
  public var maxIterations: Int
  /// Keep one ``IterationRecord`` per iteration.
  public var recordHistory: Bool
  /// The L1 algorithm.
  public var absoluteMethod: AbsoluteMethod
  /// Residuals with |r|/σ̂ above this are flagged as outliers (default 2.5).
  public var outlierThreshold: Double

  /// Options with Docs/spec.md's defaults.
  public init(scale: ScaleRule = .mad(), start: StartRule = .automatic, tolerance: Double = 1e-10,
              maxIterations: Int = 500, recordHistory: Bool = false,
              absoluteMethod: AbsoluteMethod = .irls, outlierThreshold: Double = 2.5) {
    self.scale = scale
    self.start = start
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.recordHistory = recordHistory
    self.absoluteMethod = absoluteMethod
    self.outlierThreshold = outlierThreshold
  }
}
