// The selected columns kept in one column-major array (``CSVReadOptions/leadingColumns``): columns a
// capacity apart while reading, packed to the row count at the end, so that a caller needing one array
// (the CLI's design matrix) takes it without a second copy of the data.

/// One array for every selected column, after `leading` columns left to the caller. While reading,
/// column c (leading ones included) starts at `c × capacity`; ``finish()`` moves each down to
/// `c × rows` and drops the rest. The capacity is reserved once, at the first rows, from the predicted
/// row count; rows beyond it make the reader ``separate()`` the columns and go on with one array each.
struct ContiguousColumns {
  /// Columns before the table's, not written by the reader.
  let leading: Int
  /// The table's columns.
  let count: Int
  /// Rows reserved per column.
  private(set) var capacity = 0
  /// Rows filled.
  private(set) var rows = 0
  /// `(leading + count) × capacity` doubles; only the filled rows of the table's columns hold values.
  private(set) var values: [Double] = []
  /// Each table column's bounds over the filled rows, taken as they are appended.
  var bounds: [ColumnBounds]

  init(leading: Int, count: Int) {
    self.leading = leading
    self.count = count
    bounds = [ColumnBounds](repeating: ColumnBounds(), count: count)
  }

  /// Reserves the first rows: `max(needed, expected)` per column. Only once (the array does not grow:
  /// growing would hold the old and the new array at once, 2.5 X; see ``needsToGrow(_:)``).
  mutating func reserve(_ needed: Int, expected: Int?) {
    precondition(rows == 0, "the one array is reserved once")
    guard needed > capacity else { return }
    let newCapacity = max(needed, expected ?? 0)
    let width = leading + count
    var reserved = [Double](unsafeUninitializedCapacity: width * newCapacity) { _, initialized in
      initialized = width * newCapacity  // Doubles: every bit pattern is a value; rows are written before use
    }
    HugePages.advise(&reserved)  // before `values` shares it: advising a shared array would copy it
    values = reserved
    capacity = newCapacity
  }

  /// Whether `added` more rows would need a larger array than the one reserved: then the reader leaves
  /// it for one array per column (``separate()``).
  func needsToGrow(_ added: Int) -> Bool {
    rows > 0 && rows + added > capacity
  }

  /// One array per table column, each holding the filled rows, the pages of each column released from
  /// the one array once it is copied (so the peak is one X plus one column, as when the columns grow).
  mutating func separate() -> [[Double]] {
    let (leading, capacity, filled) = (leading, capacity, rows)
    var columns: [[Double]] = []
    values.withUnsafeMutableBufferPointer { buffer in
      for j in 0..<count {
        let start = buffer.baseAddress! + (leading + j) * capacity
        columns.append(Array(UnsafeBufferPointer(start: start, count: filled)))
        HugePages.release(UnsafeMutableRawPointer(start), bytes: capacity * MemoryLayout<Double>.stride)
      }
    }
    values = []
    rows = 0
    self.capacity = 0
    return columns
  }

  /// Runs `body` on the array's storage (column c of row r at `c × capacity + r`).
  mutating func withValues(_ body: (UnsafeMutablePointer<Double>) -> Void) {
    values.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
  }

  /// Counts `added` rows written in every column (row `rows` of table column j is at
  /// `(leading + j) × capacity + rows`).
  mutating func commit(_ added: Int) {
    rows += added
  }

  /// Appends a staged block of `added` rows (column j at `block + j × stride`).
  mutating func append(_ block: UnsafePointer<Double>, stride: Int, rows added: Int, expected: Int?) {
    precondition(!needsToGrow(added), "the one array does not grow")
    if rows == 0 { reserve(added, expected: expected) }
    let (leading, capacity, filled, count) = (leading, capacity, rows, count)
    values.withUnsafeMutableBufferPointer { buffer in
      for j in 0..<count {
        bounds[j].add(block + j * stride, count: added)
        (buffer.baseAddress! + (leading + j) * capacity + filled).update(from: block + j * stride, count: added)
      }
    }
    commit(added)
  }

  /// The columns packed: `(leading + count) × rows` doubles, column c at `c × rows` (in place: each
  /// column moves down, in order, onto memory already read).
  mutating func finish() -> [Double] {
    let width = leading + count
    if capacity != rows {
      let (from, filled) = (capacity, rows)
      values.withUnsafeMutableBufferPointer { buffer in
        let base = UnsafeMutableRawPointer(buffer.baseAddress!)
        let size = MemoryLayout<Double>.stride
        for c in leading..<width {
          (base + c * filled * size).copyMemory(from: base + c * from * size, byteCount: filled * size)  // memmove
        }
      }
      values.removeLast(values.count - width * rows)
    }
    capacity = rows
    let packed = values
    values = []
    return packed
  }
}
