// The errors of CSV reading, each a one-line message naming file, row and column.

/// A failure to read a numeric CSV file. `description` is one line naming the file, the row (the
/// 1-based line number in the file where the record starts) and the column (1-based index, with
/// its header name when the file has a header), e.g.
/// `data.csv: row 7, column 2 ("x"): non-numeric value "abc"`.
public enum CSVError: Error, CustomStringConvertible, Equatable, Sendable {
  /// No file at the path.
  case fileNotFound(file: String)
  /// The path is a directory.
  case isDirectory(file: String)
  /// The file exists but cannot be opened or read (permissions, I/O error); `reason` is strerror.
  case unreadable(file: String, reason: String)
  /// The file holds no records (zero bytes, or only a byte-order mark and blank lines).
  case emptyFile(file: String)
  /// The file holds a header row and no data rows.
  case headerOnly(file: String)
  /// A record has a different number of fields than the first record.
  case raggedRow(file: String, row: Int, expected: Int, got: Int)
  /// A selected cell is not a number, e.g. `abc` or `1,5`; `text` is truncated to 40 characters.
  case nonNumeric(file: String, row: Int, column: Int, name: String?, text: String)
  /// A selected cell is empty or a missing-value token (`NA`, `N/A`, `NULL`, `None`, any case).
  case missingValue(file: String, row: Int, column: Int, name: String?, text: String)
  /// A selected cell is `nan`, `inf`, `-inf`, `infinity` (any case) or a number that overflows
  /// a double (`1e999`).
  case nonFiniteValue(file: String, row: Int, column: Int, name: String?, text: String)
  /// Bytes that are not valid UTF-8 (in a header or a non-numeric cell); `column` is 0 when the
  /// position is not inside a field.
  case invalidUTF8(file: String, row: Int, column: Int)
  /// A NUL byte: the file is binary, not text.
  case binaryData(file: String, row: Int)
  /// A quoted field is not closed before the end of the file.
  case unterminatedQuote(file: String, row: Int, column: Int)
  /// A closing quote is followed by something other than a delimiter or the end of the line.
  case malformedQuote(file: String, row: Int, column: Int)
  /// A column was selected by a header name that appears more than once (1-based indices).
  case duplicateColumn(file: String, name: String, columns: [Int])
  /// A column selector names no header and is not a valid 1-based index; `columns` are the file's
  /// column names (`column1`, ... without a header), listed by the message.
  case unknownColumn(file: String, selector: String, columns: [String])

  /// The one-line message.
  public var description: String {
    switch self {
    case .fileNotFound(let f): return "\(f): no such file"
    case .isDirectory(let f): return "\(f): is a directory, not a CSV file"
    case .unreadable(let f, let reason): return "\(f): cannot read file: \(reason)"
    case .emptyFile(let f): return "\(f): empty file (no rows)"
    case .headerOnly(let f): return "\(f): header row only, no data rows"
    case .raggedRow(let f, let row, let expected, let got):
      return "\(f): row \(row): expected \(expected) fields, got \(got)"
    case .nonNumeric(let f, let row, let column, let name, let text):
      return "\(f): row \(row), \(Self.columnText(column, name)): non-numeric value \(Self.quoted(text))"
    case .missingValue(let f, let row, let column, let name, let text):
      let what = text.isEmpty ? "empty cell" : "missing value \(Self.quoted(text))"
      return "\(f): row \(row), \(Self.columnText(column, name)): \(what)"
    case .nonFiniteValue(let f, let row, let column, let name, let text):
      return "\(f): row \(row), \(Self.columnText(column, name)): non-finite value \(Self.quoted(text))"
    case .invalidUTF8(let f, let row, let column):
      return column > 0
        ? "\(f): row \(row), column \(column): invalid UTF-8" : "\(f): row \(row): invalid UTF-8"
    case .binaryData(let f, let row):
      return "\(f): row \(row): binary data (NUL byte), not a text file"
    case .unterminatedQuote(let f, let row, let column):
      return "\(f): row \(row), column \(column): quoted field is not closed before the end of the file"
    case .malformedQuote(let f, let row, let column):
      return "\(f): row \(row), column \(column): unexpected text after a closing quote"
    case .duplicateColumn(let f, let name, let columns):
      let list = columns.map(String.init).joined(separator: ", ")
      return "\(f): column name \(Self.quoted(name)) is ambiguous: it names columns \(list)"
    case .unknownColumn(let f, let selector, let columns):
      let notFound = "\(f): column \(Self.quoted(selector)) not found"
      let guess = ColumnNames.suggestion(for: selector, among: columns).map { " (did you mean \(Self.quoted($0))?)" } ?? ""
      return notFound + guess + "; columns: \(ColumnNames.list(columns)) (or their numbers, 1...\(columns.count))"
    }
  }

  static func columnText(_ column: Int, _ name: String?) -> String {
    if let name { return "column \(column) (\(quoted(name)))" }
    return "column \(column)"
  }

  /// Double-quoted with `"` and `\` escaped and control characters shown as `\u{..}`, so a
  /// message stays on one line. (The CLI's JSON writer has its own escaper: RFC 8259 spells control
  /// characters `\u00XX`, and this module does not depend on the CLI.)
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  /// Cell text for a message: at most 40 characters, with "..." when cut.
  static func excerpt(_ text: String) -> String {
    if text.count <= 40 { return text }
    return String(text.prefix(40)) + "..."
  }
}
