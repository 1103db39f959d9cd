/// Something a reader of a fit should know: typed, so that a program can act on it, and readable
/// (`description`) for people.
public enum FitWarning: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Barron's loss at `alpha` (in about (1.5788, 2.5184), α ≠ 2) has no tuning constant of 95 %
  /// Gaussian efficiency (every k is more efficient) and none was given: k = 1 was used, so c = σ̂.
  case noEfficientTuningConstant(alpha: Double)
  /// The robust scale σ̂ is 0: more than half of the points lie exactly on the fitted hyperplane, which
  /// the fit interpolates; no standard errors.
  case zeroResidualScale
  /// No standard errors, for the reason given.
  case standardErrorsUnavailable(StandardErrorProblem)
  /// IRLS reached the iteration limit before converging to `tolerance`.
  case iterationLimit(iterations: Int, tolerance: Double)
  /// The adaptive fit reached the iteration limit before converging.
  case adaptiveIterationLimit(iterations: Int)
  /// The weighted least-squares system lost rank (too many rows with weight 0).
  case rankLost
  /// The adaptive fit's c ended on its floor (10⁻⁶ × the start's residual scale).
  case lossScaleOnFloor
  /// The exact L1 finish stopped on a degenerate basis before proving optimality.
  case absoluteFinishUnproven
  /// The subgradient L1 method stops on stalling, not at the exact optimum.
  case subgradientBaseline
  /// L1 with nid standard errors: on `rows` rows the quantile fits at ½ − h and ½ + h cross or meet
  /// (xᵢᵀ(β̂(½ + h) − β̂(½ − h)) ≤ ε, quantreg's ε = √(machine ε)), so their local density is taken as 0
  /// in the sandwich, as quantreg does it (its warning "k non-positive fis", which counts the differences
  /// ≤ 0 and so may leave out a row where both fits meet and rounding left +3e-15).
  case nonPositiveLocalDensities(rows: Int)
  /// The S-estimate's best candidates did not converge in their refinement steps: the S-estimate (and
  /// the MM-estimate started from it) is the last iterate.
  case sRefinementNotConverged
  /// The likelihood-adaptive fit has p/n > 0.1 (`parameters` coefficients, `rows` observations): the fit
  /// shrinks the residuals towards 0, the likelihood reads the peak as heavy tails, and α̂ and c are biased
  /// down (above p/n ≈ 0.25 α̂ = 0 with a third of the rows flagged happens on Gaussian noise; from
  /// p/n = 0.5 on the likelihood has no minimum at α = 0). Docs/adaptive.md, "Many predictors".
  case manyCoefficientsPerObservation(parameters: Int, rows: Int)

  /// Why the standard errors are missing.
  public enum StandardErrorProblem: Error, Sendable, Hashable, Codable {
    /// The mean of ψ′ over the residuals is `meanSlope` ≤ 0 (too many points beyond the loss's turning
    /// point for the sandwich formula).
    case nonPositiveSlope(meanSlope: Double)
    /// The covariance is not finite or has a zero variance (an exact fit).
    case degenerateCovariance
    /// L1: the density of the residuals at 0 could not be estimated.
    case sparsityNotEstimable
    /// L1 with fractional case weights: quantreg's iid sparsity is defined for repeated rows (whole-number
    /// weights) only.
    case sparsityNeedsWholeWeights
    /// Adaptive: the NLL's observed information is not positive definite.
    case informationNotPositiveDefinite
    /// L1 with nid standard errors: the local densities are 0 on so many rows (the quantile fits at
    /// ½ ± h meet there: an exact fit, or discrete y whose quantiles are flat around the median) that
    /// D = Σfᵢxᵢxᵢᵀ is singular. quantreg stops there with "singular matrix in 'backsolve'".
    case localDensitiesSingular
  }

  public var description: String {
    switch self {
    case .noEfficientTuningConstant(let alpha):
      "no 95 %-efficiency tuning constant k exists for α = \(Loss.format(alpha: alpha)) (every k is more "
        + "efficient); k = 1 was used, so c = σ̂ (give a tuning constant or a scale to choose c)"
    case .zeroResidualScale:
      "the robust scale is 0: more than half of the points lie exactly on the fitted hyperplane, so the fit "
        + "interpolates them; standard errors are not available (a fixed loss scale weighs the other points)"
    case .standardErrorsUnavailable(let problem):
      switch problem {
      case .nonPositiveSlope(let m):
        "standard errors are not available: the mean of ψ′ over the residuals is \(m) ≤ 0 "
          + "(too many points beyond the loss's turning point for the sandwich formula)"
      case .degenerateCovariance:
        "standard errors are not available: the covariance is not finite or has a zero variance (an exact fit)"
      case .sparsityNotEstimable:
        "standard errors are not available: the residual density at 0 could not be estimated"
      case .sparsityNeedsWholeWeights:
        "standard errors are not available: the L1 sparsity (quantreg's se = \"iid\") needs whole-number case weights"
      case .informationNotPositiveDefinite:
        "standard errors are not available: the NLL's observed information is not positive definite"
      case .localDensitiesSingular:
        "standard errors are not available: the nid local densities are 0 on too many rows (the quantile fits "
          + "at ½ ± h meet there), so the sandwich's D = Σfᵢxᵢxᵢᵀ is singular; the iid standard errors may exist"
      }
    case .iterationLimit(let iterations, let tolerance):
      "IRLS did not converge in \(iterations) iterations (tolerance \(tolerance))"
    case .adaptiveIterationLimit(let iterations):
      "the adaptive fit did not converge in \(iterations) iterations"
    case .rankLost:
      "the weighted least-squares system lost rank (too many points with weight 0)"
    case .lossScaleOnFloor:
      "the scale c ended on its floor (10⁻⁶ × the start's residual scale): many residuals are (nearly) exactly 0"
    case .absoluteFinishUnproven:
      "the exact L1 finish stopped before proving optimality (degenerate basis)"
    case .sRefinementNotConverged:
      "the S-estimate's refinements did not converge in 200 steps: its coefficients and scale are the last iterate"
    case .manyCoefficientsPerObservation(let p, let n):
      "p/n = \(p)/\(n) = \((Double(p) / Double(n) * 100).rounded() / 100): with this many coefficients per "
        + "observation the fit shrinks the residuals towards 0 and the likelihood reads that as heavy tails, so α "
        + "and c are biased down and too many points may be flagged (from p/n ≈ 0.25 even on Gaussian noise); "
        + "the variance criterion, fewer predictors or a fixed loss are not affected so"
    case .nonPositiveLocalDensities(let rows):
      "nid standard errors: on \(rows) row\(rows == 1 ? "" : "s") the quantile fits at ½ ± h cross or meet "
        + "(ŷ(½ + h) − ŷ(½ − h) ≤ 0), so \(rows == 1 ? "its" : "their") local density is taken as 0 "
        + "in the sandwich, as quantreg does (its warning \"non-positive fis\")"
    case .subgradientBaseline:
      "the subgradient method is a slow first-order baseline: its objective is within its stalling tolerance, "
        + "not at the exact optimum (the default method, irls, finds it)"
    }
  }
}
