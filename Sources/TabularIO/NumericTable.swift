// The result of reading a CSV file: named numeric columns and the map back to file lines.

/// Numeric columns read from a CSV file, column-major, every value finite.
public struct NumericTable: Sendable, Equatable {
  /// The name of the file as used in messages (`<stdin>` for `-`).
  public var fileName: String
  /// Column names: the header cells, or `column1`, `column2`, ... (numbered by file position)
  /// without a header. One per entry of ``columns``.
  public var names: [String]
  /// The 1-based position in the file of each column in ``columns``.
  public var fileColumnNumbers: [Int]
  /// Column storage: `columns[j][i]` is row i of column j. All have length ``rowCount``.
  public var columns: [[Double]]
  /// With ``CSVReadOptions/leadingColumns``: every selected column in one column-major array instead of
  /// ``columns`` (which is then empty).
  public var contiguous: Contiguous?
  /// Rows skipped because of a missing, non-numeric or non-finite cell (only with
  /// ``CSVReadOptions/dropMissing``).
  public var droppedRows: Int
  /// Whether the first record was taken as a header.
  public var hadHeader: Bool
  /// Whether the header's first cell is empty: the row names R's `write.csv` writes (header `""`) or
  /// the index pandas' `to_csv` writes (header empty).
  public var firstColumnUnnamed = false
  /// The delimiter used (given or detected).
  public var delimiter: CSVDelimiter
  /// All header names of the file, selected or not (`column1`... without a header).
  public var allNames: [String]
  /// Nonzero numbers in the kept rows that are too small for a double (|v| below about 2.5e-324, e.g.
  /// `1e-400`) and were read as 0: how many, and the first of them. Nil when there were none.
  public var underflows: Underflows?
  /// Row-to-line map, run-length encoded: row `runRows[k] + d` (for rows before `runRows[k+1]`)
  /// starts on line `runLines[k] + d`.
  var runRows: [Int]
  var runLines: [Int]
  /// The 0-based data record (every record after the header, kept or dropped, blank lines not counted)
  /// where each run starts: row `runRows[k] + d` is record `runRecords[k] + d`.
  var runRecords: [Int]

  /// The selected columns in one array: column j of the table (in ``names`` order) is
  /// `values[(leading + j) × rowCount ..< (leading + j + 1) × rowCount]`; the `leading` columns before
  /// them hold unspecified values, for the caller to fill.
  public struct Contiguous: Sendable, Equatable {
    public let leading: Int
    public var values: [Double]
    /// Each table column's bounds, taken while reading.
    public var bounds: [ColumnBounds] = []
  }

  /// The number of data rows kept.
  public var rowCount: Int { columns.first?.count ?? keptRowsWithoutColumns }
  var keptRowsWithoutColumns: Int

  /// Creates a table directly (for tests and for callers that build data in memory): rows are
  /// taken to start on lines 2, 3, ... when `hadHeader`, else 1, 2, ...
  public init(names: [String], columns: [[Double]], hadHeader: Bool = true, fileName: String = "<memory>") {
    precondition(names.count == columns.count, "one name per column")
    self.fileName = fileName
    self.names = names
    self.allNames = names
    self.fileColumnNumbers = names.indices.map { $0 + 1 }
    self.columns = columns
    self.droppedRows = 0
    self.hadHeader = hadHeader
    self.delimiter = .comma
    self.runRows = [0]
    self.runLines = [hadHeader ? 2 : 1]
    self.runRecords = [0]
    self.keptRowsWithoutColumns = 0
    self.underflows = nil
  }

  init(
    fileName: String, names: [String], allNames: [String], fileColumnNumbers: [Int], columns: [[Double]],
    droppedRows: Int, hadHeader: Bool, delimiter: CSVDelimiter, runRows: [Int], runLines: [Int],
    runRecords: [Int], rowCount: Int, underflows: Underflows?
  ) {
    self.underflows = underflows
    self.fileName = fileName
    self.names = names
    self.allNames = allNames
    self.fileColumnNumbers = fileColumnNumbers
    self.columns = columns
    self.droppedRows = droppedRows
    self.hadHeader = hadHeader
    self.delimiter = delimiter
    self.runRows = runRows
    self.runLines = runLines
    self.runRecords = runRecords
    self.keptRowsWithoutColumns = rowCount
  }

  /// The 1-based line number in the file where data row `row` (0-based, among kept rows) starts.
  public func sourceLine(ofRow row: Int) -> Int {
    let k = run(containing: row)
    return runLines[k] + (row - runRows[k])
  }

  /// The 1-based observation number of data row `row` (0-based, among kept rows): its position among the
  /// file's data records, dropped ones included and blank lines not, as R numbers the rows of a data
  /// frame read from the file (and keeps their names when `na.omit` drops some).
  public func observation(ofRow row: Int) -> Int {
    let k = run(containing: row)
    return runRecords[k] + (row - runRows[k]) + 1
  }

  /// The last run starting at or before `row` (binary search; runRows is increasing, runRows[0] = 0).
  private func run(containing row: Int) -> Int {
    precondition(row >= 0 && row < rowCount, "row out of range")
    var lo = 0
    var hi = runRows.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if runRows[mid] <= row { lo = mid } else { hi = mid - 1 }
    }
    return lo
  }

  /// The starting line number of every kept row (materialised; prefer ``sourceLine(ofRow:)``
  /// for very large tables).
  public var sourceLines: [Int] { (0..<rowCount).map(sourceLine(ofRow:)) }

  /// The position in ``columns`` of the column named by `selector`: a header name (exact match),
  /// or else a 1-based column index in the file ("3"). Throws ``CSVError/unknownColumn`` when
  /// nothing matches or the column was not loaded, ``CSVError/duplicateColumn`` when the name
  /// appears more than once in the header.
  public func columnIndex(for selector: String) throws -> Int {
    let file = try resolveFileColumn(selector, allNames: allNames, hadHeader: hadHeader, fileName: fileName)
    guard let j = fileColumnNumbers.firstIndex(of: file) else {
      throw CSVError.unknownColumn(file: fileName, selector: selector, columns: allNames)
    }
    return j
  }

  /// The column named by `selector` (see ``columnIndex(for:)``).
  public func column(_ selector: String) throws -> [Double] {
    columns[try columnIndex(for: selector)]
  }
}

/// Resolves a selector to a 1-based file column: a header name (exact) first, else an index.
func resolveFileColumn(_ selector: String, allNames: [String], hadHeader: Bool, fileName: String) throws -> Int {
  let matches = allNames.indices.filter { allNames[$0] == selector }
  if matches.count > 1 {
    throw CSVError.duplicateColumn(file: fileName, name: selector, columns: matches.map { $0 + 1 })
  }
  if let only = matches.first { return only + 1 }
  let trimmed = selector.trimmingSpaces()
  if let k = Int(trimmed), k >= 1, k <= allNames.count, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
    return k
  }
  throw CSVError.unknownColumn(file: fileName, selector: selector, columns: allNames)
}

extension String {
  func trimmingSpaces() -> String {
    var s = Substring(self)
    while s.first == " " { s.removeFirst() }
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}

/// Numbers read as 0 because they are below the smallest double (see ``NumericTable/underflows``).
public struct Underflows: Sendable, Equatable {
  /// How many cells.
  public var count: Int
  /// The 1-based line of the first.
  public var row: Int
  /// Its 1-based column in the file.
  public var column: Int
  /// Its column's header name, when the file has a header.
  public var name: String?
  /// Its text as written.
  public var text: String
}
