import Foundation
import TabularIO

/// Which columns a fit uses, as the command line asks for them: from `--y`, `--x` and `--no-intercept`,
/// or from `--formula`. Names are resolved against the file only once its header is read (``ColumnPlan``).
struct ColumnRequest: Equatable {
  /// The response's selector (a name or a 1-based index); nil takes the last column.
  var response: String?
  /// The predictors' selectors as given (a `--x` value may be a comma-separated list); nil takes every
  /// other column that holds numbers.
  var predictors: [String]?
  /// Columns left out of the default predictors (`. - name` in a formula).
  var excluded: [String] = []
  /// Whether the model has an intercept.
  var intercept: Bool
  /// Whether the request came from `--formula` (for the wording of messages).
  var fromFormula = false
  /// The case weights' selector (`--weights`); nil for none.
  var weights: String? = nil
}

/// A column the default predictors leave out, with the reason; announced on stderr and in the reports.
struct UnusedColumn: Equatable {
  enum Reason: Equatable {
    /// An unnamed first column: R's `write.csv` row names or pandas' `to_csv` index.
    case rowNames
    /// Text: its first non-missing cell, at `row`, is `text`.
    case text(row: Int, text: String)
  }

  /// The 1-based column number in the file.
  let column: Int
  /// Its header name (`column3` without a header; empty for unnamed row names).
  let name: String
  let reason: Reason

  /// `column 2 ("id")`, or `column 1` when it has no name.
  var label: String {
    name.isEmpty || reason == .rowNames ? "column \(column)" : "column \(column) (\(quoted(name)))"
  }
}

/// The columns of one fit, resolved against a file's header: the response, the predictors, and the
/// columns the defaults leave out (row names, text). Only the response and the predictors are parsed
/// as numbers; a non-numeric cell in them is an error (or a dropped row with --drop-missing).
struct ColumnPlan: Equatable {
  /// The response's 1-based file column.
  let response: Int
  /// The predictors' 1-based file columns, in design order.
  let predictors: [Int]
  /// Columns left out of the default predictors, by file order.
  let unused: [UnusedColumn]
  /// Whether the model has an intercept.
  let intercept: Bool
  /// Whether the plan came from `--formula` (for the wording of messages).
  var fromFormula = false
  /// The case weights' 1-based file column; nil for none.
  var weights: Int? = nil

  /// The columns to parse: the predictors, the response, then the weights (the order in which the
  /// reader's one array holds them after the intercept's column: the design is then its start).
  var columns: [Int] { predictors + [response] + (weights.map { [$0] } ?? []) }

  /// Resolves `request` against `layout`. Throws ``CSVError`` for a column not found (the message lists
  /// the columns) or an ambiguous name, ``CLIError`` (usage) for a column used twice.
  static func make(_ request: ColumnRequest, layout: CSVLayout) throws -> ColumnPlan {
    guard let selector = request.weights else { return try makeWithoutWeights(request, layout: layout) }
    let k = try layout.column(for: selector)
    // The default response is the last column that is not the weights.
    var plan = try makeWithoutWeights(request, layout: layout, lastColumn: k == layout.names.count ? k - 1 : nil)
    let name = layout.hadHeader ? "\(k) (\(quoted(layout.names[k - 1])))" : "\(k)"
    if k == plan.response {
      throw CLIError.usage("\(layout.fileName): column \(name) is both the response and the case weights (--weights)")
    }
    if plan.predictors.contains(k) {
      // A default predictor list leaves the weights out; an explicit one may not name them.
      guard request.predictors == nil else {
        throw CLIError.usage("\(layout.fileName): column \(name) is both a predictor and the case weights (--weights)")
      }
      plan = ColumnPlan(response: plan.response, predictors: plan.predictors.filter { $0 != k }, unused: plan.unused,
                        intercept: plan.intercept, fromFormula: plan.fromFormula)
    }
    plan.weights = k
    return plan
  }

  /// `lastColumn`: the default response's column when it is not the last (the weights are).
  private static func makeWithoutWeights(_ request: ColumnRequest, layout: CSVLayout, lastColumn: Int? = nil) throws
    -> ColumnPlan {
    let count = layout.names.count
    let file = layout.fileName
    func describe(_ k: Int) -> String {
      layout.hadHeader ? "\(k) (\(quoted(layout.names[k - 1])))" : "\(k)"
    }
    let response = try request.response.map { try layout.column(for: $0) } ?? lastColumn ?? count
    guard let selectors = request.predictors else {
      // The defaults: every other column, except unnamed row names, text, and what `. - name` removes.
      let excluded = Set(try request.excluded.map { try layout.column(for: $0) })
      let rowNames = layout.firstColumnUnnamed && response != 1 ? 1 : nil
      var predictors: [Int] = []
      var unused: [UnusedColumn] = []
      for k in 1...count where k != response && !excluded.contains(k) {
        if k == rowNames {
          unused.append(UnusedColumn(column: k, name: "", reason: .rowNames))
        } else if let cell = layout.firstCells[k - 1], cell.isText {
          unused.append(UnusedColumn(column: k, name: layout.names[k - 1], reason: .text(row: cell.row, text: cell.text)))
        } else {
          predictors.append(k)
        }
      }
      return ColumnPlan(response: response, predictors: predictors, unused: unused, intercept: request.intercept,
                        fromFormula: request.fromFormula)
    }
    // A formula's names are whole names (a backquoted one may hold a comma); --x values may be lists.
    let names = request.fromFormula ? selectors : try expand(selectors, layout: layout)
    let predictors = try names.map { try layout.column(for: $0) }
    let (responseOption, predictorOption) = request.fromFormula ? ("response", "predictor") : ("response (--y)", "predictor (--x)")
    if predictors.contains(response) {
      throw CLIError.usage("\(file): column \(describe(response)) is both the \(responseOption) and a \(predictorOption)")
    }
    var seen = Set<Int>()
    for k in predictors where !seen.insert(k).inserted {
      throw CLIError.usage("\(file): column \(describe(k)) is listed twice \(request.fromFormula ? "in the formula" : "in --x")")
    }
    return ColumnPlan(response: response, predictors: predictors, unused: [], intercept: request.intercept,
                      fromFormula: request.fromFormula)
  }

  /// The `--x` values as single selectors: a value that is exactly a header name is that column (a
  /// quoted header may hold commas); any other value with commas is a list, `a,b` or `1, 3`.
  static func expand(_ values: [String], layout: CSVLayout) throws -> [String] {
    var selectors: [String] = []
    for value in values {
      if layout.isName(value) || !value.contains(",") {
        selectors.append(value)
        continue
      }
      let pieces = value.split(separator: ",", omittingEmptySubsequences: false).map {
        String($0).trimmingCharacters(in: .whitespaces)
      }
      if pieces.contains(where: \.isEmpty) {
        throw CLIError.usage("--x \(quoted(value)): an empty column name in the list; write --x a,b "
          + "(names or 1-based numbers separated by commas)")
      }
      selectors.append(contentsOf: pieces)
    }
    return selectors
  }
}
