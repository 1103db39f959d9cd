// The selected columns in one array (CSVReadOptions.leadingColumns, the CLI's design built in place):
// the same table, line map and error as one array per column, whatever the threads, pieces, chunks and
// leading columns — including a capacity predicted too low, which grows the array while reading.

import Foundation
import Testing
@testable import TabularIO

/// The outcome with the one array split back into columns (the leading columns dropped), so that it
/// compares with a read into one array per column (as it is when the reader left the one array).
func separated(_ outcome: ReadOutcome, leading: Int) -> ReadOutcome {
  guard case .table(var table) = outcome else { return outcome }
  // Columns: the prediction was low and the reader went on with one array per column.
  guard let block = table.contiguous else { return table.columns.count == table.names.count ? outcome : .failure(.unreadable(file: "?", reason: "no columns")) }
  let n = table.rowCount
  guard block.leading == leading, block.values.count == (leading + table.names.count) * n, table.columns.isEmpty else {
    return .failure(.unreadable(file: "?", reason: "layout \(block.leading), \(block.values.count), \(table.columns.count)"))
  }
  table.columns = table.names.indices.map { j in Array(block.values[((leading + j) * n)..<((leading + j + 1) * n)]) }
  table.contiguous = nil
  return .table(table)
}

/// The first difference between reads into columns and into one array, or nil.
func contiguousMismatch(_ bytes: [UInt8], _ base: CSVReadOptions, threads: [Int], pieceSizes: [Int],
                        chunkSizes: [Int], leading: [Int] = [0, 1, 3]) -> String? {
  let path = temporaryPath()
  FileManager.default.createFile(atPath: path, contents: Data(bytes))
  defer { try? FileManager.default.removeItem(atPath: path) }
  var options = base
  for t in threads {
    for piece in pieceSizes {
      for chunk in chunkSizes {
        options.threads = t
        options.pieceSize = piece
        options.chunkSize = chunk
        options.leadingColumns = nil
        let memory = ReadOutcome { try readNumericCSV(bytes: bytes, name: "c.csv", options: options) }
        let file = ReadOutcome { try readNumericCSV(path: path, options: options) }
        for k in leading {
          options.leadingColumns = k
          let oneMemory = separated(ReadOutcome { try readNumericCSV(bytes: bytes, name: "c.csv", options: options) }, leading: k)
          if oneMemory != memory { return "memory, threads \(t), piece \(piece), chunk \(chunk), leading \(k): \(oneMemory) != \(memory)" }
          let oneFile = separated(ReadOutcome { try readNumericCSV(path: path, options: options) }, leading: k)
          if oneFile != file { return "file, threads \(t), piece \(piece), chunk \(chunk), leading \(k): \(oneFile) != \(file)" }
        }
      }
    }
  }
  return nil
}

@Suite("Columns in one array")
struct ContiguousColumnsTests {
  @Test("same table or error as one array per column", arguments: PieceParsingTests.cases.indices)
  func sameOutcome(_ k: Int) {
    let (name, text) = PieceParsingTests.cases[k]
    var bytes = Array(text.utf8)
    if name == "invalid UTF-8 late" { bytes[bytes.count - 3] = 0xFF }
    for dropMissing in [false, true] {
      var options = CSVReadOptions(dropMissing: dropMissing)
      if name == "invalid UTF-8 late" { options.columns = ["a", "b"] }
      let problem = contiguousMismatch(bytes, options, threads: [1, 2, 3], pieceSizes: [1, 5, 64, 1 << 20],
                                       chunkSizes: [1, 7, 1 << 16])
      #expect(problem == nil, "\(name), dropMissing \(dropMissing): \(problem ?? "")")
    }
  }

  @Test("a capacity predicted too low (long rows first): the same table", arguments: [1, 2])
  func growth(_ threads: Int) throws {
    // Long rows first (few rows per byte predicted), then many short ones.
    let text = "a,b,c\n" + (1...1500).map { "\($0).123456789012345,-\($0).98765432109876e-3,\($0)\n" }.joined()
      + (1...3000).map { "\($0 % 10),1,\($0 % 7)\n" }.joined()
    let problem = contiguousMismatch(Array(text.utf8), CSVReadOptions(columns: ["c", "a"]), threads: [threads],
                                     pieceSizes: [64, 1 << 20], chunkSizes: [16, 1 << 16])
    #expect(problem == nil, "\(problem ?? "")")
    var options = CSVReadOptions(columns: ["c", "a"], threads: threads, pieceSize: 64, leadingColumns: 1)
    options.chunkSize = 16
    guard case .table(let table) = separated(ReadOutcome {
      try readNumericCSV(bytes: Array(text.utf8), name: "g.csv", options: options)
    }, leading: 1) else {
      Issue.record("the read failed")
      return
    }
    #expect(table.rowCount == 4500)
    #expect(Array(table.columns[0][0..<3]) == [1, 2, 3])
    #expect(table.columns[1].last == 0)  // a of the last row: 3000 % 10
  }

  @Test("blocks appended, then packed; past the capacity the columns are separated")
  func packsAndSeparates() {
    for separateAfter in [false, true] {
      var store = ContiguousColumns(leading: 2, count: 3)
      let stride = 8
      var next = 0.0
      var expected: [[Double]] = [[], [], []]
      for (rows, prediction) in [(5, 20), (4, 0), (8, 7), (1, 0), (0, 0)] {
        var block = [Double](repeating: -1, count: 3 * stride)
        for j in 0..<3 {
          for i in 0..<rows {
            next += 1
            block[j * stride + i] = next
            expected[j].append(next)
          }
        }
        block.withUnsafeBufferPointer { store.append($0.baseAddress!, stride: stride, rows: rows, expected: prediction) }
      }
      #expect(store.capacity == 20 && !store.needsToGrow(2) && store.needsToGrow(3))
      if separateAfter {
        #expect(store.separate() == expected)
        continue
      }
      let n = expected[0].count
      let packed = store.finish()
      #expect(packed.count == 5 * n)
      for j in 0..<3 { #expect(Array(packed[((2 + j) * n)..<((3 + j) * n)]) == expected[j]) }
    }
  }

  @Test("a file read in windows on two threads keeps its one array", arguments: [1, 2])
  func keepsOneArray(_ threads: Int) throws {
    let text = "a,b\n" + (1...5000).map { "\($0).5,\($0 % 97)\n" }.joined()
    let path = temporaryPath()
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let table = try readNumericCSV(path: path, options: CSVReadOptions(threads: threads, pieceSize: 4096, leadingColumns: 1))
    let block = try #require(table.contiguous)
    #expect(table.columns.isEmpty && table.rowCount == 5000 && block.values.count == 3 * 5000)
    #expect(block.values[5000] == 1.5 && block.values[2 * 5000 - 1] == 5000.5 && block.values[3 * 5000 - 1] == Double(5000 % 97))
  }

  @Test("random files: the same as one array per column", arguments: 0..<4)
  func randomFiles(_ seed: Int) {
    var rng = SplitMix64(seed: 0xC0DE &+ UInt64(seed))
    var text = "id,x,y,z\n"
    for i in 0..<(50 + Int(rng.next() % 400)) {
      let x = Double(Int64(bitPattern: rng.next() % 2_000_000) - 1_000_000) / 997
      text += rng.next() % 30 == 0 ? "\"q\(i)\n\",NA,1,2\n" : "r\(i),\(x),\(rng.next() % 1000)e-3,\(i)\n"
    }
    let options = CSVReadOptions(dropMissing: seed % 2 == 0, columns: ["z", "x", "y"])
    let problem = contiguousMismatch(Array(text.utf8), options, threads: [1, 2, 3], pieceSizes: [1 + Int(rng.next() % 40), 300],
                                     chunkSizes: [5, 1 << 16])
    #expect(problem == nil, "seed \(seed): \(problem ?? "")")
  }
}
