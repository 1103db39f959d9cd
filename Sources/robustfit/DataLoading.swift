import Foundation
import RobustRegression
import TabularIO

/// The data of one fit: the response, the design, and the way back to the file's lines.
struct LoadedData {
  /// The file name used in messages (`<stdin>` for `-`).
  let fileName: String
  /// The response's column name.
  let yName: String
  /// The predictor column names, in design order (without the intercept).
  let xNames: [String]
  /// y.
  let response: [Double]
  /// The predictor columns (copied out of the design on use; only plots need them).
  var predictors: [[Double]] {
    let n = design.rows, first = design.hasIntercept ? 1 : 0
    return (first..<design.columns).map { j in Array(design.values[(j * n)..<((j + 1) * n)]) }
  }
  /// The design matrix (intercept first when there is one).
  let design: DesignMatrix
  /// The 1-based line in the file where each kept row starts.
  let lines: SourceLines
  /// The ranges of y and of the design's columns, when the reader took them (``DataRanges``): the fit
  /// then does not read X for them.
  var ranges: DataRanges? = nil
  /// The case weights (`--weights`), one per kept row; nil for none.
  var weights: [Double]? = nil
  /// The case weights' column name.
  var weightsName: String? = nil
  /// The case weights' column as messages name it: `3 ("w")`.
  var weightsColumn: String? = nil
  /// Rows skipped by --drop-missing.
  let droppedRows: Int
  /// Numbers below the smallest double, read as 0.
  let underflows: Underflows?
  /// Columns the default predictors left out: unnamed row names, text.
  var unusedColumns: [UnusedColumn] = []

  /// The columns left out, for the text reports: `column 1 (row names), column 2 ("id", text)`.
  var unusedColumnsText: String {
    unusedColumns.map { column in
      column.reason == .rowNames ? "column \(column.column) (row names)" : "column \(column.column) (\(quoted(column.name)), text)"
    }.joined(separator: ", ")
  }

  /// Says on stderr what reading changed: columns left out, rows dropped, numbers that underflowed to 0.
  func announce() {
    Self.announce(fileName: fileName, unusedColumns: unusedColumns, droppedRows: droppedRows, underflows: underflows)
  }

  /// ``announce()`` of a file's reading, for a fit that keeps no ``LoadedData`` (out of core).
  static func announce(fileName: String, unusedColumns: [UnusedColumn], droppedRows: Int, underflows: Underflows?) {
    for column in unusedColumns {
      switch column.reason {
      case .rowNames:
        StandardError.note("\(fileName): column \(column.column) has no name (the row names of R's write.csv or the index of "
          + "pandas' to_csv): it is not used as a predictor (--x \(column.column) would use it)")
      case .text(let row, let text):
        StandardError.note("\(fileName): \(column.label) holds text (\(quoted(text)) in row \(row)): it is not used "
          + "as a predictor")
      }
    }
    if droppedRows > 0 {
      StandardError.note("\(fileName): dropped \(droppedRows) row\(droppedRows == 1 ? "" : "s") "
        + "with missing or non-numeric values")
    }
    if let u = underflows {
      let column = u.name.map { "\(u.column) (\(quoted($0)))" } ?? "\(u.column)"
      let others = u.count > 1 ? " (and \(u.count - 1) more such value\(u.count == 2 ? "" : "s"))" : ""
      StandardError.warning("\(fileName): row \(u.row), column \(column): \(u.text) is below the smallest "
        + "double (4.9e-324) and was read as 0\(others)")
    }
  }

  /// n.
  var n: Int { response.count }
  /// p.
  var p: Int { design.columns }
}

/// The file line of each kept row, looked up in the table's map of runs of consecutive lines (an
/// n-length array of line numbers would cost as much memory as one more column of X).
struct SourceLines {
  private let table: NumericTable

  /// Keeps `table`'s line map; its columns are replaced by y alone (shared, not copied).
  init(table: NumericTable, response: [Double]) {
    var map = table
    map.columns = [response]
    self.table = map
  }

  /// The 1-based line where data row `row` (0-based) starts.
  subscript(row: Int) -> Int { table.sourceLine(ofRow: row) }

  /// The 1-based observation number of data row `row` (0-based): as R numbers the rows of the file.
  func observation(_ row: Int) -> Int { table.observation(ofRow: row) }
}

/// Reads the CSV file, resolves the columns and checks the data before any fit (Docs/spec.md §6: bad data is
/// exit 65 with a message naming file and column).
enum DataLoader {
  static func load(_ options: DataOptions) throws -> LoadedData {
    var (table, plan) = try read(options)
    do {
      return try assemble(&table, plan: plan)
    } catch let error as CSVError {
      throw CLIError(error)
    } catch let error as CLIError {
      throw error
    } catch {
      throw CLIError(.failure, "\(table.fileName): \(error)")
    }
  }

  /// Reads the file with the columns chosen once its header is read (only the response, the predictors
  /// and the weights are parsed as numbers, so other columns may hold text: ids, labels, dates). With a
  /// `rowSink` the rows go there as they are read and the table comes back without columns.
  static func read(_ options: DataOptions, rowSink: (@Sendable (CSVRowBlock) throws -> Void)? = nil) throws
    -> (NumericTable, ColumnPlan) {
    let progress = ProgressLine.shared
    let shownName = options.file == "-" ? "<stdin>" : options.file
    var report: (@Sendable (Int, Int?) -> Void)?
    if progress.enabled {
      report = { read, total in progress.reading(shownName, bytesRead: read, totalBytes: total) }
    }
    let request = options.request
    let chosen = PlanHolder()
    let choose: @Sendable (CSVLayout) throws -> [Int] = { layout in
      let plan = try ColumnPlan.make(request, layout: layout)
      chosen.plan = plan
      return plan.columns
    }
    // One array for every column, after one for the intercept: the design is built in it (``assemble``).
    let csvOptions = CSVReadOptions(dropMissing: options.dropMissing, chooseColumns: choose, progress: report,
                                    rowSink: rowSink, leadingColumns: 1)
    let table: NumericTable
    do {
      table = try readNumericCSV(path: options.file, options: csvOptions)
    } catch {
      progress.finish()
      if let error = error as? CSVError { throw CLIError(error) }
      throw error
    }
    guard let plan = chosen.plan else { throw CLIError(.failure, "\(table.fileName): the columns were not chosen") }
    return (table, plan)
  }

  /// Where the column choice made while reading is kept for the assembly. It is written once, by the
  /// reader's call of `chooseColumns` on this thread, before `readNumericCSV` returns.
  final class PlanHolder: @unchecked Sendable {
    var plan: ColumnPlan?
  }

  /// The plan's columns as positions in the table.
  struct Columns {
    let response: Int
    let predictors: [Int]
    let weights: Int?
    let intercept: Bool
    /// Design columns.
    var p: Int { predictors.count + (intercept ? 1 : 0) }
  }

  /// The plan's columns in `table`, checked before any value is looked at: something to fit, n > p,
  /// distinct names (they become keys of the JSON report), none named "intercept" beside an intercept.
  static func resolve(_ table: NumericTable, plan: ColumnPlan) throws -> Columns {
    let file = table.fileName
    // File column → table column, once: a firstIndex per column was quadratic (200 000 columns: minutes).
    var position: [Int: Int] = [:]
    for (j, k) in table.fileColumnNumbers.enumerated() where position[k] == nil { position[k] = j }
    func index(_ k: Int) throws -> Int {
      guard let j = position[k] else {
        throw CLIError(.failure, "\(file): column \(k) was not read")
      }
      return j
    }
    let columns = Columns(response: try index(plan.response), predictors: try plan.predictors.map(index),
                          weights: try plan.weights.map(index), intercept: plan.intercept)
    if !columns.intercept && columns.predictors.isEmpty {
      throw CLIError.usage(plan.fromFormula ? "the formula has neither predictors nor an intercept: nothing to fit"
                             : "--no-intercept with no x columns leaves nothing to fit")
    }
    let n = table.rowCount, p = columns.p
    if n == 0 {
      throw CLIError.data("\(file): no rows left after dropping \(table.droppedRows) rows with missing or "
        + "non-numeric values")
    }
    if n <= p {
      throw CLIError.data("\(file): too few rows: n = \(n) data row\(n == 1 ? "" : "s") for p = \(p) "
        + "coefficient\(p == 1 ? "" : "s") (n must exceed p)")
    }
    var firstWithName: [String: Int] = [:]
    for j in [columns.response] + columns.predictors {
      if let k = firstWithName.updateValue(j, forKey: table.names[j]) {
        let (a, b) = (min(j, k), max(j, k))
        throw CLIError.data("\(file): columns \(table.fileColumnNumbers[a]) and \(table.fileColumnNumbers[b]) "
          + "have the same name \(quoted(table.names[j])); rename one")
      }
    }
    if columns.intercept, let j = columns.predictors.first(where: { table.names[$0] == "intercept" }) {
      throw CLIError.data("\(file): column \(describe(table, j)) is named \"intercept\", the name of the "
        + "intercept's coefficient; rename it or use --no-intercept")
    }
    return columns
  }

  /// Throws when the response is constant, or a predictor is beside an intercept; `constantValue(j)` is
  /// table column j's value when all its values are equal, nil otherwise.
  static func checkNotConstant(_ table: NumericTable, _ columns: Columns, constantValue: (Int) -> Double?) throws {
    let file = table.fileName
    if let value = constantValue(columns.response) {
      throw CLIError.data("\(file): the response, column \(describe(table, columns.response)), is constant "
        + "(every value is \(NumberText.significant(value, 17))): there is nothing to fit")
    }
    guard columns.intercept else { return }
    for j in columns.predictors {
      if let value = constantValue(j) {
        throw CLIError.data("\(file): column \(describe(table, j)) is constant (every value is \(NumberText.significant(value, 17))): "
          + "it is collinear with the intercept; drop it or use --no-intercept")
      }
    }
  }

  /// Builds the design from `table`'s columns: in place when the reader kept them in one array laid out
  /// as the design (``NumericTable/contiguous``: a free column, the predictors, the response, the
  /// weights, as ``ColumnPlan/columns`` orders them), else copied, emptying each column once it is
  /// copied; either way the peak memory is one X plus a column or two, not two X (Docs/performance.md,
  /// streaming memory).
  static func assemble(_ table: inout NumericTable, plan: ColumnPlan) throws -> LoadedData {
    let file = table.fileName
    let columns = try resolve(table, plan: plan)
    let n = table.rowCount, p = columns.p
    if let block = table.contiguous, !DesignInPlace.fits(block, columns) {
      table.columns = DesignInPlace.separate(block, count: table.names.count, rows: n)
      table.contiguous = nil
    }
    try checkNotConstant(table, columns) { j in
      let column = table.contiguous.map { DesignInPlace.column(j, of: $0, rows: n) } ?? table.columns[j][...]
      guard let first = column.first, column.allSatisfy({ $0 == first }) else { return nil }
      return first
    }
    let response: [Double], weights: [Double]?, values: [Double]
    var ranges: DataRanges?
    if var block = table.contiguous {
      table.contiguous = nil  // the array is now `block`'s alone, then the design's: no copy on write
      ranges = DesignInPlace.ranges(block, columns)
      (values, response, weights) = DesignInPlace.take(&block, columns, rows: n)
    } else {
      response = table.columns[columns.response]
      weights = columns.weights.map { table.columns[$0] }
      values = DesignCopy.columnMajor(&table, predictors: columns.predictors, intercept: columns.intercept, rows: n)
    }
    let xNames = columns.predictors.map { table.names[$0] }
    let design = try DesignMatrix(rows: n, columns: p, columnMajor: values,
                                  names: (columns.intercept ? [DesignMatrix.interceptName] : []) + xNames,
                                  hasIntercept: columns.intercept)
    var loaded = LoadedData(fileName: file, yName: table.names[columns.response], xNames: xNames, response: response,
                            design: design, lines: SourceLines(table: table, response: response),
                            droppedRows: table.droppedRows, underflows: table.underflows)
    loaded.unusedColumns = plan.unused
    loaded.ranges = ranges
    if let j = columns.weights {
      // The library checks the values (``Regression/validate(weights:design:highBreakdown:)``);
      // ``translate(_:data:)`` names their row and column.
      loaded.weights = weights
      loaded.weightsName = table.names[j]
      loaded.weightsColumn = describe(table, j)
    }
    return loaded
  }

  /// `3 ("x")`: the file column number and the name.
  static func describe(_ table: NumericTable, _ j: Int) -> String {
    table.hadHeader ? "\(table.fileColumnNumbers[j]) (\(quoted(table.names[j])))" : "\(table.fileColumnNumbers[j])"
  }

  /// A case weight that is negative, NaN or infinite, with its line and column.
  static func invalidWeight(file: String, line: Int, column: String, value: Double) -> CLIError {
    .data("\(file): row \(line), column \(column): the case weight \(NumberText.significant(value, 17)) is "
      + "\(value.isNaN ? "not a number" : (value < 0 ? "negative" : "infinite")); case weights must be 0 or more")
  }

  /// A library error of a fit turned into the CLI's error, naming the file and the columns.
  static func translate(_ error: Error, data: LoadedData) -> CLIError {
    guard let error = error as? RegressionError else {
      if let cli = error as? CLIError { return cli }
      return CLIError(.failure, "\(data.fileName): \(error)")
    }
    switch error {
    case .collinear(_, let dependent):
      let names = dependent.map { quoted($0) }.joined(separator: ", ")
      let verb = dependent.count == 1 ? "is a linear combination" : "are linear combinations"
      return .data("\(data.fileName): the predictors are collinear: column\(dependent.count == 1 ? "" : "s") "
        + "\(names) \(verb) of the other columns; drop \(dependent.count == 1 ? "it" : "one")")
    case .outOfRange(let quantity, let magnitude):
      let what: String
      switch quantity {
      case .coefficient(let name): what = "the coefficient of column \(quoted(name))"
      case .residual(let row): what = "the residual of row \(data.lines[row])"
      default: what = quantity.description
      }
      let remedy = quantity.isCoefficient ? "that column" : "column \(quoted(data.yName))"
      return .data("\(data.fileName): \(what) is \(RegressionError.aboutPowerOfTen(magnitude)), beyond the range of "
        + "a double: rescale \(remedy) (by a power of ten) and fit again")
    case .tooFewObservations, .tooFewObservationsForBreakdown, .nonFinite, .dimensionMismatch, .predictorLength, .nameCount, .valueCount,
         .columnMismatch, .weightCount:
      return .data("\(data.fileName): \(error.description)")
    case .invalidWeight(let row, let value):
      return invalidWeight(file: data.fileName, line: data.lines[row], column: data.weightsColumn ?? "?", value: value)
    case .tooFewWeightedObservations(let positive, let total, let p, let highBreakdown):
      return .data("\(data.fileName): the case weights (column \(data.weightsColumn ?? "?")) leave \(positive) rows "
        + "with a positive weight summing to \(NumberText.significant(total)): both must exceed "
        + (highBreakdown ? "2p = \(2 * p) for a high-breakdown fit" : "p = \(p)"))
    case .invalidArgument(let argument):
      return .usage(argument.description)
    case .objectiveOverflow(let row, let ratio):
      var error = CLIError.data("\(data.fileName): row \(data.lines[row]), column \(quoted(data.yName)): the objective Σρ(r/c) "
        + "overflows the double range: this row's residual is \(ratio.isFinite ? NumberText.significant(ratio, 3) : "more than 1.8e+308") × the loss "
        + "scale c; use a bounded loss (huber, cauchy, …), a larger --scale, or remove the value")
      error.belongsToTheLoss = true
      return error
    }
  }
}

/// Double-quoted text for messages.
func quoted(_ text: String) -> String {
  "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
