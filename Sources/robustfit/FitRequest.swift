import RobustRegression

/// One fit the command line asks for: the library's estimator, configured from the flags.
struct FitRequest {
  /// The estimator, its loss carrying α, the α range or the L1 method and any `--tuning`.
  let regression: Regression

  /// The loss and the solver settings of a command line; `scale` applies only to losses with a settable
  /// scale (not l1, not mm or s), and to the adaptive loss only its fixed c when `holdsAdaptiveScale`
  /// (`fit --loss adaptive --scale C`; `compare` lets the adaptive loss estimate c). `alphaRange` nil
  /// is the criterion's default range. `absoluteStandardErrors` is `--se` (l1 only).
  init(choice: LossChoice, alpha: Double?, alphaRange: ClosedRange<Double>?, criterion: AdaptiveCriterion = .likelihood,
       method: AbsoluteMethod = .irls, absoluteStandardErrors: AbsoluteStandardErrors = .iid, scale: ScaleOptions, holdsAdaptiveScale: Bool = false,
       solver: SolverOptions, recordsHistory: Bool = false, seed: UInt64 = 1) throws {
    var loss: Loss
    var rule = ScaleRule.mad
    switch choice {
    case .adaptive:
      loss = .adaptive(criterion: criterion, alphaRange: alphaRange)
      if holdsAdaptiveScale, let c = scale.scale { rule = .fixed(c) }
    case .general:
      guard let alpha else { throw CLIError.usage("--loss general needs --alpha") }
      loss = .general(alpha: alpha)
    case .l1: loss = .absolute(method: method)
    default: loss = Loss(name: choice.rawValue)!
    }
    if choice.hasSettableScale {
      if let k = scale.tuning { loss = loss.withTuningConstant(k) }
      rule = scale.scale.map { .fixed($0) } ?? (scale.fixedSigma ? .madOfStart : .mad)
    }
    regression = Regression(loss: loss, scale: rule, start: solver.start.rule, tolerance: solver.tolerance,
                            maxIterations: solver.maxIterations, confidenceLevel: solver.level,
                            outlierThreshold: solver.outlierThreshold, recordsHistory: recordsHistory, seed: seed,
                            absoluteStandardErrors: absoluteStandardErrors)
  }

  init(regression: Regression) { self.regression = regression }

  /// Whether the loss has a scale c that --scale, --tuning and --fixed-sigma can set (not l1, not
  /// adaptive, which estimates c).
  var hasSettableScale: Bool {
    regression.loss.absoluteMethod == nil && regression.loss.alphaRange == nil && !regression.loss.isHighBreakdown
  }

  /// The label used in reports: the loss name, with α for the general loss.
  var label: String { Self.label(of: regression.loss) }

  /// `huber`, `general (α = 0.5)`, `adaptive (variance)`.
  static func label(of loss: Loss) -> String {
    if loss.name == "general", let alpha = loss.barronAlpha { return "general (α = \(Loss.format(alpha: alpha)))" }
    if loss.adaptiveCriterion == .variance { return "adaptive (variance)" }
    return loss.name
  }

  /// Runs the fit; library errors become CLI errors naming the file and columns.
  func run(on data: LoadedData) throws -> RegressionFit {
    do {
      return try regression.fit(data.design, response: data.response, weights: data.weights, ranges: data.ranges)
    } catch {
      throw DataLoader.translate(error, data: data)
    }
  }
}

extension FitWarning {
  /// The warning as the command line words it: the remedies name its flags.
  var commandLineText: String {
    switch self {
    case .noEfficientTuningConstant(let alpha):
      // For --loss general --alpha A with A in about (1.5788, 2.5184), A ≠ 2, no k gives 95 % efficiency
      // at the Gaussian: every k gives more (the loss is close to least squares, and as k → 0 the fit
      // tends to the L_A regression, whose efficiency is above 95 % there). The library then uses k = 1
      // (c = σ̂); the CLI keeps that default — a scripted run should not fail for a valid α.
      "no 95 %-efficiency tuning constant k exists for α = \(Loss.format(alpha: alpha)) (every k is more "
        + "efficient); using k = 1, so c = σ̂; pass --tuning K or --scale C to choose c"
    case .zeroResidualScale:
      "the robust scale is 0: more than half of the points lie exactly on the fitted hyperplane, so the fit "
        + "interpolates them; standard errors are not available (fix the scale with --scale)"
    case .subgradientBaseline:
      "the subgradient method is a slow first-order baseline: its objective is within its stalling tolerance, "
        + "not at the exact optimum (use --method irls)"
    case .manyCoefficientsPerObservation(let p, let n):
      "p/n = \(p)/\(n) = \((Double(p) / Double(n) * 100).rounded() / 100): with this many coefficients per "
        + "observation the fit shrinks the residuals towards 0 and the likelihood reads that as heavy tails, so α "
        + "and c are biased down and too many points may be flagged (from p/n ≈ 0.25 even on Gaussian noise); "
        + "use --criterion variance, fewer predictors or a fixed loss"
    default: description
    }
  }
}

extension RegressionFit {
  /// The tuning constant k of c = k·σ̂, when c came from σ̂.
  var tuningConstantUsed: Double? {
    switch lossScaleSource {
    case .residualScale(let k), .startScale(let k), .sScale(let k): k
    default: nil
    }
  }

  /// The adaptive fit's estimates: α's range, standard errors and bounds; nil for the fixed losses.
  var adaptiveEstimate: (range: ClosedRange<Double>, alphaSE: Double?, alphaOnBound: Bool, scaleSE: Double?,
                         scaleOnFloor: Bool)? {
    guard case .estimated(_, let alphaSE, let onBound, let range) = shape else { return nil }
    guard case .estimated(let scaleSE, let onFloor) = lossScaleSource else {
      return (range, alphaSE, onBound, nil, false)
    }
    return (range, alphaSE, onBound, scaleSE, onFloor)
  }
}
