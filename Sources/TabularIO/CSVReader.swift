// The streaming CSV parser: a chunk buffer with a NUL sentinel, a fast path for plain numbers and
// a general field scanner for everything else.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let lf: UInt8 = 0x0A
private let cr: UInt8 = 0x0D
private let quote: UInt8 = 0x22
private let space: UInt8 = 0x20
private let tabByte: UInt8 = 0x09

/// The parser state. A struct with mutating methods (not a class) so the hot loop pays no
/// dynamic exclusivity checks.
///
/// The buffer holds bytes [0, end) with a NUL sentinel at `end`; every scan stops at a NUL, and
/// a NUL at `end` means "out of data": before end of file the record is re-parsed after a refill
/// (records are committed only when complete, so a retry has nothing to undo), at end of file it
/// ends the record. A NUL anywhere else is binary data.
struct CSVReader {
  var source: ByteSource
  let options: CSVReadOptions
  let name: String

  // Buffer.
  var buffer: UnsafeMutablePointer<UInt8>
  var capacity: Int
  var start = 0  // first byte of the record being parsed
  var end = 0  // end of valid bytes; buffer[end] == 0
  var eof = false
  var bytesRead = 0
  /// The line number (1-based) of the byte at `start`.
  var line = 1
  /// Underflowed numbers (read as 0) in the kept rows, and those of the record being parsed.
  var underflows: Underflows?
  var rowUnderflow: (column: Int, text: String)?
  var rowUnderflowCount = 0

  // Layout.
  var delimiter: UInt8 = CSVDelimiter.comma.rawValue
  var fieldCount = 0
  /// For each file column, its slot in the table or -1 when not selected.
  var slots: [Int] = []
  /// For each file column, where its value goes in a staging row (slot × ``ColumnStore/blockRows``),
  /// or -1 when not selected; allocated by ``read()`` (piece readers share it), freed by ``deallocate()``.
  var slotOffsets: UnsafeMutablePointer<Int>?
  var slotCount = 0
  var names: [String] = []
  var allNames: [String] = []
  var hadHeader = false

  // Output.
  var store: ColumnStore
  var rowCount = 0
  var dropped = 0
  var runRows: [Int] = []
  var runLines: [Int] = []
  var runRecords: [Int] = []
  var nextExpectedLine = -1
  var nextExpectedRecord = -1

  /// Quoted field contents after unescaping.
  var scratch: [UInt8] = []
  let tables = DecimalTables.shared
  /// Bytes allocated after the data: the NUL sentinel and the bytes the number scanner may read
  /// past it (``DecimalParser/readAhead``).
  static let slack = 1 + DecimalParser.readAhead

  /// The file mapped whole (large regular files read on several threads), instead of `buffer`'s chunks.
  var mapped: MappedFile?
  /// For a piece reader (``readDataInPieces(threads:)``): where its full staging blocks come from, and the blocks it filled, in order.
  var pool: BlockPool?
  var filled: [StagedBlock] = []

  init(source: ByteSource, options: CSVReadOptions) {
    self.source = source
    self.options = options
    self.name = source.name
    self.store = ColumnStore(count: 0)
    if Self.threadCount(options) > 1, let size = source.totalBytes, size >= 2 * max(1, options.pieceSize),
      let map = MappedFile(source, size: size, slack: Self.slack)
    {
      mapped = map
      buffer = map.base
      capacity = size
      end = size
      eof = true
      bytesRead = size
      return
    }
    // No bigger than the file (+1 so a single read sees the end) when its size is known.
    self.capacity = max(16, min(options.chunkSize, (source.totalBytes ?? options.chunkSize) + 1))
    self.buffer = .allocate(capacity: capacity + Self.slack)
    self.buffer.initialize(repeating: 0, count: Self.slack)
  }

  mutating func deallocate() {
    if let mapped { mapped.unmap() } else { buffer.deallocate() }
    store.deallocate()
    slotOffsets?.deallocate()
    slotOffsets = nil
  }

  // MARK: - Reading

  /// Moves the unparsed tail [start, end) to the front, grows the buffer when one record fills
  /// it, and reads one more chunk. Returns false at end of file.
  mutating func refill() throws -> Bool {
    if eof { return false }
    if start > 0 {
      let tail = end - start
      if tail > 0 { buffer.update(from: buffer + start, count: tail) }
      end = tail
      start = 0
    }
    if end == capacity {
      let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * capacity + Self.slack)
      bigger.initialize(from: buffer, count: end)
      buffer.deallocate()
      buffer = bigger
      capacity *= 2
    }
    let n = try source.read(into: buffer + end, count: capacity - end)
    end += n
    (buffer + end).initialize(repeating: 0, count: Self.slack)
    bytesRead += n
    options.progress?(bytesRead, source.totalBytes)
    if n == 0 {
      eof = true
      return false
    }
    return true
  }

  mutating func read() throws -> NumericTable {
    try readPreamble()
    // First record: header or data.
    let first = try firstRecord()
    guard let first else { throw CSVError.emptyFile(file: name) }
    fieldCount = first.cells.count
    let isHeader: Bool
    switch options.header {
    case .present: isHeader = true
    case .absent: isHeader = false
    case .auto: isHeader = first.cells.contains { classify(text: $0) == .text }
    }
    hadHeader = isHeader
    if isHeader {
      allNames = first.cells.enumerated().map { k, cell in
        let trimmed = cell.trimmingSpaces()
        return trimmed.isEmpty ? "column\(k + 1)" : trimmed
      }
    } else {
      allNames = (1...fieldCount).map { "column\($0)" }
    }
    if isHeader {
      start = first.next
      line += first.lines
    }
    // Selection.
    var fileColumns: [Int] = []
    if let choose = options.chooseColumns {
      let (cells, sampled) = sampleCells()
      let layout = CSVLayout(
        fileName: name, names: allNames, hadHeader: isHeader,
        firstColumnUnnamed: isHeader && fieldCount > 1 && first.cells[0].trimmingSpaces().isEmpty,
        delimiter: CSVDelimiter(rawValue: delimiter)!, firstCells: cells, sampledRecords: sampled)
      // A set for "seen": a list's contains made 200 000 chosen columns a quadratic 2e10 comparisons.
      var seen = Set<Int>()
      for k in try choose(layout) {
        guard k >= 1 && k <= fieldCount else {
          throw CSVError.unknownColumn(file: name, selector: "\(k)", columns: allNames)
        }
        if seen.insert(k).inserted { fileColumns.append(k) }
      }
    } else if let selectors = options.columns {
      var seen = Set<Int>()
      for s in selectors {
        let k = try resolveFileColumn(s, allNames: allNames, hadHeader: isHeader, fileName: name)
        if seen.insert(k).inserted { fileColumns.append(k) }
      }
    } else {
      fileColumns = Array(1...fieldCount)
    }
    slots = [Int](repeating: -1, count: fieldCount)
    for (j, k) in fileColumns.enumerated() { slots[k - 1] = j }
    slotCount = fileColumns.count
    names = fileColumns.map { allNames[$0 - 1] }
    store.deallocate()
    store = ColumnStore(count: slotCount)
    slotOffsets?.deallocate()
    slotOffsets = .allocate(capacity: max(fieldCount, 1))
    for k in 0..<fieldCount { slotOffsets![k] = slots[k] < 0 ? -1 : slots[k] * store.blockRows }
    if let leading = options.leadingColumns, options.rowSink == nil {
      store.contiguous = ContiguousColumns(leading: max(0, leading), count: slotCount)
      store.columns = []
    }
    let threads = Self.threadCount(options)
    let left = (source.totalBytes ?? Int.max) - (bytesRead - (end - start))
    if mapped != nil || (threads > 1 && left >= 2 * max(1, options.pieceSize)) {
      try readDataInPieces(threads: threads)
    } else {
      try readData()
    }
    if rowCount == 0 && dropped == 0 {
      throw isHeader ? CSVError.headerOnly(file: name) : CSVError.emptyFile(file: name)
    }
    let columns: [[Double]]
    if let sink = options.rowSink {
      try handOut(to: sink)
      columns = []
    } else {
      columns = store.finish(expectedRows: rowCount)
    }
    var contiguous: NumericTable.Contiguous?
    if store.contiguous != nil {
      let leading = store.contiguous!.leading
      contiguous = NumericTable.Contiguous(leading: leading, values: store.contiguous!.finish(),
                                           bounds: store.contiguous!.bounds)
      store.contiguous = nil
    }
    var table = NumericTable(
      fileName: name, names: names, allNames: allNames, fileColumnNumbers: fileColumns, columns: columns,
      droppedRows: dropped, hadHeader: isHeader, delimiter: CSVDelimiter(rawValue: delimiter)!,
      runRows: runRows.isEmpty ? [0] : runRows, runLines: runLines.isEmpty ? [line] : runLines,
      runRecords: runRecords.isEmpty ? [0] : runRecords,
      rowCount: rowCount, underflows: underflows)
    table.firstColumnUnnamed = isHeader && fieldCount > 1 && first.cells[0].trimmingSpaces().isEmpty
    table.contiguous = contiguous
    return table
  }

  /// The prefix that delimiter detection looks at; reading it whole first makes the detection
  /// independent of the chunk size.
  static let detectionWindow = 64 << 10

  /// Reads the detection window (or the whole file if shorter), skips a byte-order mark, and
  /// fixes the delimiter.
  mutating func readPreamble() throws {
    while !eof && end < Self.detectionWindow + 3 {
      _ = try refill()
    }
    if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
    if let given = options.delimiter {
      delimiter = given.rawValue
    } else {
      delimiter = detectDelimiter().rawValue
    }
  }

  /// See ``CSVReadOptions/delimiter``; looks at the first 20 non-blank lines within the first
  /// 64 KiB.
  func detectDelimiter() -> CSVDelimiter {
    let candidates: [CSVDelimiter] = [.tab, .semicolon, .comma]
    var perLine: [[Int]] = []
    var counts = [0, 0, 0]
    var inQuotes = false
    var nonBlank = false
    var i = start
    let limit = min(end, start + Self.detectionWindow)
    while i < limit && perLine.count < 20 {
      let c = buffer[i]
      if c == quote {
        inQuotes.toggle()
      } else if !inQuotes && (c == lf || c == cr) {
        if nonBlank { perLine.append(counts) }
        counts = [0, 0, 0]
        nonBlank = false
      } else if !inQuotes {
        if let k = candidates.firstIndex(where: { $0.rawValue == c }) { counts[k] += 1 }
        if c != space && c != tabByte { nonBlank = true }
      }
      i += 1
    }
    if nonBlank && eof && i == end && perLine.count < 20 { perLine.append(counts) }  // no final line break
    if perLine.isEmpty { return .comma }
    for k in candidates.indices {
      let first = perLine[0][k]
      if first > 0 && perLine.allSatisfy({ $0[k] == first }) { return candidates[k] }
    }
    var best = 2
    var bestTotal = 0
    for k in candidates.indices {
      let total = perLine.reduce(0) { $0 + $1[k] }
      if total > bestTotal {
        best = k
        bestTotal = total
      }
    }
    return candidates[best]
  }

  /// The first non-missing cell of each column among the data records from `start` (at most 20, and
  /// only those already in the buffer: the detection window), and how many records that was. Nothing
  /// is committed; a record the look cannot parse (a broken quote, a ragged row) ends it, and the data
  /// pass reports the problem.
  mutating func sampleCells() -> ([CSVCell?], Int) {
    let (savedStart, savedLine) = (start, line)
    defer { (start, line) = (savedStart, savedLine) }
    var cells = [CSVCell?](repeating: nil, count: fieldCount)
    var records = 0
    sampling: while records < 20 {
      guard let outcome = try? parseGenericRecord() else { break }
      switch outcome {
      case .needMore, .endOfData:
        break sampling
      case .blank(let next):
        start = next
        line += 1
      case .record(let fields, let next, let lines):
        guard fields.count == fieldCount else { break sampling }
        for (k, text) in fields.enumerated() where cells[k] == nil && classify(text: text) != .missing {
          cells[k] = CSVCell(row: line, text: text)
        }
        records += 1
        start = next
        line += lines
      }
    }
    return (cells, records)
  }

  struct FirstRecord {
    var cells: [String]
    var next: Int
    var lines: Int
  }

  /// Parses the first non-blank record into strings; nil when the file has none.
  mutating func firstRecord() throws -> FirstRecord? {
    while true {
      switch try parseGenericRecord() {
      case .needMore:
        _ = try refill()
      case .endOfData:
        return nil
      case .blank(let next):
        start = next
        line += 1
      case .record(let cells, let next, let lines):
        return FirstRecord(cells: cells, next: next, lines: lines)
      }
    }
  }

  enum GenericOutcome {
    case needMore
    case endOfData
    case blank(next: Int)
    case record(cells: [String], next: Int, lines: Int)
  }

  /// Parses the record at `start` into strings, without committing anything. (Its blank-line prologue
  /// is the data parser's too: each maps `blankLine`'s answer into its own outcome type.)
  mutating func parseGenericRecord() throws -> GenericOutcome {
    let base = buffer
    let endPtr = base + end
    var p = base + start
    switch blankLine(p, endPtr) {
    case .blank(let next): return .blank(next: next - base)
    case .needMore: return .needMore
    case .endOfData: return .endOfData
    case .content: break
    }
    var cells: [String] = []
    var lines = 0
    while true {
      let column = cells.count + 1
      guard let field = try scanField(p, endPtr, column: column) else { return .needMore }
      lines += field.newlines
      let text: String
      if field.quoted {
        text = try makeString(scratch, column: column)
      } else {
        text = try makeString(UnsafeBufferPointer(start: field.contentStart, count: field.contentCount), column: column)
      }
      cells.append(text)
      p = field.next
      let c = p.pointee
      if c == delimiter {
        p += 1
        continue
      }
      guard let after = recordEnd(p, endPtr) else { return .needMore }
      return .record(cells: cells, next: after - base, lines: lines + 1)
    }
  }

  func makeString<C: Collection>(_ bytes: C, column: Int) throws -> String where C.Element == UInt8 {
    guard let s = String(validating: bytes, as: UTF8.self) else {
      throw CSVError.invalidUTF8(file: name, row: line, column: column)
    }
    return s
  }

  // MARK: - Records

  enum BlankOutcome {
    case blank(UnsafeMutablePointer<UInt8>)
    case needMore
    case endOfData
    case content
  }

  /// Whether the line at `p` is blank (only spaces, and tabs unless tab is the delimiter).
  @inline(__always)
  func blankLine(_ p: UnsafeMutablePointer<UInt8>, _ endPtr: UnsafeMutablePointer<UInt8>) -> BlankOutcome {
    var b = p
    while b.pointee == space || (b.pointee == tabByte && delimiter != tabByte) { b += 1 }
    let c = b.pointee
    if c == lf { return .blank(b + 1) }
    if c == cr {
      if b + 1 == endPtr && !eof { return .needMore }
      return .blank((b + 1).pointee == lf ? b + 2 : b + 1)
    }
    if c == 0 && b == endPtr { return eof ? .endOfData : .needMore }
    return .content
  }

  /// At a record terminator (`p` at LF, CR or the end sentinel): the start of the next record,
  /// or nil when more data is needed to see a CR's LF.
  @inline(__always)
  func recordEnd(_ p: UnsafeMutablePointer<UInt8>, _ endPtr: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>? {
    let c = p.pointee
    if c == lf { return p + 1 }
    if c == cr {
      if p + 1 == endPtr && !eof { return nil }
      return (p + 1).pointee == lf ? p + 2 : p + 1
    }
    if p == endPtr && !eof { return nil }
    return p  // end of file
  }

  struct Field {
    /// Unquoted content (spaces trimmed); for quoted fields the content is in `scratch`.
    var contentStart: UnsafeMutablePointer<UInt8>
    var contentCount: Int
    var quoted: Bool
    var highBit: Bool
    /// Line breaks inside quotes.
    var newlines: Int
    /// The delimiter or record terminator after the field.
    var next: UnsafeMutablePointer<UInt8>
  }

  /// Scans one field starting at `p`; nil when the buffer ends inside it before end of file.
  mutating func scanField(
    _ p: UnsafeMutablePointer<UInt8>, _ endPtr: UnsafeMutablePointer<UInt8>, column: Int
  ) throws -> Field? {
    var q = p
    let delim = delimiter
    while q.pointee == space || (q.pointee == tabByte && delim != tabByte) { q += 1 }
    if q.pointee == quote {
      scratch.removeAll(keepingCapacity: true)
      q += 1
      var newlines = 0
      var high: UInt8 = 0
      while true {
        let c = q.pointee
        if c == quote {
          if q + 1 == endPtr && !eof { return nil }
          if (q + 1).pointee == quote {
            scratch.append(quote)
            q += 2
            continue
          }
          q += 1
          break
        }
        if c == 0 {
          if q == endPtr {
            if !eof { return nil }
            throw CSVError.unterminatedQuote(file: name, row: line, column: column)
          }
          throw CSVError.binaryData(file: name, row: line + newlines)
        }
        if c == lf {
          newlines += 1
        } else if c == cr {
          if q + 1 == endPtr && !eof { return nil }
          if (q + 1).pointee != lf { newlines += 1 }
        }
        high |= c
        scratch.append(c)
        q += 1
      }
      while q.pointee == space || (q.pointee == tabByte && delim != tabByte) { q += 1 }
      let c = q.pointee
      if c == 0 && q == endPtr && !eof { return nil }
      if !(c == delim || c == lf || c == cr || (c == 0 && q == endPtr)) {
        if c == 0 { throw CSVError.binaryData(file: name, row: line + newlines) }
        throw CSVError.malformedQuote(file: name, row: line, column: column)
      }
      return Field(contentStart: q, contentCount: 0, quoted: true, highBit: high >= 0x80, newlines: newlines, next: q)
    }
    let contentStart = q
    var high: UInt8 = 0
    while true {
      let c = q.pointee
      if c == delim || c == lf || c == cr || c == 0 { break }
      high |= c
      q += 1
    }
    if q.pointee == 0 {
      if q != endPtr { throw CSVError.binaryData(file: name, row: line) }
      if !eof { return nil }
    }
    var contentEnd = q
    while contentEnd > contentStart
      && ((contentEnd - 1).pointee == space || ((contentEnd - 1).pointee == tabByte && delim != tabByte))
    {
      contentEnd -= 1
    }
    return Field(
      contentStart: contentStart, contentCount: contentEnd - contentStart, quoted: false,
      highBit: high >= 0x80, newlines: 0, next: q)
  }

  // MARK: - Data rows

  enum DataOutcome {
    case kept(next: Int, lines: Int)
    case dropped(next: Int, lines: Int)
    case blank(next: Int)
    case needMore
    case endOfData
  }

  mutating func readData() throws {
    while true {
      switch try parseDataRecord() {
      case .kept(let next, let lines):
        keep(next: next, lines: lines)
        if store.staged == store.blockRows, let sink = options.rowSink { try handOut(to: sink) }
      case .dropped(let next, let lines):
        dropped += 1
        start = next
        line += lines
      case .blank(let next):
        start = next
        line += 1
      case .needMore:
        _ = try refill()
      case .endOfData:
        return
      }
    }
  }

  /// Commits the staged row parsed by ``parseDataRecord()`` and moves to the next record.
  @inline(__always)
  mutating func keep(next: Int, lines: Int) {
    if let (column, text) = rowUnderflow {
      if underflows == nil {
        underflows = Underflows(count: 0, row: line, column: column + 1,
                                name: hadHeader ? allNames[column] : nil, text: text)
      }
      underflows!.count += rowUnderflowCount
    }
    if store.commitRow() {
      if let pool { retireBlock(pool) } else if options.rowSink == nil { store.flush(expectedRows: predictedRows()) }
    }
    if line != nextExpectedLine || rowCount + dropped != nextExpectedRecord {
      runRows.append(rowCount)
      runLines.append(line)
      runRecords.append(rowCount + dropped)
    }
    nextExpectedRecord = rowCount + dropped + 1
    rowCount += 1
    nextExpectedLine = line + 1
    start = next
    line += lines
  }

  /// Hands the staged rows (a full block, or the last rows) to the row sink and empties the block
  /// (``keep(next:lines:)`` leaves a full block staged when there is a sink).
  mutating func handOut(to sink: (CSVRowBlock) throws -> Void) throws {
    let rows = store.staged
    store.staged = 0
    guard rows > 0 else { return }
    try sink(CSVRowBlock(values: UnsafeBufferPointer(start: store.stage, count: store.blockRows * slotCount),
                         rows: rows, stride: store.blockRows, columns: slotCount, firstRow: rowCount - rows))
  }

  /// The number of data rows the whole file will hold, extrapolated from the bytes parsed so far
  /// (nil when the size is unknown), so columns are allocated once at about the right size.
  func predictedRows() -> Int? {
    guard let total = source.totalBytes else { return nil }
    let consumed = bytesRead - (end - start)
    guard consumed > 0, rowCount > 0 else { return nil }
    // A row holds at least one byte per field (its delimiters and line end), which bounds the slack
    // for wide files (a thousand rows reserved for each of a million columns would be 8 GB).
    let slack = min(1024, total / max(fieldCount, 1) + 1)
    return Int(Double(rowCount + 1) * Double(total) / Double(consumed) * 1.02) + slack
  }

  /// Parses the record at `start` into the next staging row; commits nothing.
  mutating func parseDataRecord() throws -> DataOutcome {
    let base = buffer
    let endPtr = base + end
    var p = base + start
    switch blankLine(p, endPtr) {
    case .blank(let next): return .blank(next: next - base)
    case .needMore: return .needMore
    case .endOfData: return .endOfData
    case .content: break
    }
    let delim = delimiter
    let notTab = delim != tabByte
    rowUnderflow = nil
    rowUnderflowCount = 0
    var f = 0
    // The usual record: every field selected and a plain number right before its delimiter (the
    // last one before its line end), stored straight into the staging row. Anything else leaves this
    // loop at the start of that field, and the general loop below takes the record from there.
    let row = store.stageRow
    let offsets = slotOffsets.unsafelyUnwrapped
    let last = fieldCount &- 1
    while true {
      let offset = offsets[f]
      guard offset >= 0 else { break }
      // ``DecimalParser/scan(_:_:)``'s two parts apart, so that only the general one's value is tested
      // for an infinity (the usual shape's never is one).
      let value: Double
      let tokenEnd: UnsafePointer<UInt8>
      if let usual = DecimalParser.scanUsual(p, tables) {
        (value, tokenEnd) = usual
      } else {
        guard let general = DecimalParser.scanGeneral(p, tables), general.0.isFinite else { break }
        (value, tokenEnd) = general
      }
      let c = tokenEnd.pointee
      if c == delim && f != last {
        row[offset] = value
        if value == 0 { noteUnderflow(UnsafeBufferPointer(start: p, count: tokenEnd - UnsafePointer(p)), column: f) }
        p = UnsafeMutablePointer(mutating: tokenEnd) + 1
        f &+= 1
        continue
      }
      guard f == last && (c == lf || c == cr) else { break }
      guard let after = recordEnd(UnsafeMutablePointer(mutating: tokenEnd), endPtr) else { return .needMore }
      row[offset] = value
      if value == 0 { noteUnderflow(UnsafeBufferPointer(start: p, count: tokenEnd - UnsafePointer(p)), column: f) }
      return .kept(next: after - base, lines: 1)
    }
    var lines = 0
    var problem: CSVError? = nil
    while true {
      let slot = f < fieldCount ? slots[f] : -1
      var handled = false
      if slot >= 0 {
        // Fast path: a plain number followed by a delimiter or line end. The field's end is found
        // apart from the number (``FieldEnd``), so that the next field need not wait for the digits.
        var q = p
        if q.pointee <= space {
          while q.pointee == space || (q.pointee == tabByte && notTab) { q += 1 }
        }
        if let (value, tokenEnd) = DecimalParser.scan(q, tables) {
          var r = UnsafeMutablePointer(mutating: tokenEnd)
          if r.pointee <= space {
            while r.pointee == space || (r.pointee == tabByte && notTab) { r += 1 }
          }
          let c = r.pointee
          if c == delim || c == lf || c == cr || (c == 0 && r == endPtr) {
            if c == 0 && !eof { return .needMore }
            if value.isFinite {
              store.stageRow[slot &* store.blockRows] = value
              if value == 0 { noteUnderflow(UnsafeBufferPointer(start: q, count: tokenEnd - UnsafePointer(q)), column: f) }
            } else if problem == nil {
              let text = String(decoding: UnsafeBufferPointer(start: q, count: tokenEnd - UnsafePointer(q)), as: UTF8.self)
              problem = cellError(.nonFinite, text: text, column: f)
            }
            handled = true
            p = r
          }
        }
      }
      if !handled {
        guard let field = try scanField(p, endPtr, column: f + 1) else { return .needMore }
        lines += field.newlines
        if slot >= 0 || field.highBit {
          let issue: CSVError? =
            field.quoted
            ? try scratch.withUnsafeBufferPointer { try inspect($0, slot: slot, column: f, highBit: field.highBit) }
            : try inspect(
              UnsafeBufferPointer(start: field.contentStart, count: field.contentCount), slot: slot, column: f,
              highBit: field.highBit)
          if let issue, problem == nil { problem = issue }
        }
        p = field.next
      }
      f += 1
      if p.pointee == delim {
        p += 1
        continue
      }
      guard let after = recordEnd(p, endPtr) else { return .needMore }
      if f != fieldCount {
        throw CSVError.raggedRow(file: name, row: line, expected: fieldCount, got: f)
      }
      if let problem {
        if options.dropMissing { return .dropped(next: after - base, lines: lines + 1) }
        throw problem
      }
      return .kept(next: after - base, lines: lines + 1)
    }
  }

  /// Stores a general field's number into the staging row, or describes why it cannot.
  mutating func inspect(_ bytes: UnsafeBufferPointer<UInt8>, slot: Int, column f: Int, highBit: Bool) throws -> CSVError? {
    if highBit {
      // Validate before anything else: invalid UTF-8 is a broken file, never "missing".
      if String(validating: bytes, as: UTF8.self) == nil {
        throw CSVError.invalidUTF8(file: name, row: line, column: f + 1)
      }
    }
    if slot < 0 { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    if let value = DecimalParser.parse(buffer: bytes) {
      if value.isFinite {
        store.stageRow[slot &* store.blockRows] = value
        if value == 0 { noteUnderflow(bytes, column: f) }
        return nil
      }
      return cellError(.nonFinite, text: text, column: f)
    }
    switch classify(text: text) {
    case .missing: return cellError(.missing, text: text, column: f)
    case .nonFinite: return cellError(.nonFinite, text: text, column: f)
    case .number, .text: return cellError(.text, text: text, column: f)
    }
  }

  /// Records a number that parsed to 0 although its digits are not all 0 (`1e-400`): it underflowed.
  mutating func noteUnderflow(_ token: UnsafeBufferPointer<UInt8>, column f: Int) {
    for byte in token {
      if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return }
      if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") {
        if rowUnderflow == nil {
          rowUnderflow = (f, String(decoding: token, as: UTF8.self).trimmingSpaces())
        }
        rowUnderflowCount += 1
        return
      }
    }
  }

  func cellError(_ kind: CellKind, text: String, column f: Int) -> CSVError {
    let display = CSVError.excerpt(text.trimmingSpaces())
    let column = f + 1
    let header: String? = hadHeader ? allNames[f] : nil
    switch kind {
    case .missing: return .missingValue(file: name, row: line, column: column, name: header, text: display)
    case .nonFinite: return .nonFiniteValue(file: name, row: line, column: column, name: header, text: display)
    case .number, .text: return .nonNumeric(file: name, row: line, column: column, name: header, text: display)
    }
  }
}

/// What a cell's text is, for header detection and messages.
enum CellKind: Equatable {
  case number
  case missing
  case nonFinite
  case text
}

/// Classifies a cell: a finite number, a missing-value token (empty, NA, N/A, NULL, None in any
/// case), a non-finite token or overflowing number (nan, inf, infinity with an optional sign),
/// or text.
func classify(text: String) -> CellKind {
  let t = text.trimmingSpaces()
  if let v = DecimalParser.parse(t) { return v.isFinite ? .number : .nonFinite }
  let lower = t.lowercased()
  if ["", "na", "n/a", "null", "none"].contains(lower) { return .missing }
  var body = Substring(lower)
  if body.first == "+" || body.first == "-" { body.removeFirst() }
  if ["nan", "inf", "infinity"].contains(body) { return .nonFinite }
  return .text
}

/// Column storage: rows are parsed into a small column-major staging block (one cache-sized
/// block of `blockRows` rows), which is appended to the column arrays when full. The arrays are
/// reserved at the predicted final size (capacity never written is never resident), so they are
/// normally allocated once and never copied at the end.
struct ColumnStore {
  /// Rows per block: 1024, fewer for very wide files, so that the staging block stays within 2²⁰
  /// doubles (8 MB; a file of a million columns would otherwise stage 8 GB).
  let blockRows: Int
  var columns: [[Double]]
  /// The columns in one array instead (``CSVReadOptions/leadingColumns``); ``columns`` then stays empty.
  var contiguous: ContiguousColumns?
  /// `blockRows × columns.count` doubles, column-major.
  var stage: UnsafeMutablePointer<Double>
  var staged = 0

  init(count: Int) {
    blockRows = Self.blockRows(count: count)
    columns = [[Double]](repeating: [], count: count)
    stage = .allocate(capacity: max(count, 1) * blockRows)
  }

  /// A store that stages into `stage` (``BlockPool/take()``) and keeps no columns (a piece reader's).
  init(count: Int, stage: UnsafeMutablePointer<Double>) {
    blockRows = Self.blockRows(count: count)
    columns = []
    self.stage = stage
  }

  static func blockRows(count: Int) -> Int { max(1, min(1024, (1 << 20) / max(count, 1))) }

  /// Where the row being parsed goes: column j at `stageRow[j * blockRows]`.
  var stageRow: UnsafeMutablePointer<Double> {
    @inline(__always) get { stage + staged }
  }

  /// Keeps the staged row; true when the block is full and must be flushed.
  @inline(__always)
  mutating func commitRow() -> Bool {
    staged += 1
    return staged == blockRows
  }

  @inline(never)
  mutating func flush(expectedRows: Int?) {
    guard staged > 0 else { return }
    if contiguous != nil {
      if !contiguous!.needsToGrow(staged) {
        contiguous!.append(stage, stride: blockRows, rows: staged, expected: expectedRows)
        staged = 0
        return
      }
      columns = contiguous!.separate()
      contiguous = nil
    }
    for j in columns.indices {
      let needed = columns[j].count + staged
      if columns[j].capacity < needed {
        // Reserve the prediction, or grow geometrically when there is none (stdin) or it was low.
        let target = max(needed, expectedRows ?? 0, columns[j].capacity + columns[j].capacity / 2)
        columns[j].reserveCapacity(target)
      }
      columns[j].append(contentsOf: UnsafeBufferPointer(start: stage + j * blockRows, count: staged))
    }
    staged = 0
  }

  /// The finished columns.
  mutating func finish(expectedRows: Int) -> [[Double]] {
    flush(expectedRows: expectedRows)
    return columns
  }

  func deallocate() {
    stage.deallocate()
  }
}
