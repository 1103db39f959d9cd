// How to read a numeric CSV file: delimiter, header, column selection, missing values, progress.

/// A field delimiter the reader understands.
public enum CSVDelimiter: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  /// `,`
  case comma = 0x2C
  /// `;` (common where the decimal separator is a comma)
  case semicolon = 0x3B
  /// A horizontal tab.
  case tab = 0x09

  /// The character, with the tab spelled out.
  public var description: String {
    switch self {
    case .comma: return ","
    case .semicolon: return ";"
    case .tab: return "tab"
    }
  }
}

/// Whether the first record is a header.
public enum CSVHeaderMode: Sendable, Equatable {
  /// Detect: the first non-blank record is a header when one of its cells is neither a number,
  /// nor `nan`/`inf`, nor a missing-value token (empty, `NA`, `N/A`, `NULL`, `None`). A header
  /// made only of numbers (`1,2,3`) is therefore read as data; use `.present` for it.
  case auto
  /// The first non-blank record is a header.
  case present
  /// There is no header; columns are named `column1`, `column2`, ...
  case absent
}

/// Options for ``readNumericCSV(path:options:)``.
public struct CSVReadOptions: Sendable {
  /// The field delimiter; `nil` detects it among comma, semicolon and tab from the first (up to
  /// 20) non-blank lines within the first 64 KiB: the candidate that occurs the same non-zero
  /// number of times outside quotes on every sampled line wins, tab before semicolon before comma
  /// (a semicolon file often has decimal commas, never the other way round); if none is
  /// consistent, the most frequent; if none occurs, the file has one column.
  public var delimiter: CSVDelimiter?
  /// Whether the first non-blank record is a header (default `.auto`).
  public var header: CSVHeaderMode
  /// Skip (and count in ``NumericTable/droppedRows``) records with a selected cell that is
  /// missing, non-numeric or non-finite, instead of failing. Structural errors (ragged rows,
  /// unterminated quotes, invalid UTF-8, binary data) still fail.
  public var dropMissing: Bool
  /// The columns to parse, by header name or 1-based index (a name that matches a header wins
  /// over the index reading); `nil` parses all. The table holds them in this order; a column
  /// selected twice appears once. Cells of unselected columns are never converted to numbers,
  /// so a file with text columns can be read when only its numeric columns are selected.
  public var columns: [String]?
  /// Chooses the columns to parse once the header has been read, from the file's ``CSVLayout`` (its
  /// names and a first look at its cells): returns 1-based file column numbers, in the order the table
  /// holds them (a number given twice appears once), or throws to stop reading with that error. When
  /// set, ``columns`` is ignored. It is called once, on the calling thread, before any data row is
  /// parsed. A caller uses it to select columns whose meaning depends on the file, e.g. "the last
  /// column", or "every column that is not text".
  public var chooseColumns: (@Sendable (CSVLayout) throws -> [Int])?
  /// Called after every chunk read with the bytes read so far and the file size when known
  /// (regular files; `nil` for pipes and stdin). Called on the reading thread.
  public var progress: (@Sendable (_ bytesRead: Int, _ totalBytes: Int?) -> Void)?
  /// Bytes per read(2) call (default 4 MiB). Records longer than this grow the buffer. Small
  /// values are useful only to test chunk boundaries.
  public var chunkSize: Int
  /// How many threads parse the data rows: 0 (the default) uses every core, 1 the sequential reader.
  /// The table, and the error thrown for a bad file, are the same whatever the value (the first problem
  /// in file order wins, with its row and column).
  public var threads: Int
  /// Bytes of file text per piece parsed by one thread (default 1 MiB). A file with less than two pieces
  /// of data rows is read on one thread. Small values are useful only to test piece boundaries.
  public var pieceSize: Int
  /// Hands the kept rows out as they are read instead of keeping them: when set, the table's
  /// ``NumericTable/columns`` come back empty (its row count, names, line map and counts are as usual)
  /// and this is called with every block of rows, in file order, on the calling thread. A throw stops
  /// reading with that error. For files larger than memory (the CLI's out-of-core fit writes the blocks
  /// to a binary column file).
  public var rowSink: (@Sendable (CSVRowBlock) throws -> Void)?
  /// Keeps the selected columns in one column-major array, ``NumericTable/contiguous``, after this many
  /// leading columns left to the caller (their values are unspecified), instead of one array per column:
  /// ``NumericTable/columns`` then comes back empty. For a caller that needs one array of every column
  /// (the CLI's design matrix: the intercept's column, the predictors, then the response) without
  /// copying the columns into it. Nil (the default): one array per column. Ignored with ``rowSink``.
  public var leadingColumns: Int?

  /// Creates options; every argument has the default described on its property.
  public init(
    delimiter: CSVDelimiter? = nil,
    header: CSVHeaderMode = .auto,
    dropMissing: Bool = false,
    columns: [String]? = nil,
    chooseColumns: (@Sendable (CSVLayout) throws -> [Int])? = nil,
    progress: (@Sendable (_ bytesRead: Int, _ totalBytes: Int?) -> Void)? = nil,
    chunkSize: Int = 4 << 20,
    threads: Int = 0,
    pieceSize: Int = 1 << 20,
    rowSink: (@Sendable (CSVRowBlock) throws -> Void)? = nil,
    leadingColumns: Int? = nil
  ) {
    self.delimiter = delimiter
    self.header = header
    self.dropMissing = dropMissing
    self.columns = columns
    self.chooseColumns = chooseColumns
    self.progress = progress
    self.chunkSize = chunkSize
    self.threads = threads
    self.pieceSize = pieceSize
    self.rowSink = rowSink
    self.leadingColumns = leadingColumns
  }
}

/// Consecutive kept rows of the selected columns, column-major: column j (in the table's order) is
/// `values[j * stride ..< j * stride + rows]`. Valid only during the ``CSVReadOptions/rowSink`` call.
public struct CSVRowBlock {
  /// The block's values (`columns × stride` doubles, of which `rows` per column are rows).
  public let values: UnsafeBufferPointer<Double>
  /// Rows in the block.
  public let rows: Int
  /// Distance between the starts of two columns.
  public let stride: Int
  /// Selected columns.
  public let columns: Int
  /// The 0-based row (among kept rows) of the block's first row.
  public let firstRow: Int

  /// Column j's rows.
  public func column(_ j: Int) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: values[(j * stride)..<(j * stride + rows)])
  }
}
