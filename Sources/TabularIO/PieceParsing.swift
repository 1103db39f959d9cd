// Parsing the data rows on every core: the text is cut into pieces at guessed record starts, the
// pieces are parsed at once, and each guess is checked against where the previous piece really ended.

import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one piece's parse gave; rows, lines and records are counted from the piece's first byte.
struct ParsedPiece {
  /// Where parsing started and stopped: the first record (or blank line) starting at or after the
  /// piece's limit, or the record that needs more data, or the end of the data.
  var start: Int
  var stop: Int
  var columns: [[Double]]
  var rows = 0
  var dropped = 0
  var lines = 0
  var runRows: [Int] = []
  var runLines: [Int] = []
  var runRecords: [Int] = []
  var nextExpectedLine = -1
  var nextExpectedRecord = -1
  var underflows: Underflows?
  /// The parse threw: re-parsed, once the piece's start is verified, with the file's line numbers.
  var failed = false
  var needMore = false
  var endOfData = false
}

/// How the speculative pieces are claimed by the worker threads, one at a time in file order.
private final class PieceQueue: @unchecked Sendable {
  private var next = 0
  private var lock = pthread_mutex_t()
  let count: Int
  let results: UnsafeMutablePointer<ParsedPiece?>

  init(count: Int) {
    self.count = count
    results = .allocate(capacity: count)
    results.initialize(repeating: nil, count: count)
    pthread_mutex_init(&lock, nil)
  }

  deinit {
    results.deinitialize(count: count)
    results.deallocate()
    pthread_mutex_destroy(&lock)
  }

  func claim() -> Int? {
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    guard next < count else { return nil }
    next += 1
    return next - 1
  }
}

/// A copy of the reader for the worker threads (its buffer is only read while they run).
private struct Template: @unchecked Sendable {
  let reader: CSVReader
}

extension CSVReader {
  /// The threads that parse the data rows: ``CSVReadOptions/threads``, or the online cores for 0.
  static func threadCount(_ options: CSVReadOptions) -> Int {
    if options.threads > 0 { return options.threads }
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }

  /// Reads the data rows window by window (the mapped file, or the chunk buffer filled whole): each
  /// window is cut into pieces of about ``CSVReadOptions/pieceSize`` bytes, parsed at once on
  /// `threads` threads, and joined in file order. The result, and the first error in file order, are
  /// those of ``readData()``: a piece whose guessed start is not where the previous one stopped (a
  /// line break inside quotes) is parsed again from there, and a piece that failed is parsed again
  /// with the file's line numbers to throw its error.
  mutating func readDataInPieces(threads: Int) throws {
    let pieceSize = max(1, options.pieceSize)
    // Mapped: windows of several pieces per thread bound the memory of the pieces' columns.
    let window = max(1, pieceSize * max(8, 4 * threads))
    while true {
      if mapped == nil {
        repeat { _ = try refill() } while end < capacity && !eof
      }
      if start >= end && eof { return }
      let windowEnd = mapped != nil ? min(end, start + window) : end
      let count = max(1, (windowEnd - start) / pieceSize)
      var bounds = [Int](repeating: 0, count: count + 1)
      for k in 0...count { bounds[k] = start + Int((Double(windowEnd - start) * Double(k) / Double(count)).rounded(.down)) }
      bounds[count] = windowEnd
      let queue = PieceQueue(count: count)
      let template = Template(reader: pieceTemplate())
      let origin = start
      let cuts = bounds
      DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
        while let k = queue.claim() {
          let from = k == 0 ? origin : template.reader.guessRecordStart(after: cuts[k])
          queue.results[k] = template.reader.parsePiece(from: from, limit: cuts[k + 1])
        }
      }
      var joined: [ParsedPiece] = []
      var position = start
      var finished = false
      for k in 0..<count {
        var piece = queue.results[k]!
        if piece.start != position {
          piece = parsePiece(from: position, limit: bounds[k + 1])
        }
        if piece.failed {
          try rethrowFailure(from: position, limit: bounds[k + 1])
        }
        join(piece)
        position = piece.stop
        joined.append(piece)
        if piece.needMore || piece.endOfData {
          finished = piece.endOfData
          break
        }
      }
      start = position
      appendColumns(of: &joined)
      if let mapped {
        options.progress?(start, end)
        mapped.release(upTo: start)
      }
      if finished { return }
    }
  }

  /// The first byte after the first line break at or after `b − 1` (CRLF counted whole): where a record
  /// starts if that line break is not inside quotes; the end of the data when there is none.
  func guessRecordStart(after b: Int) -> Int {
    var i = b - 1
    while i < end {
      let c = buffer[i]
      if c == 0x0A { return i + 1 }
      if c == 0x0D { return i + 1 < end && buffer[i + 1] == 0x0A ? i + 2 : i + 1 }
      i += 1
    }
    return end
  }

  /// A copy of this reader without its growing arrays: a copy holding them would make every append to
  /// the columns copy them whole (copy on write).
  func pieceTemplate() -> CSVReader {
    var reader = self
    reader.store.columns = []
    reader.runRows = []
    reader.runLines = []
    reader.runRecords = []
    return reader
  }

  /// A reader for one piece: this one's layout and buffer, its own column store, counts from zero.
  func pieceReader(from: Int, limit: Int) -> CSVReader {
    var reader = self
    reader.mapped = nil
    reader.piece = (from, limit)
    reader.start = from
    reader.line = 0
    reader.store = ColumnStore(count: slotCount)
    reader.rowCount = 0
    reader.dropped = 0
    reader.runRows = []
    reader.runLines = []
    reader.runRecords = []
    reader.nextExpectedLine = -1
    reader.nextExpectedRecord = -1
    reader.underflows = nil
    return reader
  }

  /// Parses the records that start in [from, limit) (the last may run past `limit`).
  func parsePiece(from: Int, limit: Int) -> ParsedPiece {
    var reader = pieceReader(from: from, limit: limit)
    var failed = false
    var needMore = false
    var endOfData = false
    parsing: while reader.start < limit {
      do {
        switch try reader.parseDataRecord() {
        case .kept(let next, let lines):
          reader.keep(next: next, lines: lines)
        case .dropped(let next, let lines):
          reader.dropped += 1
          reader.start = next
          reader.line += lines
        case .blank(let next):
          reader.start = next
          reader.line += 1
        case .needMore:
          needMore = true
          break parsing
        case .endOfData:
          endOfData = true
          break parsing
        }
      } catch {
        failed = true
        break parsing
      }
    }
    let columns = failed ? [] : reader.store.finish(expectedRows: reader.rowCount)
    reader.store.deallocate()
    return ParsedPiece(
      start: from, stop: reader.start, columns: columns, rows: reader.rowCount, dropped: reader.dropped,
      lines: reader.line, runRows: reader.runRows, runLines: reader.runLines, runRecords: reader.runRecords,
      nextExpectedLine: reader.nextExpectedLine, nextExpectedRecord: reader.nextExpectedRecord,
      underflows: reader.underflows, failed: failed, needMore: needMore, endOfData: endOfData)
  }

  /// Parses the failed piece again, numbered as in the file, and throws its error.
  func rethrowFailure(from: Int, limit: Int) throws {
    var reader = pieceReader(from: from, limit: limit)
    reader.line = line
    defer { reader.store.deallocate() }
    while true {
      switch try reader.parseDataRecord() {
      case .kept(let next, let lines): reader.keep(next: next, lines: lines)
      case .dropped(let next, let lines):
        reader.start = next
        reader.line += lines
      case .blank(let next):
        reader.start = next
        reader.line += 1
      case .needMore, .endOfData:
        throw CSVError.unreadable(file: name, reason: "internal error: a piece failed only once")
      }
    }
  }

  /// Adds a verified piece's counts, runs and underflows to this reader's (its columns come later).
  mutating func join(_ piece: ParsedPiece) {
    let rowBase = rowCount, lineBase = line, recordBase = rowCount + dropped
    for k in piece.runRows.indices {
      let row = piece.runRows[k] + rowBase
      let runLine = piece.runLines[k] + lineBase
      let record = piece.runRecords[k] + recordBase
      if k > 0 || runLine != nextExpectedLine || record != nextExpectedRecord {
        runRows.append(row)
        runLines.append(runLine)
        runRecords.append(record)
      }
    }
    if piece.rows > 0 {
      nextExpectedLine = piece.nextExpectedLine + lineBase
      nextExpectedRecord = piece.nextExpectedRecord + recordBase
    }
    if var u = piece.underflows {
      if underflows == nil {
        u.row += lineBase
        underflows = u
      } else {
        underflows!.count += u.count
      }
    }
    rowCount += piece.rows
    dropped += piece.dropped
    line += piece.lines
  }

  /// Appends the joined pieces' columns to the column store, each column on its own thread.
  mutating func appendColumns(of pieces: inout [ParsedPiece]) {
    let added = pieces.reduce(0) { $0 + $1.rows }
    guard added > 0, slotCount > 0 else { return }
    let expected = predictedRows() ?? 0
    store.columns.withUnsafeMutableBufferPointer { columns in
      let target = UncheckedColumns(columns: columns)
      let sources = pieces
      DispatchQueue.concurrentPerform(iterations: columns.count) { j in
        let column = target.columns.baseAddress! + j
        let needed = column.pointee.count + added
        if column.pointee.capacity < needed {
          column.pointee.reserveCapacity(max(needed, expected, column.pointee.capacity + column.pointee.capacity / 2))
        }
        for piece in sources where piece.rows > 0 {
          column.pointee.append(contentsOf: piece.columns[j])
        }
      }
    }
    pieces.removeAll()
  }

  /// The number of rows a piece will hold, extrapolated from its bytes parsed so far.
  func predictedPieceRows() -> Int? {
    guard let (from, limit) = piece, start > from else { return nil }
    return Int(Double(rowCount + 1) * Double(limit - from) / Double(start - from) * 1.05) + 64
  }
}

/// The column arrays, each appended to by one thread.
private struct UncheckedColumns: @unchecked Sendable {
  let columns: UnsafeMutableBufferPointer<[Double]>
}
