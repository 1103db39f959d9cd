import ArgumentParser
import Foundation
import RobustRegression
import TabularIO

/// `robustfit fit FILE [options]` (the default subcommand): one fit and its report.
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit one robust regression and print its report (the default subcommand).",
    discussion: """
      The loss scale is c = k·σ̂ with σ̂ = median|r|/0.6745 re-estimated every iteration and k the \
      loss's 95 %-efficiency tuning constant, unless --tuning, --scale or --fixed-sigma say otherwise. \
      Points with |r|/σ̂ above the outlier threshold are flagged.
      """
  )

  @OptionGroup(title: "Data") var data: DataOptions

  @Option(help: ArgumentHelp("The loss; 'general' needs --alpha, 'adaptive' learns α and c.",
                             valueName: "name"))
  var loss: LossChoice = .huber

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "Barron's shape α for --loss general: any number, inf or -inf (e.g. --alpha -2).", valueName: "a"),
          transform: parseAlpha)
  var alpha: Double?

  @Option(name: .customLong("alpha-range"), parsing: .unconditional, help: ArgumentHelp(
    "The range α is searched in for --loss adaptive (default 0,2 within [0, ∞) for nll; -inf,2 within [-inf, 2] for variance).",
    valueName: "lo,hi"),
          transform: parseAlphaRange)
  var alphaRange: ClosedRange<Double>?

  @Option(help: ArgumentHelp(
    "How --loss adaptive chooses α: nll (Barron's likelihood, α and c estimated) or variance (the smallest estimated variance of the coefficients, c = k(α)·σ̂).",
    valueName: "name"))
  var criterion: CriterionChoice?

  @Option(name: .customLong("profile-plot"), help: ArgumentHelp(
    "For --loss adaptive, write an SVG of the criterion over α (the profile NLL with its interval, or the variance).",
    valueName: "path.svg"))
  var profilePlot: String?

  // --scale, --tuning and --fixed-sigma are declared in each command because their help speaks of
  // one loss; their rules live once, in ScaleOptions.
  @Option(parsing: .unconditional, help: ArgumentHelp("Fix the loss scale c (units of y) instead of k·σ̂; with --loss adaptive, hold c while α is learned.", valueName: "c"))
  var scale: Double?

  @Option(parsing: .unconditional, help: ArgumentHelp("The tuning constant k in c = k·σ̂ (default: the loss's 95 %-efficiency value).",
                             valueName: "k"))
  var tuning: Double?

  @Flag(name: .customLong("fixed-sigma"), help: "Hold σ̂ at its value at the start instead of updating it.")
  var fixedSigma = false

  @Option(help: ArgumentHelp("The L1 algorithm (only with --loss l1).", valueName: "method"))
  var method: AbsoluteMethod = .irls

  @Option(name: .customLong("se"), help: ArgumentHelp(
    "The L1 standard errors (only with --loss l1): iid (the default, quantreg's se = \"iid\") or nid (quantreg's sandwich, for errors whose spread changes with x).",
    valueName: "kind"))
  var standardErrors: AbsoluteStandardErrors?

  @OptionGroup(title: "Solver") var solver: SolverOptions

  @Option(help: ArgumentHelp("What to print on stdout.", valueName: "format"))
  var format: FitFormat = .text

  @Option(help: ArgumentHelp(
    "Also write the per-row CSV (line, observation, y, x, fitted, residual, standardized residual, weight, leverage, outlier) to this file.",
    valueName: "path"))
  var output: String?

  @Option(help: ArgumentHelp(
    "Write an SVG figure: the data shaded by weight and the fitted line (one x), else residuals vs fitted.",
    valueName: "path.svg"))
  var plot: String?

  @Option(help: ArgumentHelp(
    "Write an SVG of diagnostics (R's plot.lmrob): residuals vs fitted, normal Q-Q, weights, outlier map.",
    valueName: "path.svg"))
  var diagnostics: String?

  @Option(name: .customLong("figure-size"), help: ArgumentHelp(
    "The printed size of every figure, in points or with 'in' inches (e.g. 252x180, 3.5x2.5in): text is then at least 8 pt.",
    valueName: "wxh"), transform: FigureSize.parse)
  var figureSize: FigureSize?

  @Option(name: .customLong("save-fit"), help: ArgumentHelp(
    "Save the fitted model (coefficients, covariance, scales) as JSON for robustfit predict.", valueName: "path"))
  var saveFit: String?

  @Flag(help: "Record and print the objective and scale of every iteration.")
  var history = false

  @Flag(name: .customLong("out-of-core"), inversion: .prefixedNo, help: ArgumentHelp(
    "Stream the file once into a binary column file and fit from it, keeping no row in memory (default: when the file would not fit in memory).",
    discussion: "For l2, huber, pseudo-huber, cauchy, geman-mcclure, welsch, tukey, general at any α, mm, s and adaptive (nll); see Docs/scaling.md."))
  var outOfCore: Bool?

  @Option(name: .customLong("spill-dir"), help: ArgumentHelp(
    "Where an out-of-core fit writes its binary column file (default: $TMPDIR, else /tmp); it is removed at exit.",
    valueName: "dir"))
  var spillDirectory: String?

  @Option(name: .customLong("memory-limit"), help: ArgumentHelp(
    "The memory a fit in memory may use before robustfit goes out of core, e.g. 8G or 500M (default: the available memory).",
    valueName: "size"), transform: parseByteSize)
  var memoryLimit: Int?

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "The seed of the random subsets of --loss mm and s (the same seed gives the same fit).", valueName: "n"))
  var seed: UInt64 = 1

  func validate() throws {
    if alpha != nil && loss != .general {
      throw ValidationError(loss == .adaptive
        ? "--alpha does not apply to --loss adaptive, which estimates α (use --alpha-range)"
        : "--alpha applies only to --loss general (\(loss.rawValue) has no free α)")
    }
    if loss == .general && alpha == nil {
      throw ValidationError("--loss general needs --alpha (e.g. --alpha 0.5, --alpha -inf)")
    }
    for (given, flag) in [(alphaRange != nil, "--alpha-range"), (criterion != nil, "--criterion"),
                          (profilePlot != nil, "--profile-plot")] where given && loss != .adaptive {
      throw ValidationError("\(flag) applies only to --loss adaptive")
    }
    if let alphaRange { try checkAlphaRange(alphaRange, criterion: (criterion ?? .nll).criterion) }
    try scaleOptions.validate()
    if !loss.hasSettableScale, let flag = scaleOptions.given.first, !(loss == .adaptive && flag == "--scale") {
      switch loss {
      case .l1: throw ValidationError("\(flag) does not apply to --loss l1, which has no scale")
      case .adaptive:
        throw ValidationError("\(flag) does not apply to --loss adaptive: it estimates c (or holds the c --scale gives)")
      default: throw ValidationError("\(flag) does not apply to --loss \(loss.rawValue), whose c is k × the S-scale")
      }
    }
    try scaleOptions.validateValues()
    if method == .subgradient && loss != .l1 {
      throw ValidationError("--method subgradient applies only to --loss l1")
    }
    if let standardErrors, loss != .l1 {
      throw ValidationError("--se \(standardErrors.rawValue) applies only to --loss l1 (\(loss.rawValue)'s standard errors "
        + "have one formula)")
    }
    if figureSize != nil && plot == nil && diagnostics == nil && profilePlot == nil {
      throw ValidationError("--figure-size applies only with --plot, --diagnostics or --profile-plot")
    }
    let outputs = [(output, "--output"), (plot, "--plot"), (diagnostics, "--diagnostics"),
                   (profilePlot, "--profile-plot"), (saveFit, "--save-fit")]
      .compactMap { path, flag in path.map { ($0, flag) } }
    for (i, a) in outputs.enumerated() {
      if let b = outputs.dropFirst(i + 1).first(where: { $0.0 == a.0 }) {
        throw ValidationError("\(a.1) and \(b.1) name the same file")
      }
    }
  }

  /// `--scale`, `--tuning`, `--fixed-sigma`.
  var scaleOptions: ScaleOptions { ScaleOptions(scale: scale, tuning: tuning, fixedSigma: fixedSigma) }

  /// The request this command line describes.
  func request() throws -> FitRequest {
    try FitRequest(choice: loss, alpha: alpha, alphaRange: alphaRange, criterion: (criterion ?? .nll).criterion,
                   method: method, absoluteStandardErrors: standardErrors ?? .iid, scale: scaleOptions,
                   holdsAdaptiveScale: true, solver: solver,
                   recordsHistory: history, seed: seed)
  }

  func run() throws {
    if let output { try OutputPaths.check(output, option: "--output", input: data.file) }
    if let plot { try OutputPaths.check(plot, option: "--plot", input: data.file) }
    if let diagnostics { try OutputPaths.check(diagnostics, option: "--diagnostics", input: data.file) }
    if let profilePlot { try OutputPaths.check(profilePlot, option: "--profile-plot", input: data.file) }
    if let saveFit { try OutputPaths.check(saveFit, option: "--save-fit", input: data.file) }
    if try goesOutOfCore() { return try runOutOfCore() }
    let loaded = try DataLoader.load(data)
    loaded.announce()
    let request = try self.request()
    ProgressLine.shared.set("fitting \(request.label)")
    let fit = try request.run(on: loaded)
    ProgressLine.shared.finish()
    for warning in fit.warnings { StandardError.warning(warning.commandLineText) }
    switch format {
    case .text: print(TextReport(data: loaded, fit: fit).render(history: history), terminator: "")
    case .json:
      var json = JSONReport(data: loaded, fit: fit).value(history: history).utf8()
      json.append(UInt8(ascii: "\n"))
      StandardOutput.write(json)
    case .csv: if output == nil { print(RowsCSV.render(data: loaded, fit: fit), terminator: "") }
    }
    if let output { try OutputPaths.write(RowsCSV.render(data: loaded, fit: fit), to: output) }
    if let saveFit {
      let file = ModelFile(robustfit: RobustfitCommand.version, file: loaded.fileName, y: loaded.yName, model: fit.model)
      try OutputPaths.write(try file.text(), to: saveFit, what: "the model file")
    }
    if let plot {
      let entry = Plotting.Entry(label: Plotting.label(of: fit), fit: fit)
      try Plotting.write(Plotting.fitFigure(data: loaded, entry: entry, size: figureSize), to: plot)
    }
    if let diagnostics {
      let (figure, warning) = Diagnostics.figure(data: loaded, fit: fit, label: Plotting.label(of: fit),
                                                 size: figureSize)
      if let warning { StandardError.warning(warning) }
      try Plotting.write(figure, to: diagnostics)
    }
    if let profilePlot {
      guard let chart = Plotting.profileChart(fit: fit, data: loaded) else {
        throw CLIError(.failure, "--profile-plot: the fit has no profile over α (its range is one point)")
      }
      try Plotting.write(figureSize.map { $0.apply(to: chart) } ?? chart, to: profilePlot)
    }
    ProcessEnd.keep((loaded, fit))
  }

  /// Whether this fit runs out of core: when asked, or when the file would not fit in memory (said on
  /// stderr); an automatic choice the options do not allow is an error saying what to change.
  func goesOutOfCore() throws -> Bool {
    if outOfCore == false { return false }
    let refusal = OutOfCore.refusal(self)
    if outOfCore == true {
      if let refusal { throw CLIError.usage(refusal) }
      return true
    }
    guard let (need, available) = OutOfCore.memoryEstimate(path: data.file, limit: memoryLimit), need > available else {
      return false
    }
    let why = "\(data.file): a fit in memory needs about \(ColumnFile.byteText(need)), more than the "
      + "\(ColumnFile.byteText(available)) \(memoryLimit == nil ? "available" : "of --memory-limit")"
    if let refusal {
      throw CLIError.usage("\(why), and \(refusal); use --no-out-of-core to try in memory")
    }
    StandardError.note("\(why): fitting out of core (--no-out-of-core to fit in memory)")
    return true
  }

  /// The out-of-core fit and its report (Docs/scaling.md).
  func runOutOfCore() throws {
    let directory = spillDirectory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    let loaded: OutOfCore.Loaded
    do {
      loaded = try OutOfCore.load(data, directory: directory)
    } catch let error as ColumnFileError {
      throw CLIError(.failure, "\(data.file == "-" ? "<stdin>" : data.file): \(error) (--spill-dir names another directory)")
    }
    ProgressLine.shared.set("fitting \(loss.rawValue) out of core")
    let outcome = try OutOfCore.fit(loaded, command: self)
    ProgressLine.shared.finish()
    if outcome.result.termination != "converged" {
      StandardError.warning("the fit stopped by \(outcome.result.termination) after \(outcome.result.iterations) iterations")
    }
    let report = OutOfCoreReport(data: loaded, outcome: outcome)
    switch format {
    case .text: print(report.text(), terminator: "")
    case .json: print(report.json().render())
    case .csv: break
    }
  }
}

/// `8G`, `500M`, `1.5g`, `123456` (bytes): a size in bytes.
func parseByteSize(_ text: String) throws -> Int {
  let units: [Character: Double] = ["k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12]
  var body = text.lowercased()
  if body.hasSuffix("b") { body.removeLast() }
  let factor = body.last.flatMap { units[$0] } ?? 1
  if factor != 1 { body.removeLast() }
  guard let value = Double(body), value.isFinite, value > 0, value * factor < 9e18 else {
    throw ValidationError("--memory-limit takes a size such as 8G, 500M or 2000000000, not '\(text)'")
  }
  return Int(value * factor)
}
