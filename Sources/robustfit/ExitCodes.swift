import RobustRegression
import TabularIO

/// The exit statuses of Docs/spec.md §6.
enum ExitStatus: Int32 {
  /// Success (also a fit that stopped at the iteration cap: it is printed, with a warning).
  case success = 0
  /// Anything else: a file that cannot be found or read, an output that cannot be written.
  case failure = 1
  /// A bad command line: unknown or contradictory options (sysexits EX_USAGE).
  case usage = 64
  /// Bad data: the message names the file, and the row and column where there is one (EX_DATAERR).
  case dataError = 65
}

/// A failure the command reports as `robustfit: error: <message>` with its exit status.
struct CLIError: Error, CustomStringConvertible {
  /// The exit status.
  let status: ExitStatus
  /// One line, without the `robustfit: error:` prefix.
  let message: String
  /// Whether the failure belongs to one loss rather than to the data (an objective that overflows for
  /// l2 need not stop `compare`'s other losses).
  var belongsToTheLoss = false

  init(_ status: ExitStatus, _ message: String) {
    self.status = status
    self.message = message
  }

  var description: String { message }

  /// A bad command line.
  static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }
  /// Bad data.
  static func data(_ message: String) -> CLIError { CLIError(.dataError, message) }

  /// A CSV reading error: a missing, unreadable or directory path is exit 1 (nothing wrong with the
  /// data), everything else is bad data (65).
  init(_ error: CSVError) {
    switch error {
    case .fileNotFound, .isDirectory, .unreadable:
      self.init(.failure, error.description)
    case .nonNumeric(_, _, _, _, let text):
      self.init(.dataError, error.description + Self.hint(forCell: text))
    default:
      self.init(.dataError, error.description)
    }
  }

  /// For a cell that is not a number but looks like numbers written another way, what to do about it.
  /// The reader takes comma, semicolon or tab as delimiter and only `.` as the decimal point.
  static func hint(forCell text: String) -> String {
    switch NumberLookalike.classify(text) {
    case .decimalComma:
      return " (a decimal comma? robustfit reads only '.' as the decimal point: write the file with '.' "
        + "decimals, e.g. R's write.csv rather than write.csv2, or convert the commas in the numbers)"
    case .spaceSeparated:
      return " (numbers separated by spaces? robustfit reads comma, semicolon or tab separated files: write "
        + "the file with one of those, e.g. R's write.csv rather than write.table)"
    case nil:
      return ""
    }
  }
}
