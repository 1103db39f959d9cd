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
    "Predictor columns, by header name or 1-based index: a list (--x a,b) or repeated (--x a --x b) "
      + "(default: every column but y that holds numbers).",
    discussion: "A value that is exactly a header name is that column, commas and all.",
    valueName: "cols"))
  var x: [String] = []

  @Flag(name: .customLong("no-intercept"), help: "Fit without an intercept column.")
  var noIntercept = false

  @Option(name: .customLong("formula"), help: ArgumentHelp(
    "The model as R writes it, instead of --y/--x/--no-intercept: 'y ~ x1 + x2', 'y ~ .' (every other "
      + "column that holds numbers), '. - id' to leave one out, '- 1' or '+ 0' for no intercept.",
    discussion: "Names are written as in R; backquote others: 'y ~ `log light`'. Interactions, powers and "
      + "functions of columns (x1:x2, x^2, log(x), I(...)) are not supported: make such columns in the file.",
    valueName: "formula"))
  var formula: String?

  @Option(name: .customLong("weights"), help: ArgumentHelp(
    "A column of case weights, by header name or 1-based index: row i counts as w_i observations "
      + "(frequency weights; 0 leaves a row out).",
    discussion: "Not inverse-variance weights (MASS's wt.method = \"inv.var\"); see Docs/weights.md.",
    valueName: "col"))
  var weights: String?

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
    if let formula {
      let given = [y != nil ? "--y" : nil, x.isEmpty ? nil : "--x", noIntercept ? "--no-intercept" : nil].compactMap { $0 }
      if !given.isEmpty {
        throw ValidationError("--formula names the response, the predictors and the intercept itself: "
          + "give either --formula or \(given.joined(separator: "/")), not both")
      }
      do {
        _ = try ModelFormula.parse(formula)
      } catch {
        throw ValidationError(error.message)
      }
    }
  }

  /// The columns asked for, by --formula or by --y, --x and --no-intercept (validated: the formula parses).
  var request: ColumnRequest {
    guard let formula, let model = try? ModelFormula.parse(formula) else {
      return ColumnRequest(response: y, predictors: x.isEmpty ? nil : x, intercept: !noIntercept, weights: weights)
    }
    switch model.predictors {
    case .named(let names):
      return ColumnRequest(response: model.response, predictors: names, intercept: model.intercept, fromFormula: true,
                           weights: weights)
    case .allOthers(let except):
      return ColumnRequest(response: model.response, predictors: nil, excluded: except, intercept: model.intercept,
                           fromFormula: true, weights: weights)
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

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "The coverage of the confidence intervals (and of the adaptive loss's α interval).", valueName: "level"))
  var level: Double = 0.95

  @Option(help: ArgumentHelp(
    "Where the iterations start: auto (least squares for convex losses, the S-estimate for the others), "
      + "ols, huber or l1.", valueName: "start"))
  var start: StartChoice = .auto

  func validate() throws {
    guard tolerance > 0, tolerance.isFinite else {
      throw ValidationError("--tolerance must be a positive number, not \(tolerance)")
    }
    guard maxIterations >= 1 else {
      throw ValidationError("--max-iterations must be at least 1, not \(maxIterations)")
    }
    guard level > 0, level < 1 else {
      throw ValidationError("--level must lie strictly between 0 and 1, not \(level)")
    }
    guard outlierThreshold > 0, outlierThreshold.isFinite else {
      throw ValidationError("--outlier-threshold must be a positive number, not \(outlierThreshold)")
    }
  }
}
