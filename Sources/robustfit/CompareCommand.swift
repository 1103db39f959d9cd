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
      Each loss uses its defaults (c = k·σ̂ with the 95 %-efficiency k). List entries are loss names; \
      the general loss is written general:ALPHA (e.g. general:0.5, general:-inf).
      """
  )

  @OptionGroup(title: "Data") var data: DataOptions

  @Option(help: ArgumentHelp(
    "Comma-separated losses, e.g. l2,cauchy,general:-2,adaptive (default: the eight named losses and adaptive).",
    valueName: "list"))
  var losses: String?

  @Option(name: .customLong("alpha-range"), help: ArgumentHelp(
    "The range α is searched in for the adaptive fit (default 0,2).", valueName: "lo,hi"),
          transform: parseAlphaRange)
  var alphaRange: ClosedRange<Double>?

  @OptionGroup(title: "Solver") var solver: SolverOptions

  @Option(help: ArgumentHelp("What to print on stdout.", valueName: "format"))
  var format: CompareFormat = .text

  @Option(help: ArgumentHelp(
    "Write an SVG figure: the data and one fitted line per loss (one x), else residuals vs fitted.",
    valueName: "path.svg"))
  var plot: String?

  /// The default list: the named losses and the adaptive one.
  static let defaultLosses = "l2,l1,huber,pseudo-huber,cauchy,geman-mcclure,welsch,tukey,adaptive"

  func validate() throws {
    let requests = try parsedRequests()
    if alphaRange != nil, !requests.contains(where: { $0.choice == .adaptive }) {
      throw ValidationError("--alpha-range applies only when the list holds adaptive")
    }
  }

  /// The list of losses as fit requests.
  func parsedRequests() throws -> [FitRequest] {
    let options = FitOptions(tolerance: solver.tolerance, maxIterations: solver.maxIterations,
                             outlierThreshold: solver.outlierThreshold)
    let entries = (losses ?? Self.defaultLosses).split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    var requests: [FitRequest] = []
    for entry in entries {
      let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
      guard let name = parts.first, let choice = LossChoice(argument: name) else {
        throw ValidationError("unknown loss '\(entry)' in --losses (choose from "
          + LossChoice.allCases.map(\.rawValue).joined(separator: ", ") + ")")
      }
      var alpha: Double?
      if parts.count == 2 {
        guard choice == .general else {
          throw ValidationError("'\(entry)' in --losses: only general takes an α (general:ALPHA)")
        }
        alpha = try parseAlpha(parts[1])
      } else if choice == .general {
        throw ValidationError("'general' in --losses needs its α: general:ALPHA (e.g. general:0.5)")
      }
      let request = FitRequest(choice: choice, alpha: alpha, alphaRange: alphaRange ?? 0...2, options: options)
      if requests.contains(where: { $0.label == request.label }) {
        throw ValidationError("'\(entry)' appears twice in --losses")
      }
      requests.append(request)
    }
    return requests
  }

  func run() throws {
    if let plot { try OutputPaths.check(plot, option: "--plot", input: data.file) }
    let requests = try parsedRequests()
    let loaded = try DataLoader.load(data)
    if loaded.droppedRows > 0 {
      StandardError.note("\(loaded.fileName): dropped \(loaded.droppedRows) row\(loaded.droppedRows == 1 ? "" : "s") "
        + "with missing or non-numeric values")
    }
    var results: [(FitRequest, Result<RegressionFit, CLIError>)] = []
    for request in requests {
      do {
        let fit = try request.run(on: loaded)
        for warning in fit.warnings { StandardError.warning("\(request.label): \(warning)") }
        results.append((request, .success(fit)))
      } catch let error as CLIError {
        // Bad data fails every loss alike: report it once, as for `fit`.
        if error.status == .dataError { throw error }
        StandardError.warning("\(request.label): the fit failed: \(error.message)")
        results.append((request, .failure(error)))
      }
    }
    let report = CompareReport(data: loaded, results: results)
    switch format {
    case .text: print(report.text(), terminator: "")
    case .json: print(report.json().render())
    }
    if let plot {
      let entries = results.compactMap { request, result -> Plotting.Entry? in
        guard case .success(let fit) = result else { return nil }
        return Plotting.Entry(label: Plotting.label(for: request, fit: fit), fit: fit)
      }
      if !entries.isEmpty {
        let chart = Plotting.chart(data: loaded, entries: entries, title: "\(loaded.yName): fits compared",
                                   shadeIndex: entries.firstIndex { $0.fit.adaptive != nil })
        try Plotting.write(chart, to: plot)
      }
    }
    if results.contains(where: { if case .failure = $0.1 { true } else { false } }) {
      throw CLIError(.failure, "\(results.filter { if case .failure = $0.1 { true } else { false } }.count) "
        + "of \(results.count) fits failed (see the warnings above)")
    }
  }
}
