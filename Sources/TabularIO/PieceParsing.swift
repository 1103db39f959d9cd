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
  /// The rows kept, in staging blocks of the pool (column j of a block at `base + j * blockRows`).
  var blocks: [StagedBlock]
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
    let pool = BlockPool(doubles: max(slotCount, 1) * store.blockRows)
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
      let template = Template(reader: pieceTemplate(pool: pool))
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
      defer {
        // Every block goes back: the joined pieces' (appended by then, or an error is thrown), and
        // those of pieces not joined (after the end of the data, or an error).
        for piece in joined { pool.give(piece.blocks) }
        for k in 0..<count { if let piece = queue.results[k] { pool.give(piece.blocks) } }
      }
      for k in 0..<count {
        var piece = queue.results[k]!
        queue.results[k] = nil
        if piece.start != position {
          pool.give(piece.blocks)
          piece = pieceTemplate(pool: pool).parsePiece(from: position, limit: bounds[k + 1])
        }
        if piece.failed {
          pool.give(piece.blocks)
          try pieceTemplate(pool: pool).rethrowFailure(from: position, limit: bounds[k + 1])
        }
        join(piece)
        position = piece.stop
        if mapped != nil { options.progress?(piece.endOfData ? end : position, end) }
        joined.append(piece)
        if piece.needMore || piece.endOfData {
          finished = piece.endOfData
          break
        }
      }
      start = position
      if let sink = options.rowSink { try handOut(joined, to: sink) } else { appendColumns(of: joined) }
      mapped?.release(upTo: start)
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
  func pieceTemplate(pool: BlockPool) -> CSVReader {
    var reader = self
    reader.pool = pool
    reader.store.columns = []
    reader.store.contiguous = nil
    reader.runRows = []
    reader.runLines = []
    reader.runRecords = []
    return reader
  }

  /// A reader for one piece: this one's layout and buffer, its own column store, counts from zero.
  func pieceReader(from: Int, limit: Int) -> CSVReader {
    var reader = self
    reader.mapped = nil
    reader.start = from
    reader.line = 0
    reader.store = ColumnStore(count: slotCount, stage: reader.pool!.take())
    reader.filled = []
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
    if reader.store.staged > 0 {
      reader.filled.append(StagedBlock(base: reader.store.stage, rows: reader.store.staged))
    } else {
      reader.pool!.give([StagedBlock(base: reader.store.stage, rows: 0)])
    }
    return ParsedPiece(
      start: from, stop: reader.start, blocks: reader.filled, rows: reader.rowCount, dropped: reader.dropped,
      lines: reader.line, runRows: reader.runRows, runLines: reader.runLines, runRecords: reader.runRecords,
      nextExpectedLine: reader.nextExpectedLine, nextExpectedRecord: reader.nextExpectedRecord,
      underflows: reader.underflows, failed: failed, needMore: needMore, endOfData: endOfData)
  }

  /// Parses the failed piece again, numbered as in the file, and throws its error.
  func rethrowFailure(from: Int, limit: Int) throws {
    var reader = pieceReader(from: from, limit: limit)
    reader.line = line
    defer { reader.pool!.give(reader.filled + [StagedBlock(base: reader.store.stage, rows: 0)]) }
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
  mutating func appendColumns(of pieces: [ParsedPiece]) {
    let added = pieces.reduce(0) { $0 + $1.rows }
    guard added > 0, slotCount > 0 else { return }
    let expected = predictedRows() ?? 0
    let blockRows = store.blockRows
    let blocks = pieces.flatMap(\.blocks)
    if store.contiguous != nil {
      if !store.contiguous!.needsToGrow(added) {
        appendContiguous(blocks, rows: added, expected: expected)
        return
      }
      store.columns = store.contiguous!.separate()
      store.contiguous = nil
    }
    store.columns.withUnsafeMutableBufferPointer { columns in
      let target = UncheckedColumns(columns: columns, blocks: blocks)
      DispatchQueue.concurrentPerform(iterations: columns.count) { j in
        let column = target.columns.baseAddress! + j
        let needed = column.pointee.count + added
        if column.pointee.capacity < needed {
          column.pointee.reserveCapacity(max(needed, expected, column.pointee.capacity + column.pointee.capacity / 2))
          HugePages.advise(&column.pointee)
        }
        for block in target.blocks {
          column.pointee.append(contentsOf: UnsafeBufferPointer(start: block.base + j * blockRows, count: block.rows))
        }
      }
    }
  }

  /// ``appendColumns(of:)`` into the one array of ``ColumnStore/contiguous``, each column on its own thread.
  mutating func appendContiguous(_ blocks: [StagedBlock], rows added: Int, expected: Int) {
    let blockRows = store.blockRows
    if store.contiguous!.rows == 0 { store.contiguous!.reserve(added, expected: expected) }
    let (leading, capacity, filled, count) =
      (store.contiguous!.leading, store.contiguous!.capacity, store.contiguous!.rows, store.contiguous!.count)
    var bounds = store.contiguous!.bounds
    bounds.withUnsafeMutableBufferPointer { bounds in
      store.contiguous!.withValues { base in
        let target = UncheckedDestination(base: base, blocks: blocks, bounds: bounds.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: count) { j in
          var to = target.base + (leading + j) * capacity + filled
          for block in target.blocks {
            // The column's bounds while its block is in cache (the fit needs them, ``ColumnBounds``).
            target.bounds[j].add(block.base + j * blockRows, count: block.rows)
            to.update(from: block.base + j * blockRows, count: block.rows)
            to += block.rows
          }
        }
      }
    }
    store.contiguous!.bounds = bounds
    store.contiguous!.commit(added)
  }

  /// Hands the joined pieces' blocks to the row sink, in file order (``CSVReadOptions/rowSink``).
  func handOut(_ pieces: [ParsedPiece], to sink: (CSVRowBlock) throws -> Void) throws {
    var row = rowCount - pieces.reduce(0) { $0 + $1.rows }
    for block in pieces.lazy.flatMap(\.blocks) where block.rows > 0 {
      try sink(CSVRowBlock(values: UnsafeBufferPointer(start: block.base, count: store.blockRows * slotCount),
                           rows: block.rows, stride: store.blockRows, columns: slotCount, firstRow: row))
      row += block.rows
    }
  }

  /// Hands the full staging block to the piece's list and stages into a fresh one from `pool`.
  mutating func retireBlock(_ pool: BlockPool) {
    filled.append(StagedBlock(base: store.stage, rows: store.staged))
    store.stage = pool.take()
    store.staged = 0
  }

}

/// The one array of every column and each column's bounds, each column's written by one thread.
private struct UncheckedDestination: @unchecked Sendable {
  let base: UnsafeMutablePointer<Double>
  let blocks: [StagedBlock]
  let bounds: UnsafeMutablePointer<ColumnBounds>
}

/// The column arrays, each appended to by one thread.
private struct UncheckedColumns: @unchecked Sendable {
  let columns: UnsafeMutableBufferPointer<[Double]>
  let blocks: [StagedBlock]
}

/// A staging block filled by a piece: `rows` rows of every selected column, column-major with a column
/// stride of ``ColumnStore/blockRows``.
struct StagedBlock {
  let base: UnsafeMutablePointer<Double>
  let rows: Int
}

/// The staging blocks of the pieces, recycled from window to window: the pieces' rows stay in the
/// blocks they were parsed into until they are appended to the columns, and a window reuses the
/// memory of the previous one (fresh memory each time would cost a page fault per 512 doubles).
final class BlockPool: @unchecked Sendable {
  let doubles: Int
  private var free: [UnsafeMutablePointer<Double>] = []
  private var lock = pthread_mutex_t()

  init(doubles: Int) {
    self.doubles = doubles
    pthread_mutex_init(&lock, nil)
  }

  deinit {
    for block in free { block.deallocate() }
    pthread_mutex_destroy(&lock)
  }

  func take() -> UnsafeMutablePointer<Double> {
    pthread_mutex_lock(&lock)
    let block = free.popLast()
    pthread_mutex_unlock(&lock)
    return block ?? .allocate(capacity: doubles)
  }

  func give(_ blocks: [StagedBlock]) {
    guard !blocks.isEmpty else { return }
    pthread_mutex_lock(&lock)
    free.append(contentsOf: blocks.map(\.base))
    pthread_mutex_unlock(&lock)
  }
}
