import Foundation
import RobustRegression
import TabularIO

/// The out-of-core fit (Docs/scaling.md, "Past memory on one machine"): the CSV file is read once, its
/// used columns written as doubles to a binary column file (``ColumnFile``, unlinked at once) instead
/// of kept in memory; the fit then runs the distributed fit's driver (``DistributedFit``, the IRLS
/// loop of a fit in memory) with every pass over the memory-mapped file (``ColumnFileHost``). Memory
/// stays a few groups of rows per core whatever n; the price is one write of the data and, when the
/// file is larger than the page cache, one read of it from disk per pass.
enum OutOfCore {
  /// The losses and options an out-of-core fit has (those of the distributed fit).
  static let losses = "l2, huber, pseudo-huber, cauchy, geman-mcclure, welsch, tukey, general at any α, mm, s "
    + "and adaptive (criterion nll, α in [0, 2])"

  /// Why `command` cannot run out of core, or nil.
  static func refusal(_ command: FitCommand) -> String? {
    switch command.loss {
    case .l2, .huber, .pseudoHuber, .mm, .s: break
    case .cauchy, .gemanMcClure, .welsch, .tukey: break
    case .general where !(command.alpha ?? .nan).isNaN: break
    case .adaptive where command.criterion != .variance && command.alphaRange == nil && command.profilePlot == nil: break
    case .adaptive:
      return "--loss adaptive with \(command.criterion == .variance ? "--criterion variance" : command.alphaRange != nil ? "--alpha-range" : "--profile-plot") "
        + "does not run out of core yet: the out-of-core fit has \(losses)"
    default:
      return "--loss \(command.loss.rawValue)\(command.loss == .general ? " --alpha \(command.alpha.map { "\($0)" } ?? "")" : "") "
        + "does not run out of core yet: the out-of-core fit has \(losses)"
    }
    let given: [(Bool, String)] = [
      (command.fixedSigma, "--fixed-sigma"), (command.seed != 1, "--seed"),
      (command.output != nil, "--output"), (command.plot != nil, "--plot"), (command.diagnostics != nil, "--diagnostics"),
      (command.saveFit != nil, "--save-fit"), (command.history, "--history"), (command.format == .csv, "--format csv"),
      (command.solver.start != .auto && command.solver.start != .ols, "--start \(command.solver.start.rawValue)"),
    ]
    if let flag = given.first(where: \.0)?.1 {
      return "\(flag) does not apply to an out-of-core fit, which keeps no row in memory (it reports the "
        + "coefficients, their standard errors and the scales)"
    }
    // A redescending loss starts from the S-estimate out of core (its automatic start in memory).
    let redescending = [.cauchy, .gemanMcClure, .welsch, .tukey].contains(command.loss)
      || (command.loss == .general && (command.alpha ?? .nan) < 1)
    if redescending && command.solver.start == .ols {
      return "--start ols does not run out of core with --loss \(command.loss.rawValue): the out-of-core fit of a "
        + "redescending loss starts from the S-estimate (--start auto)"
    }
    return nil
  }

  /// The memory a fit in memory of `path` would need, and the memory available, when the path is a
  /// regular file: rows are extrapolated from the line length of its first MiB, and a fit holds about
  /// (columns + 5) doubles a row (X, y, residuals, weights and the scale's workspace; Docs/performance.md).
  static func memoryEstimate(path: String, limit: Int?) -> (need: Int, available: Int)? {
    guard path != "-", let attributes = try? FileManager.default.attributesOfItem(atPath: path),
          attributes[.type] as? FileAttributeType == .typeRegular,
          let size = (attributes[.size] as? NSNumber)?.intValue, size > 0,
          let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    let sample = [UInt8]((try? handle.read(upToCount: 1 << 20)) ?? Foundation.Data())
    let lines = max(1, sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
    let firstLine = sample.prefix { $0 != 0x0A }
    let fields = 1 + [0x2C, 0x3B, 0x09].map { d in firstLine.reduce(0) { $0 + ($1 == d ? 1 : 0) } }.max()!
    let rows = Double(size) * Double(lines) / Double(max(1, sample.count))
    let need = rows * 8 * Double(fields + 5)
    guard let available = limit ?? availableMemory() else { return nil }
    return (need >= Double(Int.max) ? Int.max : Int(need), available)
  }

  /// MemAvailable of /proc/meminfo, in bytes.
  static func availableMemory() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
          let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return nil }
    return kilobytes * 1024
  }

  /// The data of an out-of-core fit: the column file and what the report says of the file.
  struct Loaded {
    let fileName: String
    let yName: String
    let xNames: [String]
    /// The case weights' column name (`--weights`).
    let weightsName: String?
    let intercept: Bool
    let rows: Int
    let droppedRows: Int
    let file: ColumnFile
    let columns: DataLoader.Columns
    /// Seconds spent reading the CSV file and writing the column file.
    let writeSeconds: Double

    var names: [String] { (intercept ? [DesignMatrix.interceptName] : []) + xNames }
  }

  /// Reads the CSV file into a column file in `directory`, with the checks of a fit in memory.
  static func load(_ options: DataOptions, directory: String) throws -> Loaded {
    let started = DispatchTime.now()
    let sink = Sink(directory: directory)
    let (table, plan) = try DataLoader.read(options, rowSink: { try sink.append($0) })
    ProgressLine.shared.finish()
    let file = try sink.finished(columns: table.names.count)
    let columns = try DataLoader.resolve(table, plan: plan)
    try DataLoader.checkNotConstant(table, columns) { j in file.minimum[j] == file.maximum[j] ? file.minimum[j] : nil }
    if let w = columns.weights, file.minimum[w] < 0, let (row, value) = file.first(in: w, where: { $0 < 0 }) {
      throw DataLoader.invalidWeight(file: table.fileName, line: table.sourceLine(ofRow: row),
                                     column: DataLoader.describe(table, w), value: value)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    let data = Loaded(fileName: table.fileName, yName: table.names[columns.response],
                      xNames: columns.predictors.map { table.names[$0] }, weightsName: columns.weights.map { table.names[$0] },
                      intercept: columns.intercept, rows: table.rowCount, droppedRows: table.droppedRows, file: file,
                      columns: columns, writeSeconds: seconds)
    LoadedData.announce(fileName: data.fileName, unusedColumns: plan.unused, droppedRows: table.droppedRows,
                        underflows: table.underflows)
    return data
  }

  /// The reader's row sink: creates the column file at the first block (when the column count is known).
  final class Sink: @unchecked Sendable {
    let directory: String
    private var file: ColumnFile?

    init(directory: String) { self.directory = directory }

    func append(_ block: CSVRowBlock) throws {
      if file == nil { file = try ColumnFile(columns: block.columns, directory: directory) }
      try file!.append(block)
    }

    func finished(columns: Int) throws -> ColumnFile {
      let file = try self.file ?? ColumnFile(columns: max(1, columns), directory: directory)
      try file.finish()
      return file
    }
  }

  /// The fit's outcome and its seconds.
  struct Outcome {
    let result: DistributedFit.Result
    let seconds: Double
    /// k of c = k·σ̂ (nil when --scale fixes c).
    let tuning: Double?
    let level: Double
    /// `huber`, `general`.
    let lossName: String
    /// `general, Barron's ρ(r/c; α) with α = 1.5`.
    let lossText: String
    /// Where c comes from: `  (k = 1.345 × σ̂)`.
    let scaleNote: String
    /// What σ̂ is: `  (median |r| / 0.6745, exact)`.
    let sigmaNote: String
    /// `Objective Σρ(r/c)`, or the S-estimate's `Objective: M-scale`.
    let objectiveLabel: String
    /// How the standard errors were computed.
    let covariance: CovarianceMethod
    /// `--outlier-threshold` (of |r|/σ̂; S and MM flag by lmrob's weight rule instead).
    let outlierThreshold: Double
  }

  /// Runs `command`'s fit over the column file.
  static func fit(_ data: Loaded, command: FitCommand) throws -> Outcome {
    let started = DispatchTime.now()
    let fit: DistributedFit
    do {
      fit = try DistributedFit(lossName: command.loss.rawValue, alpha: command.alpha, tuning: command.tuning,
                               fixedScale: command.scale, predictors: data.xNames.count, intercept: data.intercept,
                               weighted: data.columns.weights != nil, tolerance: command.solver.tolerance,
                               maxIterations: command.solver.maxIterations)
    } catch {
      throw CLIError.usage(error.description)
    }
    // The host is this process: σ̂ may collect up to 2²² values (32 MB) in one pass (Docs/scaling.md).
    fit.valueLimit = 1 << 22
    // The report's residual quantiles, outliers and R²: passes over the file at β̂ after the fit.
    fit.summarizes = true
    fit.outlierThreshold = command.solver.outlierThreshold
    let host = ColumnFileHost(file: data.file, response: data.columns.response, predictors: data.columns.predictors,
                              weights: data.columns.weights)
    let result: DistributedFit.Result
    do {
      result = try fit.run(names: data.names, host: host.answer)
    } catch {
      switch error {
      case .host(let message): throw CLIError(.failure, "\(data.fileName): \(message)")
      case .unsupported(let message), .nonFinite(let message), .regression(let message):
        throw CLIError.data("\(data.fileName): \(message)")
      }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    let tuning = command.scale == nil ? fit.loss.tuningConstant : nil
    let highBreakdown = command.loss == .mm || command.loss == .s
    let scaleNote = command.scale != nil ? "  (fixed by --scale)"
      : command.loss == .l2 ? "  (does not change the l2 fit)"
      : command.loss == .adaptive ? (result.scaleStandardError.map { " ± \(NumberText.significant($0, 3))" } ?? "")
        + (result.scaleOnBound ? "  (estimated; on its lower bound)" : "  (estimated)")
      : "  (k = \(NumberText.significant(tuning ?? .nan)) × \(highBreakdown ? "the S-scale" : "σ̂"))"
    let sigmaNote = highBreakdown ? "  (the S-estimate's M-scale)" : "  (median |r| / 0.6745)"
    let adaptive = command.loss == .adaptive
    let objectiveLabel = command.loss == .s ? "Objective: M-scale" : adaptive ? "Negative log-lik." : "Objective Σρ(r/c)"
    // The distributed fit's covariances: Huber's sandwich (classical for l2, where ψ(u) = u), lmrob's for MM,
    // the inverse observed information for the adaptive fit.
    let covariance: CovarianceMethod = command.loss == .mm ? .mmAsymptotic : command.loss == .l2 ? .classical
      : adaptive ? .observedInformation : .huberSandwich
    let lossText = command.loss == .general
      ? "general, Barron's ρ(r/c; α) with α = \(NumberText.alpha(command.alpha ?? .nan))" : command.loss.rawValue
    return Outcome(result: result, seconds: seconds, tuning: tuning, level: command.solver.level,
                   lossName: command.loss.rawValue, lossText: lossText, scaleNote: scaleNote, sigmaNote: sigmaNote,
                   objectiveLabel: objectiveLabel, covariance: covariance,
                   outlierThreshold: command.solver.outlierThreshold)
  }
}
