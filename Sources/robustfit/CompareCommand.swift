import ArgumentParser
import Foundation
import RobustRegression

/// `robustfit compare FILE [--losses a,b,...]`: the same data under several losses, side by side.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Fit the same data under several losses and compare them side by side.",
    usage: "robustfit compare [<options>] <file>",
    discussion: """
      Each loss uses its defaults (c = k·σ̂ with the 95 %-efficiency k) unless --scale, --tuning or \
      --fixed-sigma say otherwise (for every loss with a scale: not l1, not adaptive). List entries are \
      loss names; the general loss is written general:ALPHA (e.g. general:0.5, general:-inf).

      With the true coefficients (--truth, or a file DATA.truth.json beside DATA.csv) each fit's \
      distance to the truth is reported: the RMS over the data's rows of the gap between the fitted and \
      the true values, sqrt(mean((X(b - b0))^2)), in the units of y.
      """
  )

  @OptionGroup(title: "Data") var data: DataOptions

  @Option(help: ArgumentHelp(
    "Comma-separated losses, e.g. l2,cauchy,general:-2,adaptive,adaptive:variance (default: the eight named losses and adaptive by both criteria).",
    valueName: "list"))
  var losses: String?

  @Option(name: .customLong("alpha-range"), parsing: .unconditional, help: ArgumentHelp(
    "The range α is searched in for the likelihood-adaptive fit (default 0,2; adaptive:variance searches -inf,2).", valueName: "lo,hi"),
          transform: parseAlphaRange)
  var alphaRange: ClosedRange<Double>?

  // --scale, --tuning and --fixed-sigma are declared in each command because their help speaks of
  // every loss in the list that has a scale; their rules live once, in ScaleOptions.
  @Option(parsing: .unconditional, help: ArgumentHelp("Fix the loss scale c (units of y) of every loss that has one.", valueName: "c"))
  var scale: Double?

  @Option(parsing: .unconditional, help: ArgumentHelp("The tuning constant k in c = k·σ̂ for every loss that has a scale.",
                             valueName: "k"))
  var tuning: Double?

  @Flag(name: .customLong("fixed-sigma"), help: "Hold σ̂ at its value at the start instead of updating it.")
  var fixedSigma = false

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "The true coefficients: numbers (intercept first, then one per x) or a truth JSON file.",
    discussion: "Default: DATA.truth.json beside the data file, when it exists.",
    valueName: "b0,b1,...|file"))
  var truth: String?

  @Flag(name: .customLong("no-truth"), help: "Do not look for DATA.truth.json beside the data file.")
  var noTruth = false

  @Option(name: .customLong("se"), help: ArgumentHelp(
    "The standard errors of l1 in the list (in the JSON): iid (the default, quantreg's se = \"iid\") or nid (quantreg's sandwich).",
    valueName: "kind"))
  var standardErrors: AbsoluteStandardErrors?

  @OptionGroup(title: "Solver") var solver: SolverOptions

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "The seed of the random subsets of mm and s (the same seed gives the same fit).", valueName: "n"))
  var seed: UInt64 = 1

  @Option(help: ArgumentHelp("What to print on stdout.", valueName: "format"))
  var format: CompareFormat = .text

  @Option(help: ArgumentHelp(
    "Write an SVG figure: the data and one fitted line per loss (one x), else one residuals-vs-fitted panel per loss.",
    valueName: "path.svg"))
  var plot: String?

  @Option(name: .customLong("figure-size"), help: ArgumentHelp(
    "The printed size of the --plot figure, in points or with 'in' inches (e.g. 504x360, 7x5in): text is then at least 8 pt.",
    valueName: "wxh"), transform: FigureSize.parse)
  var figureSize: FigureSize?

  /// The default list: the named losses and the adaptive one by each criterion.
  static let defaultLosses = "l2,l1,huber,pseudo-huber,cauchy,geman-mcclure,welsch,tukey,adaptive,adaptive:variance"

  func validate() throws {
    let requests = try parsedRequests()
    if alphaRange != nil, !requests.contains(where: { $0.regression.loss.alphaRange != nil }) {
      throw ValidationError("--alpha-range applies only when the list holds adaptive")
    }
    if let alphaRange { try checkAlphaRange(alphaRange, criterion: .likelihood) }
    if let standardErrors, !requests.contains(where: { $0.regression.loss.absoluteMethod != nil }) {
      throw ValidationError("--se \(standardErrors.rawValue) applies only when the list holds l1")
    }
    try scaleOptions.validate()
    if let flag = scaleOptions.given.first, !requests.contains(where: \.hasSettableScale) {
      throw ValidationError("\(flag) applies to no loss in the list (l1 has no scale, adaptive estimates c)")
    }
    try scaleOptions.validateValues()
    if figureSize != nil && plot == nil {
      throw ValidationError("--figure-size applies only with --plot")
    }
    if truth != nil && noTruth {
      throw ValidationError("--truth and --no-truth contradict each other: give one of them")
    }
    if let truth, truth.isEmpty {
      throw ValidationError("--truth needs numbers b0,b1,... or a file name")
    }
  }

  /// The list of losses as fit requests.
  func parsedRequests() throws -> [FitRequest] {
    try LossList.requests(losses ?? Self.defaultLosses, option: "--losses", alphaRange: alphaRange,
                          scale: scaleOptions, solver: solver, seed: seed,
                          absoluteStandardErrors: standardErrors ?? .iid)
  }

  /// `--scale`, `--tuning`, `--fixed-sigma`.
  var scaleOptions: ScaleOptions { ScaleOptions(scale: scale, tuning: tuning, fixedSigma: fixedSigma) }

  func run() throws {
    if let plot { try OutputPaths.check(plot, option: "--plot", input: data.file) }
    let requests = try parsedRequests()
    let loaded = try DataLoader.load(data)
    loaded.announce()
    let truth = noTruth ? nil : try Truth.resolve(argument: self.truth.map(Truth.Argument.init), data: loaded,
                                                   dataPath: data.file)
    if let truth, truth.automatic {
      StandardError.note("distances to the true coefficients in \(truth.source) (found beside the data; "
        + "--truth overrides, --no-truth skips)")
    }
    var results: [(FitRequest, Result<RegressionFit, CLIError>)] = []
    for (k, request) in requests.enumerated() {
      ProgressLine.shared.set("fitting \(request.label) (\(k + 1) of \(requests.count))")
      do {
        let fit = try request.run(on: loaded)
        for warning in fit.warnings { StandardError.warning("\(request.label): \(warning.commandLineText)") }
        results.append((request, .success(fit)))
      } catch let error as CLIError {
        // Bad data fails every loss alike: report it once, as for `fit` (but not what only this loss
        // cannot represent, such as l2's Σr² on a value of 1e308).
        if error.status == .dataError && !error.belongsToTheLoss { throw error }
        StandardError.warning("\(request.label): the fit failed: \(error.message)")
        results.append((request, .failure(error)))
      }
    }
    ProgressLine.shared.finish()
    let report = CompareReport(data: loaded, results: results, truth: truth, scaleOptions: scaleOptions)
    switch format {
    case .text: print(report.text(), terminator: "")
    case .json: print(report.json().render())
    }
    if let plot {
      let entries = results.compactMap { request, result -> Plotting.Entry? in
        guard case .success(let fit) = result else { return nil }
        var label = Plotting.label(of: fit)
        if let truth {
          label += ": distance " + NumberText.significant(truth.distance(of: fit, design: loaded.design), 2)
        }
        return Plotting.Entry(label: label, fit: fit)
      }
      if !entries.isEmpty {
        let figure = Plotting.compareFigure(data: loaded, entries: entries,
                                            shadeIndex: entries.firstIndex { $0.fit.loss == .mm }
                                              ?? entries.firstIndex { $0.fit.adaptiveEstimate != nil },
                                            truth: truth?.coefficients, size: figureSize)
        try Plotting.write(figure, to: plot)
      }
    }
    let failed = results.filter { if case .failure = $0.1 { true } else { false } }.count
    if failed > 0 {
      throw CLIError(.failure, "\(failed) of \(results.count) fits failed (see the warnings above)")
    }
  }
}
