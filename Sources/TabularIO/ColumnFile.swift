// A binary column file: the numeric columns of a table too large for memory, written once while the
// CSV file is read and then memory-mapped for the passes of an out-of-core fit.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a column file could not be written or mapped.
package enum ColumnFileError: Error, Equatable, CustomStringConvertible {
  /// The directory could not hold a new file.
  case create(directory: String, reason: String)
  /// Writing failed (a full disk, most often): the bytes written so far.
  case write(directory: String, written: Int, reason: String)
  /// The finished file could not be mapped.
  case map(reason: String)

  package var description: String {
    switch self {
    case .create(let directory, let reason):
      return "cannot create the binary column file in \(directory): \(reason)"
    case .write(let directory, let written, let reason):
      return "writing the binary column file in \(directory) failed after \(ColumnFile.byteText(written)): \(reason)"
    case .map(let reason): return "cannot map the binary column file: \(reason)"
    }
  }
}

/// Numeric columns stored as doubles in a file, in groups of ``groupRows`` rows: group g holds rows
/// [g·G, (g+1)·G), column-major within the group (column j of a full group at doubles
/// `g·G·columns + j·G`; the last group, of r ≤ G rows, has its columns r apart). The file is unlinked as
/// soon as it is created, so it vanishes when the process ends, however it ends.
///
/// Rows are appended with ``append(_:)`` (blocks of a ``CSVReadOptions/rowSink``), then ``finish()``
/// maps the file read-only; a group's columns are then read through ``group(_:)``, and ``release(_:)``
/// gives a group's pages back (they stay in the kernel's page cache, not in the process).
package final class ColumnFile: @unchecked Sendable {
  /// Columns stored.
  package let columns: Int
  /// Rows per group.
  package let groupRows: Int
  /// The directory the file was created in.
  package let directory: String
  /// Rows appended.
  package private(set) var rows = 0
  /// Per column: the smallest and largest value appended (±∞ before any row).
  package private(set) var minimum: [Double]
  package private(set) var maximum: [Double]

  private var descriptor: Int32
  private let staging: UnsafeMutablePointer<Double>
  private var staged = 0
  private var written = 0
  private var base: UnsafeMutablePointer<Double>?
  private var mappedBytes = 0

  /// A new, empty file in `directory` (created with mkstemp and unlinked at once).
  package init(columns: Int, directory: String, groupRows: Int = 1 << 16) throws(ColumnFileError) {
    precondition(columns >= 1 && groupRows >= 1)
    var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
      + Array("robustfit-columns-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw .create(directory: directory, reason: String(cString: strerror(errno))) }
    let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    unlink(path)
    self.columns = columns
    self.groupRows = groupRows
    self.directory = directory
    descriptor = fd
    staging = .allocate(capacity: columns * groupRows)
    minimum = Array(repeating: .infinity, count: columns)
    maximum = Array(repeating: -.infinity, count: columns)
  }

  deinit {
    if let base { munmap(base, mappedBytes) }
    staging.deallocate()
    close(descriptor)
  }

  /// Appends a block's rows (its columns in this file's order).
  package func append(_ block: CSVRowBlock) throws(ColumnFileError) {
    precondition(block.columns == columns && base == nil)
    var done = 0
    while done < block.rows {
      let take = min(block.rows - done, groupRows - staged)
      for j in 0..<columns {
        let source = block.values.baseAddress! + j * block.stride + done
        let target = staging + j * groupRows + staged
        target.update(from: source, count: take)
        var low = minimum[j], high = maximum[j]
        for i in 0..<take {
          low = min(low, source[i])
          high = max(high, source[i])
        }
        minimum[j] = low
        maximum[j] = high
      }
      staged += take
      done += take
      rows += take
      if staged == groupRows { try writeGroup() }
    }
  }

  /// Writes the staged group (compacted to its rows when partial).
  private func writeGroup() throws(ColumnFileError) {
    guard staged > 0 else { return }
    if staged < groupRows {
      for j in 1..<max(columns, 1) { memmove(staging + j * staged, staging + j * groupRows, staged * MemoryLayout<Double>.stride) }
    }
    var bytes = UnsafeRawPointer(staging)
    var left = staged * columns * MemoryLayout<Double>.stride
    while left > 0 {
      let n = write(descriptor, bytes, left)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        throw .write(directory: directory, written: written, reason: n < 0 ? String(cString: strerror(errno)) : "no progress")
      }
      bytes += n
      left -= n
      written += n
    }
    staged = 0
  }

  /// Writes the last rows and maps the file read-only.
  package func finish() throws(ColumnFileError) {
    try writeGroup()
    mappedBytes = rows * columns * MemoryLayout<Double>.stride
    guard mappedBytes > 0 else { return }
    let address = mmap(nil, mappedBytes, PROT_READ, MAP_SHARED, descriptor, 0)
    guard let address, address != MAP_FAILED else { throw .map(reason: String(cString: strerror(errno))) }
    base = address.assumingMemoryBound(to: Double.self)
  }

  /// Groups of rows.
  package var groupCount: Int { (rows + groupRows - 1) / groupRows }

  /// Bytes of the file.
  package var bytes: Int { rows * columns * MemoryLayout<Double>.stride }

  /// Group g's row count and the start of each of its columns (after ``finish()``).
  package func group(_ g: Int) -> (rows: Int, columns: [UnsafePointer<Double>]) {
    precondition(base != nil && g >= 0 && g < groupCount)
    let start = base! + g * groupRows * columns
    let count = min(groupRows, rows - g * groupRows)
    return (count, (0..<columns).map { UnsafePointer(start + $0 * count) })
  }

  /// The first row (0-based) of column j whose value satisfies `test`, and the value (after ``finish()``).
  package func first(in j: Int, where test: (Double) -> Bool) -> (row: Int, value: Double)? {
    for g in 0..<groupCount {
      let (count, columns) = group(g)
      defer { release(g) }
      if let i = (0..<count).first(where: { test(columns[j][$0]) }) { return (g * groupRows + i, columns[j][i]) }
    }
    return nil
  }

  /// Gives group g's pages back to the kernel (the process's resident memory stays that of the groups
  /// in use; the pages stay in the page cache while memory allows).
  package func release(_ g: Int) {
    guard let base, g >= 0 && g < groupCount else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let from = (g * groupRows * columns * MemoryLayout<Double>.stride) / page * page
    let to = min(mappedBytes, (g + 1) * groupRows * columns * MemoryLayout<Double>.stride)
    // Whole pages only: a page shared with the next group is released with it.
    let end = g == groupCount - 1 ? to : to / page * page
    if end > from { madvise(UnsafeMutableRawPointer(base) + from, end - from, MADV_DONTNEED) }
  }

  /// `16.0 GB`, `195 MB`, `12 kB`: a byte count for people (powers of 1000).
  package static func byteText(_ bytes: Int) -> String {
    let b = Double(bytes)
    for (unit, size) in [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)] where b >= size {
      let v = b / size
      return v >= 10 ? "\(Int(v.rounded())) \(unit)" : "\(Double(Int(v * 10 + 0.5)) / 10) \(unit)"
    }
    return "\(bytes) B"
  }
}
