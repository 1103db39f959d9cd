// The row sink (CSVReadOptions.rowSink, the out-of-core fit's input): the blocks it is handed are the
// table's rows, in file order, contiguous, whatever the threads, piece and chunk sizes; the table comes
// back without columns but with its counts and line map; errors are those of a plain read; a sink that
// throws stops the read with its error.

import Foundation
import Synchronization
import Testing
@testable import TabularIO

/// What a sink was handed: the rows per column, and whether each block started where the last ended.
final class SinkRecorder: Sendable {
  struct State {
    var columns: [[Double]] = []
    var contiguous = true
    var blocks = 0
  }

  let state = Mutex(State())

  func receive(_ block: CSVRowBlock) {
    state.withLock { s in
      if s.columns.isEmpty { s.columns = Array(repeating: [], count: block.columns) }
      if block.firstRow != s.columns[0].count || block.rows < 1 { s.contiguous = false }
      for j in 0..<block.columns { s.columns[j].append(contentsOf: block.column(j)) }
      s.blocks += 1
    }
  }
}

@Suite("Row sink")
struct RowSinkTests {
  /// A plain read and a sink read of `bytes` with `options`: nil when they agree, else the difference.
  static func mismatch(_ bytes: [UInt8], _ options: CSVReadOptions) -> String? {
    let plain = ReadOutcome { try readNumericCSV(bytes: bytes, name: "s.csv", options: options) }
    let recorder = SinkRecorder()
    var sinkOptions = options
    sinkOptions.rowSink = { recorder.receive($0) }
    let sunk = ReadOutcome { try readNumericCSV(bytes: bytes, name: "s.csv", options: sinkOptions) }
    switch (plain, sunk) {
    case (.failure(let a), .failure(let b)): return a == b ? nil : "errors differ: \(a) vs \(b)"
    case (.table(let table), .table(var empty)):
      let state = recorder.state.withLock { $0 }
      guard empty.columns.isEmpty, empty.rowCount == table.rowCount else {
        return "the sink read kept columns or lost the count: \(empty.rowCount) vs \(table.rowCount)"
      }
      let rows = state.columns.isEmpty ? Array(repeating: [], count: table.columns.count) : state.columns
      guard rows == table.columns else { return "the blocks' rows differ from the table's" }
      guard state.contiguous else { return "a block did not start where the last ended" }
      empty.columns = table.columns
      return empty == table ? nil : "the tables differ beyond their columns"
    default: return "one read failed, the other did not: \(plain) vs \(sunk)"
    }
  }

  @Test("the blocks are the table's rows, whatever the threads and sizes", arguments: PieceParsingTests.cases.indices)
  func sameRows(_ k: Int) {
    let (name, text) = PieceParsingTests.cases[k]
    var bytes = Array(text.utf8)
    if name == "invalid UTF-8 late" { bytes[bytes.count - 3] = 0xFF }
    for dropMissing in [false, true] {
      for (threads, piece, chunk) in [(1, 1 << 20, 1 << 16), (1, 1 << 20, 3), (2, 5, 1 << 16), (3, 13, 7), (2, 1, 1)] {
        var options = CSVReadOptions(dropMissing: dropMissing, chunkSize: chunk, threads: threads, pieceSize: piece)
        if name == "invalid UTF-8 late" { options.columns = ["a", "b"] }
        let problem = Self.mismatch(bytes, options)
        #expect(problem == nil, "\(name), dropMissing \(dropMissing), threads \(threads), piece \(piece): \(problem ?? "")")
      }
    }
  }

  @Test("many blocks: a file of several thousand rows, read sequentially and in pieces", arguments: [1, 2, 4])
  func manyBlocks(threads: Int) {
    var rng = SplitMix64(seed: 11)
    var text = "a,b,c\n"
    for i in 0..<5_000 {
      text += i % 977 == 0 ? "NA,1,2\n" : "\(Double(rng.next() % 1_000_000) / 7),\(i),\(rng.next() % 100)e-2\n"
    }
    let options = CSVReadOptions(dropMissing: true, columns: ["c", "a"], threads: threads, pieceSize: 4096)
    #expect(Self.mismatch(Array(text.utf8), options) == nil)
  }

  @Test("a sink that throws stops the read with its error")
  func throwingSink() {
    struct Full: Error, Equatable {}
    let text = "a,b\n" + (1...3_000).map { "\($0),\($0)\n" }.joined()
    for threads in [1, 2] {
      let calls = Mutex(0)
      let options = CSVReadOptions(threads: threads, pieceSize: 512, rowSink: { _ in
        try calls.withLock { count in
          count += 1
          if count == 2 { throw Full() }
        }
      })
      #expect(throws: Full.self) { try readCSV(text, options) }
      #expect(calls.withLock { $0 } == 2)
    }
  }
}
