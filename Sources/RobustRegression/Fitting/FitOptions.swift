/// How a fit sets the loss scale c, the residual size where the loss bends, in the units of y.
public enum ScaleRule: Sendable, Hashable, Codable {
  /// c = k·σ̂ with k the loss's ``Loss/tuningConstant`` and σ̂ the MAD of the current residuals
  /// (centred at 0), re-estimated at every iteration, as statsmodels' RLM and MASS's `rlm` do. For the
  /// adaptive loss, c is estimated with α.
  case mad
  /// c = k·σ̂ with σ̂ the MAD of the start's residuals, held for the whole fit.
  case madOfStart
  /// c given in the units of y; σ̂ plays no part in the fit.
  case fixed(Double)
}

/// Where IRLS starts.
public enum StartRule: Sendable, Hashable, Codable {
  /// OLS for convex losses, the S-estimate for redescending ones and the adaptive loss (a Huber fit where
  /// n ≤ 2p leaves the S-estimate undefined; Docs/spec.md §4).
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

/// The L1 algorithm (``Loss/absolute(method:)``).
public enum AbsoluteMethod: String, Sendable, Hashable, Codable, CaseIterable {
  /// IRLS followed by an exact basis (simplex) finish: the LP optimum.
  case irls
  /// Subgradient descent with diminishing steps: the slow first-order baseline.
  case subgradient
}

/// The standard errors of the L1 fit (``Regression/absoluteStandardErrors``): two of the choices of R's
/// quantreg `summary.rq(se = …)`, computed as quantreg 5.94 computes them. The default is ``iid``.
public enum AbsoluteStandardErrors: String, Sendable, Hashable, Codable, CaseIterable {
  /// Koenker's iid covariance τ(1 − τ)·s²·(XᵀX)⁻¹, one sparsity s = 1/f(0) for every observation (quantreg's
  /// `se = "iid"`): right when the errors have one distribution whatever x. The default.
  case iid
  /// The Hendricks–Koenker sandwich τ(1 − τ)·D⁻¹(XᵀX)D⁻¹ with D = Σfᵢxᵢxᵢᵀ, a local density fᵢ per
  /// observation from the quantile fits at τ ± h (Hall–Sheather h) (quantreg's `se = "nid"`): for errors
  /// whose spread changes with x, where the iid errors are wrong.
  case nid
}

/// The settings the fitting engine reads, taken from a ``Regression`` (and, for L1, its loss).
struct FitOptions: Sendable, Hashable {
  /// How the loss scale c is set.
  var scale: ScaleRule
  /// The start.
  var start: StartRule
  /// Stop when the relative changes of the objective and of the coefficients are both below this.
  var tolerance: Double
  /// The iteration cap; reaching it ends the fit with ``Termination/iterationLimit``.
  var maxIterations: Int
  /// Keep one ``IterationRecord`` per iteration.
  var recordHistory: Bool
  /// The L1 algorithm.
  var absoluteMethod: AbsoluteMethod
  /// The L1 standard errors.
  var absoluteStandardErrors: AbsoluteStandardErrors
  /// Residuals with |r|/σ̂ above this are flagged as outliers.
  var outlierThreshold: Double
  /// The coverage of the confidence intervals.
  var confidenceLevel: Double
  /// The seed of the high-breakdown estimators' random subsets.
  var seed: UInt64

  init(scale: ScaleRule = .mad, start: StartRule = .automatic, tolerance: Double = 1e-10,
       maxIterations: Int = 500, recordHistory: Bool = false, absoluteMethod: AbsoluteMethod = .irls,
       absoluteStandardErrors: AbsoluteStandardErrors = .iid, outlierThreshold: Double = 2.5, confidenceLevel: Double = 0.95, seed: UInt64 = 1) {
    self.scale = scale
    self.start = start
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.recordHistory = recordHistory
    self.absoluteMethod = absoluteMethod
    self.absoluteStandardErrors = absoluteStandardErrors
    self.outlierThreshold = outlierThreshold
    self.confidenceLevel = confidenceLevel
    self.seed = seed
  }
}
