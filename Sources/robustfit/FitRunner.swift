import RobustRegression

/// One fit to run: the loss (or adaptive), its α or α-range, and the library options.
struct FitRequest {
  /// The loss chosen on the command line.
  let choice: LossChoice
  /// α for `general`.
  let alpha: Double?
  /// The α-range for `adaptive`.
  let alphaRange: ClosedRange<Double>
  /// The options passed to the library.
  let options: FitOptions
  /// What the reader should know about the request itself, before any fit: the general loss at an α
  /// where no tuning constant reaches 95 % efficiency (see `tuningWarning(choice:alpha:scale:)`).
  let warnings: [String]

  init(choice: LossChoice, alpha: Double?, alphaRange: ClosedRange<Double>, options: FitOptions) {
    self.choice = choice
    self.alpha = alpha
    self.alphaRange = alphaRange
    self.options = options
    warnings = [Self.tuningWarning(choice: choice, alpha: alpha, scale: options.scale)].compactMap { $0 }
  }

  /// For `--loss general --alpha A` with A in about (1.5788, 2.5184), A ≠ 2, no k gives 95 % efficiency at
  /// the Gaussian: every k gives more (the loss is close to least squares, and as k → 0 the fit tends to the
  /// L_A regression, whose efficiency is above 95 % there). The library then uses k = 1 (c = σ̂). The CLI
  /// keeps that default — a scripted run should not fail for a valid α — but says so, and how to choose c.
  /// Nil when `--tuning` or `--scale` set c, for α = 2 (c does not change the least-squares fit), and for
  /// every other loss.
  static func tuningWarning(choice: LossChoice, alpha: Double?, scale: ScaleRule) -> String? {
    guard choice == .general, let alpha, alpha != 2, case .mad(nil, _) = scale,
          Loss.general(alpha: alpha).defaultTuning == nil else { return nil }
    return "no 95 %-efficiency tuning constant k exists for α = \(formatAlpha(alpha)) (every k is more "
      + "efficient); using k = 1, so c = σ̂; pass --tuning K or --scale C to choose c"
  }

  /// The label used in reports: the loss name, with α for the general loss.
  var label: String {
    if choice == .general, let alpha { return "general (α = \(formatAlpha(alpha)))" }
    return choice.rawValue
  }

  /// Runs the fit; library errors become CLI errors naming the file and columns.
  func run(on data: LoadedData) throws -> RegressionFit {
    do {
      if choice == .adaptive {
        return try Regression.fitAdaptive(data.design, response: data.response, alphaRange: alphaRange,
                                          options: options)
      }
      guard let loss = choice.loss(alpha: alpha) else {
        throw CLIError.usage("--loss general needs --alpha")
      }
      var fit = try Regression.fit(data.design, response: data.response, loss: loss, options: options)
      // The request's own tuning warning (which names the CLI flags) replaces the library's.
      if let alpha, !warnings.isEmpty {
        fit.warnings.removeAll { $0 == Regression.noEfficientTuningWarning(alpha: alpha) }
      }
      return fit
    } catch {
      throw DataLoader.translate(error, data: data)
    }
  }
}
