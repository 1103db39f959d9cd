// What the reader knows of a file before it parses the data rows: the header, the delimiter and a first
// look at the cells, from which a caller can choose the columns to parse (see
// CSVReadOptions.chooseColumns).

/// The shape of a CSV file as seen after its header: what ``CSVReadOptions/chooseColumns`` is given.
public struct CSVLayout: Sendable, Equatable {
  /// The name of the file as used in messages (`<stdin>` for `-`).
  public var fileName: String
  /// Every column's name: the header cells, or `column1`, `column2`, ... without a header.
  public var names: [String]
  /// Whether the first record is a header.
  public var hadHeader: Bool
  /// Whether the header's first cell is empty (R's `write.csv` row names, pandas' `to_csv` index).
  public var firstColumnUnnamed: Bool
  /// The delimiter used (given or detected).
  public var delimiter: CSVDelimiter
  /// For each column, its first cell that is not a missing value (empty, `NA`, ...) among the first
  /// ``sampledRecords`` data records (at most 20, within the first 64 KiB); nil when all were missing.
  public var firstCells: [CSVCell?]
  /// How many data records the look at the cells covered.
  public var sampledRecords: Int

  /// Creates a layout (the reader makes one; this is for tests and callers that plan in memory).
  public init(fileName: String, names: [String], hadHeader: Bool = true, firstColumnUnnamed: Bool = false,
              delimiter: CSVDelimiter = .comma, firstCells: [CSVCell?]? = nil, sampledRecords: Int = 0) {
    self.fileName = fileName
    self.names = names
    self.hadHeader = hadHeader
    self.firstColumnUnnamed = firstColumnUnnamed
    self.delimiter = delimiter
    self.firstCells = firstCells ?? Array(repeating: nil, count: names.count)
    self.sampledRecords = sampledRecords
  }

  /// The 1-based numbers of the columns whose first cell is text (see ``CSVCell/isText``).
  public var textColumns: [Int] {
    firstCells.indices.filter { firstCells[$0]?.isText == true }.map { $0 + 1 }
  }

  /// The 1-based file column named by `selector`: a header name (exact match), else a 1-based index.
  /// Throws ``CSVError/unknownColumn`` (listing the names) or ``CSVError/duplicateColumn``.
  public func column(for selector: String) throws -> Int {
    try resolveFileColumn(selector, allNames: names, hadHeader: hadHeader, fileName: fileName)
  }

  /// Whether `name` is exactly one column's header name.
  public func isName(_ name: String) -> Bool { names.contains(name) }
}

/// One cell of the first look at a file (``CSVLayout/firstCells``).
public struct CSVCell: Sendable, Equatable {
  /// The 1-based line where its record starts.
  public var row: Int
  /// Its text, spaces around it removed, cut to 40 characters.
  public var text: String
  /// Whether it is text: neither a number, nor `nan`/`inf`, nor a number written another way (a
  /// decimal comma, numbers separated by spaces: ``NumberLookalike``), which are meant as numbers and
  /// so are reported, not passed over.
  public var isText: Bool

  /// Creates a cell, classifying `text`.
  public init(row: Int, text: String) {
    self.row = row
    self.text = CSVError.excerpt(text.trimmingSpaces())
    self.isText = classify(text: text) == .text && NumberLookalike.classify(text) == nil
  }
}
