import ArgumentParser

/// The input options shared by `fit` and `compare`: the file and which columns are y and x.
struct DataOptions: ParsableArguments {
  @Argument(help: ArgumentHelp(
    "The CSV file ('-' reads standard input).",
    discussion: "Comma, semicolon or tab separated; quoted fields, CRLF, a UTF-8 BOM and blank lines are "
      + "fine; a header row is detected.",
    valueName: "file"))
  var file: String

  @Option(name: .customLong("y"), help: ArgumentHelp(
    "The response column, by header name or 1-based index (default: the last column).",
    valueName: "col"))
  var y: String?

  @Option(name: .customLong("x"), help: ArgumentHelp(
    "A predictor column, by header name or 1-based index; repeat for several (default: all columns but y).",
    valueName: "col"))
  var x: [String] = []

  @Flag(name: .customLong("no-intercept"), help: "Fit without an intercept column.")
  var noIntercept = false

  @Flag(name: .customLong("drop-missing"), help: ArgumentHelp(
    "Skip rows with a missing, non-numeric or non-finite value in a used column (and say how many).",
    discussion: "Without it such a cell is an error (exit 65) naming file, row and column."))
  var dropMissing = false

  func validate() throws {
    if file.isEmpty {
      throw ValidationError("the file name is empty: give a CSV file, or - for standard input")
    }
    if let y, x.contains(y) {
      throw ValidationError("column '\(y)' is both --y and --x")
    }
  }
}

/// The stopping options shared by `fit` and `compare`.
struct SolverOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: ArgumentHelp(
    "Stop when the relative changes of the objective and the coefficients are below this.", valueName: "t"))
  var tolerance: Double = 1e-10

  @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: ArgumentHelp(
    "The iteration cap; a fit that reaches it is reported with converged false and a warning.",
    valueName: "n"))
  var maxIterations: Int = 500

  @Option(name: .customLong("outlier-threshold"), parsing: .unconditional, help: ArgumentHelp(
    "Flag a point as an outlier when |r|/σ̂ exceeds this.", valueName: "z"))
  var outlierThreshold: Double = 2.5

  func validate() throws {
    guard tolerance > 0, tolerance.isFinite else {
      throw ValidationError("--tolerance must be a positive number, not \(tolerance)")
    }
    guard maxIterations >= 1 else {
      throw ValidationError("--max-iterations must be at least 1, not \(maxIterations)")
    }
    guard outlierThreshold > 0, outlierThreshold.isFinite else {
      throw ValidationError("--outlier-threshold must be a positive number, not \(outlierThreshold)")
    }
  }
}
