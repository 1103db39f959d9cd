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
      return try Regression.fit(data.design, response: data.response, loss: loss, options: options)
    } catch {
      throw DataLoader.translate(error, data: data)
    }
  }
}
