import RealModule

/// The result of a robust fit, describing itself: what was fitted, the coefficient table, the scales and
/// where they came from, the shape, the objective and its kind, why the fit stopped, and what a reader
/// should know. `Codable` (for archives and services) and `Hashable`; ``predict(_:)`` applies it to
/// new rows.
///
/// A fit that stops early (``Termination``) is still returned: read ``termination`` and ``warnings``.
/// Encoding with `JSONEncoder` needs a `nonConformingFloatStrategy` where a value can be infinite (α = −∞
/// of the Welsch loss, the shape's bound, a covariance beyond the double range).
public struct RegressionFit: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The estimator as it was configured.
  public let regression: Regression
  /// The loss as fitted: the configured loss with the tuning constant actually used (k = 1 where
  /// ``FitWarning/noEfficientTuningConstant(alpha:)`` says no default exists).
  public let loss: Loss
  /// Barron's shape α: none, fixed by the loss, or estimated by the adaptive loss.
  public let shape: Shape
  /// One row per coefficient, in the design's column order (intercept first when there is one).
  public let coefficients: [Coefficient]
  /// β, in column order: the estimates of ``coefficients`` for numeric work.
  public let estimates: [Double]
  /// The coefficients' covariance and how it was computed; nil where it cannot be (zero scale, a failed
  /// fit, or a redescending fit with E[ψ′] ≤ 0: see ``warnings``).
  public let covariance: Covariance?
  /// The loss scale c in the units of y (1 where it plays no part: L1, and least squares unless a tuning
  /// constant was given).
  public let lossScale: Double
  /// Where c came from.
  public let lossScaleSource: LossScaleSource
  /// The robust residual scale σ̂, in the units of y.
  public let residualScale: Double
  /// How σ̂ was computed.
  public let residualScaleSource: ResidualScaleSource
  /// The minimised objective and its kind.
  public let objective: Objective
  /// r = y − X·β.
  public let residuals: [Double]
  /// The final IRLS weights w(r/c) (for L1 σ̂/|r| capped at 1e6; 1 for L2).
  public let weights: [Double]
  /// Whether each row is flagged as an outlier: |rᵢ|/σ̂ > ``Regression/outlierThreshold`` (with σ̂ = 0,
  /// every row off the fit).
  public let outliers: [Bool]
  /// IRLS iterations (outer iterations for the adaptive fit, steps for the subgradient method).
  public let iterations: Int
  /// Why the fit stopped.
  public let termination: Termination
  /// One record per iteration when ``Regression/recordsHistory`` is set.
  public let history: [IterationRecord]
  /// What a reader should know, in the order the fit found it.
  public let warnings: [FitWarning]
  /// The S-estimate behind an S or MM fit (its coefficients and M-scale, and whether its refinements
  /// converged); nil for the other losses.
  public let sEstimate: SEstimate?
  /// lmrob's robust R² and adjusted R² of an MM fit; nil for the other losses.
  public let robustRSquared: RobustRSquared?
  /// The case weights the fit was given (``Regression/fit(_:response:weights:)``); nil for none.
  public let caseWeights: [Double]?
  /// How the adaptive loss chose α: its criterion, the criterion's profile over α and, for the
  /// likelihood, the profile-likelihood interval of α; nil for the fixed losses.
  public let shapeSelection: ShapeSelection?

  /// Whether the fit converged.
  public var converged: Bool { termination.isConverged }
  /// n.
  public var observationCount: Int { residuals.count }
  /// p.
  public var parameterCount: Int { estimates.count }
  /// Σwᵢ (the case weights' sum), or n without case weights: the number of observations the rows stand for.
  public var totalWeight: Double { caseWeights?.reduce(0, +) ?? Double(observationCount) }
  /// The residual degrees of freedom, Σwᵢ − p (n − p without case weights), Σwᵢ rounded to a whole
  /// number of observations, at least 1: the t distribution's df of the covariance's tests.
  public var residualDegreesOfFreedom: Int {
    FitProblem.residualDegreesOfFreedom(totalWeight: totalWeight, parameters: parameterCount)
  }
  /// The column names, in order.
  public var names: [String] { coefficients.map(\.name) }
  /// The 0-based rows flagged as outliers.
  public var outlierRows: [Int] { outliers.indices.filter { outliers[$0] } }
  /// The standard errors in column order (statsmodels' `bse`); nil without a covariance.
  public var standardErrors: [Double]? {
    covariance == nil ? nil : coefficients.map { $0.standardError ?? .nan }
  }
  /// The number of rows whose weight is within 1e-3 of 1 (lmrob's summary of the robustness weights).
  public var weightsNearOne: Int { weights.reduce(0) { $0 + (abs($1 - 1) < 1e-3 ? 1 : 0) } }
  /// The number of flagged outliers.
  public var outlierCount: Int { outliers.reduce(0) { $0 + ($1 ? 1 : 0) } }

  /// ŷ = y − r for the fitted rows.
  public func fittedValues(response: [Double]) -> [Double] {
    zip(response, residuals).map { $0 - $1 }
  }

  /// X·β for new rows: `design` must have the fitted design's columns (same count and names, so an
  /// intercept column too).
  ///
  /// - Throws: ``RegressionError/columnMismatch(expected:got:)`` when the columns differ, and
  ///   ``RegressionError/nonFinite(column:name:row:)`` for a NaN or infinite value.
  public func predict(_ design: DesignMatrix) throws(RegressionError) -> [Double] {
    try design.fittedValues(names: names, estimates: estimates)
  }

  /// X·β for new predictor columns (each of one length), with an intercept when the fit had one.
  public func predict(predictors: [[Double]]) throws(RegressionError) -> [Double] {
    let hasIntercept = names.first == DesignMatrix.interceptName
    let predictorNames = Array(names.dropFirst(hasIntercept ? 1 : 0))
    guard predictors.count == predictorNames.count else {
      throw .columnMismatch(expected: predictorNames, got: (0..<predictors.count).map { "x\($0 + 1)" })
    }
    return try predict(DesignMatrix(predictors: predictors, names: predictorNames, intercept: hasIntercept))
  }

  /// A brief report: the loss, the coefficients with standard errors, the scales and the termination.
  public var description: String {
    var lines = ["\(loss) fit, n = \(observationCount), p = \(parameterCount): \(termination)"]
    for c in coefficients {
      lines.append("  \(c.name): \(c.estimate)" + (c.standardError.map { " ± \($0)" } ?? ""))
    }
    lines.append("  loss scale c = \(lossScale) (\(lossScaleSource)), residual scale σ̂ = \(residualScale) "
      + "(\(residualScaleSource))")
    if let alpha = shape.alpha { lines.append("  α = \(Loss.format(alpha: alpha)) (\(shape))") }
    lines.append("  \(objective)")
    lines += warnings.map { "  warning: \($0)" }
    return lines.joined(separator: "\n")
  }
}

extension RegressionFit {
  /// One row of the coefficient table.
  public struct Coefficient: Sendable, Hashable, Codable {
    /// The column's name.
    public let name: String
    /// β̂.
    public let estimate: Double
    /// √Var(β̂); nil without a covariance.
    public let standardError: Double?
    /// β̂ / se.
    public let tValue: Double?
    /// Two-sided p-value from Student's t with ``Covariance/degreesOfFreedom``.
    public let pValue: Double?
    /// β̂ ± t·se at ``Covariance/confidenceLevel``.
    public let confidenceInterval: ClosedRange<Double>?
  }

  /// The coefficients' covariance.
  public struct Covariance: Sendable, Hashable, Codable {
    /// The p × p matrix, column-major. Where a standard error exceeds about 1e154 (data near 1e±300) a
    /// variance is beyond the double range and its entries are ±∞; the standard errors, t, p and
    /// intervals are computed without it and stay finite.
    public let matrix: [Double]
    /// How it was computed.
    public let method: CovarianceMethod
    /// n − p, the degrees of freedom of t and p.
    public let degreesOfFreedom: Int
    /// The intervals' coverage.
    public let confidenceLevel: Double
  }

  /// The S-estimate of a high-breakdown fit.
  public struct SEstimate: Sendable, Hashable, Codable {
    /// β of the S-estimate, in column order.
    public let coefficients: [Double]
    /// Its M-scale.
    public let scale: Double
    /// Whether the refinements of its best candidates converged.
    public let converged: Bool
  }

  /// lmrob's robust R² (Renaud & Victoria-Feser 2010 with the bisquare correction).
  public struct RobustRSquared: Sendable, Hashable, Codable {
    /// R².
    public let value: Double
    /// R² adjusted for the degrees of freedom.
    public let adjusted: Double
  }

  /// How the adaptive loss chose α (``AdaptiveCriterion``).
  public struct ShapeSelection: Sendable, Hashable, Codable {
    /// The criterion α minimises.
    public let criterion: AdaptiveCriterion
    /// The criterion at the shapes evaluated, in increasing α. For the likelihood, the NLL minimised over
    /// β and c at each α of the start scan's grid (continued from the optimum on all rows); for the
    /// variance, τ̂ of the sandwich at each α of the search (Cov(β̂) = τ̂²·(XᵀX)⁻¹, in the units of y;
    /// +∞ where mean ψ′ ≤ 0), on the rows it searched.
    public let profile: [ProfilePoint]
    /// The profile-likelihood interval of α (likelihood only).
    public let alphaInterval: AlphaInterval?

    /// This selection with y divided by `factor`: NLLs lose n·log(factor), τ̂ and c are divided by it.
    func inUnits(of factor: Double, rows n: Double) -> ShapeSelection {
      let points = profile.map { point in
        ProfilePoint(alpha: point.alpha,
                     value: criterion == .likelihood ? point.value - n * Double.log(factor) : point.value / factor,
                     lossScale: point.lossScale / factor)
      }
      return ShapeSelection(criterion: criterion, profile: points, alphaInterval: alphaInterval)
    }
  }

  /// The adaptive criterion at one shape.
  public struct ProfilePoint: Sendable, Hashable, Codable {
    /// The shape α.
    public let alpha: Double
    /// The criterion there: the profiled NLL, or τ̂.
    public let value: Double
    /// The loss scale c at that α: the profiled c, or k(α)·σ̂.
    public let lossScale: Double
  }

  /// The profile-likelihood interval of α: the α whose profiled NLL is within χ²₁(level)/2 of the
  /// minimum. An end on the α range's bound (``lowerOnBound``, ``upperOnBound``) means the profile stays
  /// below that threshold up to the bound: the data do not exclude shapes beyond it that the range left out.
  public struct AlphaInterval: Sendable, Hashable, Codable {
    /// The coverage, ``Regression/confidenceLevel``.
    public let level: Double
    /// The lower end.
    public let lower: Double
    /// The upper end.
    public let upper: Double
    /// Whether the lower end is the range's lower bound.
    public let lowerOnBound: Bool
    /// Whether the upper end is the range's upper bound.
    public let upperOnBound: Bool
  }

  /// Barron's shape α of the fitted loss.
  public enum Shape: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The loss is not in Barron's family (L1, Huber, Tukey, custom).
    case notInFamily
    /// α fixed by the loss.
    case fixed(alpha: Double)
    /// α estimated within `range` (the adaptive loss), with its standard error from the observed
    /// information (nil when α ended on a bound of `range`, where the information says nothing).
    case estimated(alpha: Double, standardError: Double?, onBound: Bool, range: ClosedRange<Double>)

    /// α, where the loss has one.
    public var alpha: Double? {
      switch self {
      case .notInFamily: nil
      case .fixed(let alpha), .estimated(let alpha, _, _, _): alpha
      }
    }

    public var description: String {
      switch self {
      case .notInFamily: "not in Barron's family"
      case .fixed: "fixed"
      case .estimated(_, let se, let onBound, let range):
        "estimated in \(range)" + (se.map { ", se \($0)" } ?? "") + (onBound ? ", on a bound" : "")
      }
    }
  }

  /// Where the loss scale c came from.
  public enum LossScaleSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Given (``ScaleRule/fixed(_:)``).
    case given
    /// c = k·σ̂, σ̂ re-estimated at every iteration (``ScaleRule/mad``).
    case residualScale(k: Double)
    /// c = k·σ̂ of the start, held (``ScaleRule/madOfStart``).
    case startScale(k: Double)
    /// Estimated with α by the adaptive loss, with its standard error (nil on the floor) and whether it
    /// ended on its data-relative floor.
    case estimated(standardError: Double?, onFloor: Bool)
    /// c plays no part: L1, and least squares without a tuning constant (c = one unit of y).
    case notUsed
    /// c = k·σ̂ with σ̂ the S-estimate's M-scale, held (S and MM).
    case sScale(k: Double)

    public var description: String {
      switch self {
      case .given: "given"
      case .residualScale(let k): "k = \(k) × σ̂"
      case .startScale(let k): "k = \(k) × the start's σ̂"
      case .estimated(let se, let onFloor): "estimated" + (se.map { ", se \($0)" } ?? "") + (onFloor ? ", on its floor" : "")
      case .notUsed: "not used by the fit"
      case .sScale(let k): "k = \(k) × the S-scale"
      }
    }
  }

  /// How the residual scale σ̂ was computed.
  public enum ResidualScaleSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// median |rᵢ| / 0.6745 of the final residuals (centred at 0, not at their median): the MAD scale
    /// statsmodels and MASS use, consistent for σ at the Gaussian.
    case medianAbsoluteResidual
    /// The S-estimate's M-scale: (1/(n − p)) Σρ(rᵢ/(1.54764·s)) = 0.5 with the normalised bisquare, at
    /// the S-estimate's residuals (robustbase `lmrob`'s `scale`).
    case sEstimate

    public var description: String {
      switch self {
      case .medianAbsoluteResidual: "median |r| / 0.6745"
      case .sEstimate: "the S-estimate's M-scale"
      }
    }
  }

  /// The minimised objective.
  public struct Objective: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What the value sums.
    public enum Kind: String, Sendable, Hashable, Codable {
      /// Σρ(rᵢ/c).
      case sumOfLosses
      /// Σ|rᵢ|, in the units of y.
      case sumOfAbsoluteResiduals
      /// Barron's negative log-likelihood Σρ(rᵢ/c; α) + n·log c + n·log Z(α).
      case negativeLogLikelihood
      /// The M-scale s(β) the S-estimate minimises, in the units of y.
      case mScale
    }

    /// The objective's value at the returned coefficients (0 for a zero-scale fit).
    public let value: Double
    /// Its kind.
    public let kind: Kind

    public var description: String {
      switch kind {
      case .sumOfLosses: "Σρ(r/c) = \(value)"
      case .sumOfAbsoluteResiduals: "Σ|r| = \(value)"
      case .negativeLogLikelihood: "negative log-likelihood = \(value)"
      case .mScale: "M-scale = \(value)"
      }
    }
  }
}

/// How a coefficient covariance was computed.
public enum CovarianceMethod: String, Sendable, Hashable, Codable, CustomStringConvertible {
  /// Huber's sandwich, statsmodels' "H1" (Docs/spec.md §4).
  case huberSandwich
  /// Least squares' classical σ̂²(XᵀX)⁻¹ with σ̂² = Σr²/(n − p) (what the sandwich is for ψ(u) = u).
  case classical
  /// τ(1 − τ)·s²·(XᵀX)⁻¹ with the sparsity s as R's quantreg estimates it for `se = "iid"` (the slope
  /// of a median line through the residuals near 0, Hall–Sheather bandwidth) (L1).
  case sparsity
  /// τ(1 − τ)·D⁻¹(XᵀX)D⁻¹ with D = Σfᵢxᵢxᵢᵀ and each fᵢ = 2h/(xᵢᵀ(β̂(τ + h) − β̂(τ − h))) as R's quantreg
  /// estimates them for `se = "nid"` (Hall–Sheather bandwidth h) (L1 with
  /// ``AbsoluteStandardErrors/nid``).
  case nidSandwich
  /// The inverse observed information of Barron's NLL in (β, α, log c) (the adaptive loss).
  case observedInformation
  /// The MM-estimate's asymptotic covariance with the S-scale's variability (Croux, Dhaene &
  /// Hoorelbeke 2003; robustbase `lmrob`'s default `.vcov.avar1`).
  case mmAsymptotic

  public var description: String {
    switch self {
    case .huberSandwich: "Huber sandwich (H1)"
    case .classical: "classical, σ̂² (XᵀX)⁻¹ with σ̂² = Σr²/(n − p)"
    case .sparsity: "iid sparsity (quantreg's se = \"iid\", Hall–Sheather bandwidth)"
    case .nidSandwich: "nid sandwich (quantreg's se = \"nid\", Hall–Sheather bandwidth)"
    case .observedInformation: "observed information of the NLL"
    case .mmAsymptotic: "MM asymptotic with the S-scale estimated (Croux et al. 2003, lmrob's .vcov.avar1)"
    }
  }
}

extension RegressionFit {
  /// The public result of the engine's `outcome` for `regression`, whose loss the fit used with
  /// tuning constant `k`.
  init(regression: Regression, names: [String], outcome: FitOutcome, caseWeights: [Double]? = nil) {
    self.regression = regression
    self.caseWeights = caseWeights
    let configured = regression.loss
    if let k = outcome.tuning, k != configured.tuningConstant {
      loss = configured.withTuningConstant(k)
    } else {
      loss = configured
    }
    if let summary = outcome.adaptive {
      shape = .estimated(alpha: outcome.alpha ?? .nan, standardError: summary.alphaStandardError,
                         onBound: summary.alphaOnBound, range: summary.alphaRange)
      lossScaleSource = outcome.lossScaleSource
        ?? .estimated(standardError: summary.scaleStandardError, onFloor: summary.scaleOnBound)
    } else {
      shape = outcome.alpha.map { .fixed(alpha: $0) } ?? .notInFamily
      lossScaleSource = outcome.lossScaleSource ?? {
        if configured.absoluteMethod != nil { return .notUsed }
        switch (regression.scale, outcome.tuning) {
        case (.fixed, _): return .given
        case (_, nil): return .notUsed
        case (.mad, let k?): return .residualScale(k: k)
        case (.madOfStart, let k?): return .startScale(k: k)
        }
      }()
    }
    estimates = outcome.coefficients
    let inference = outcome.inference
    coefficients = names.indices.map { j in
      Coefficient(name: names[j], estimate: outcome.coefficients[j], standardError: inference?.standardErrors[j],
                  tValue: inference?.tValues[j], pValue: inference?.pValues[j],
                  confidenceInterval: inference.map { $0.lower[j]...$0.upper[j] })
    }
    covariance = inference.map {
      Covariance(matrix: $0.covariance, method: $0.method, degreesOfFreedom: $0.degreesOfFreedom,
                 confidenceLevel: $0.confidenceLevel)
    }
    lossScale = outcome.scale
    residualScale = outcome.sigma
    residualScaleSource = outcome.residualScaleSource
    robustRSquared = outcome.robustRSquared.map { RobustRSquared(value: $0.value, adjusted: $0.adjusted) }
    shapeSelection = outcome.adaptive?.selection
    sEstimate = outcome.sEstimate.map {
      SEstimate(coefficients: $0.coefficients, scale: $0.scale, converged: $0.converged)
    }
    objective = Objective(value: outcome.objective, kind: outcome.objectiveKind)
    residuals = outcome.residuals
    weights = outcome.weights
    outliers = outcome.outliers
    iterations = outcome.iterations
    termination = outcome.termination
    history = outcome.history
    warnings = outcome.warnings
  }
}
