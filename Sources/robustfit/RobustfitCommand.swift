import ArgumentParser
import Foundation
import RobustRegression

/// The `robustfit` command: `fit` (the default), `compare` and `figures`.
///
/// `main()` is written out so that every failure ends as one line `robustfit: error: <message>` on
/// stderr with the exit status of Docs/spec.md §6 (64 for the command line, 65 for bad data, 1 otherwise).
/// The process entry is `Entry` (Entry.swift), absent from the fuzzing build.
struct RobustfitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "robustfit",
    abstract: "Robust linear regression from a CSV file: M-estimators and Barron's adaptive loss.",
    discussion: """
      Reads a numeric CSV file, regresses one column (default: the last) on others (default: all the \
      rest) under a robust loss and prints a report: coefficients with standard errors, t, p and \
      95 % intervals, the loss scale c, the robust residual scale σ̂, α, the objective, iterations, \
      termination and flagged outliers. `fit` is the default subcommand, so \
      `robustfit data.csv --loss adaptive` works.

      Exit status: 0 success (also a fit that hit the iteration cap: converged is false and a warning \
      goes to stderr), 64 bad command line, 65 bad data (the message names file, row and column), 1 \
      anything else (e.g. a missing file).
      """,
    version: RobustfitCommand.version,
    subcommands: [FitCommand.self, CompareCommand.self, PredictCommand.self, ReplicatesCommand.self,
                  FiguresCommand.self],
    defaultSubcommand: FitCommand.self
  )

  /// The release this build is (CHANGELOG.md), printed by `--version`.
  static let version = "0.13.0"

  static func main() {
    // Before the read: OpenBLAS's idle workers would spin on one of the cores it runs on.
    BLASThreads.endIdleWorkers()
    do {
      var command = try parseAsRoot()
      try command.run()
      try ProcessEnd.succeed()
    } catch let error as CLIError {
      StandardError.error(error.message)
      Foundation.exit(error.status.rawValue)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        // --help, --version: the full text on stdout.
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      let message = self.message(for: error)
      if code == .validationFailure {
        StandardError.error(message + " (see 'robustfit --help')")
        Foundation.exit(ExitStatus.usage.rawValue)
      }
      StandardError.error(message.isEmpty ? "\(error)" : message)
      Foundation.exit(code.rawValue)
    }
  }
}
