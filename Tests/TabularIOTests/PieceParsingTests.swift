// The parallel reader (pieces parsed at once, joined in file order) against the sequential one: the
// same table and the same error, whatever the threads, piece and chunk sizes, and from memory or a
// mapped file — with piece boundaries forced inside quoted fields, at CRLF, at a last line without
// line break, and errors in later pieces.

import Foundation
import Testing
@testable import TabularIO

/// The outcome of one read, comparable: the table or the error.
enum ReadOutcome: Equatable {
  case table(NumericTable)
  case failure(CSVError)

  init(_ body: () throws -> NumericTable) {
    do {
      self = .table(try body())
    } catch let error as CSVError {
      self = .failure(error)
    } catch {
      self = .failure(.unreadable(file: "?", reason: "not a CSVError: \(error)"))
    }
  }
}

/// Reads `bytes` sequentially, then with every (threads, piece size, chunk size) given, from memory and
/// from a file; returns a description of the first difference, or nil.
func parallelMismatch(
  _ bytes: [UInt8], _ base: CSVReadOptions, threads: [Int], pieceSizes: [Int], chunkSizes: [Int] = [1 << 16],
  file: Bool = true
) throws -> String? {
  var sequential = base
  sequential.threads = 1
  let reference = ReadOutcome { try readNumericCSV(bytes: bytes, name: "p.csv", options: sequential) }
  var options = base
  for t in threads {
    for piece in pieceSizes {
      for chunk in chunkSizes {
        options.threads = t
        options.pieceSize = piece
        options.chunkSize = chunk
        let memory = ReadOutcome { try readNumericCSV(bytes: bytes, name: "p.csv", options: options) }
        if memory != reference {
          return "memory, threads \(t), piece \(piece), chunk \(chunk): \(memory) != \(reference)"
        }
      }
      if file {
        let path = temporaryPath()
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var fileReference = reference
        if case .table(var table) = fileReference {
          table.fileName = path
          fileReference = .table(table)
        } else {
          fileReference = ReadOutcome { try readNumericCSV(path: path, options: sequential) }
        }
        options.chunkSize = 1 << 16
        let mapped = ReadOutcome { try readNumericCSV(path: path, options: options) }
        if mapped != fileReference {
          return "file, threads \(t), piece \(piece): \(mapped) != \(fileReference)"
        }
      }
    }
  }
  return nil
}

@Suite("Parallel CSV reading")
struct PieceParsingTests {
  static let cases: [(String, String)] = [
    ("plain", "x,y\n" + (1...60).map { "\($0).25,\(2 * $0)e-1\n" }.joined()),
    ("quoted line breaks", "id,x,y\n" + (1...40).map { "\"row\n\($0)\r\nwith, \"\"quotes\"\"\",\($0),\($0 * 3)\n" }.joined()),
    ("CRLF", "a,b\r\n" + (1...50).map { "\($0),-\($0).5\r\n" }.joined()),
    ("no final line break", "a,b\n" + (1...50).map { "\($0),\($0)" }.joined(separator: "\n")),
    ("blank lines and spaces", "a,b\n" + (1...50).map { $0 % 7 == 0 ? "  \n\n \($0) , \($0)\n" : "\($0),1e\($0 % 5)\n" }.joined()),
    ("lone CR", "a,b\r" + (1...40).map { "\($0),\($0)\r" }.joined()),
    ("quoted numbers", "a,\"b\"\n" + (1...40).map { "\"\($0)\", \"-\($0)\" \n" }.joined()),
    ("underflows late", "a,b\n" + (1...40).map { $0 > 30 ? "1e-400,\($0)\n" : "\($0),\($0)\n" }.joined()),
    ("ragged row late", "a,b\n" + (1...40).map { $0 == 33 ? "1,2,3\n" : "\($0),\($0)\n" }.joined()),
    ("two errors: the first wins", "a,b\n" + (1...40).map { $0 == 12 ? "x,1\n" : ($0 == 35 ? "1\n" : "\($0),\($0)\n") }.joined()),
    ("unterminated quote at the end", "a,b\n" + (1...30).map { "\($0),\($0)\n" }.joined() + "\"1,2\n3,4\n"),
    ("malformed quote late", "a,b\n" + (1...30).map { $0 == 29 ? "\"1\"x,2\n" : "\($0),\($0)\n" }.joined()),
    ("binary late", "a,b\n" + (1...30).map { $0 == 25 ? "1,\u{0}2\n" : "\($0),\($0)\n" }.joined()),
    ("invalid UTF-8 late", "a,b,c\n" + (1...30).map { "\($0),\($0),t\($0)\n" }.joined()),
    ("missing values", "a,b\n" + (1...40).map { $0 % 9 == 0 ? "NA,\($0)\n" : "\($0),\($0)\n" }.joined()),
  ]

  @Test("same table or error as the sequential reader", arguments: cases.indices)
  func sameOutcome(_ k: Int) throws {
    let (name, text) = Self.cases[k]
    var bytes = Array(text.utf8)
    if name == "invalid UTF-8 late" { bytes[bytes.count - 3] = 0xFF }
    for dropMissing in [false, true] {
      var options = CSVReadOptions(dropMissing: dropMissing)
      if name == "invalid UTF-8 late" { options.columns = ["a", "b"] }
      let problem = try parallelMismatch(
        bytes, options, threads: [2, 3, 4], pieceSizes: [1, 2, 3, 5, 8, 13, 64, 1 << 20], chunkSizes: [1, 7, 1 << 16])
      #expect(problem == nil, "\(name), dropMissing \(dropMissing): \(problem ?? "")")
    }
  }

  @Test("the first error in file order wins, with its row and column")
  func firstErrorWins() throws {
    let text = "a,b\n" + (1...200).map { $0 == 150 ? "1,x\n" : ($0 == 180 ? "1\n" : "\($0),\($0)\n") }.joined()
    let options = CSVReadOptions(threads: 2, pieceSize: 16)
    let error = csvError { try readCSV(text, options) }
    #expect(error == .nonNumeric(file: "t.csv", row: 151, column: 2, name: "b", text: "x"))
  }

  @Test("a piece boundary inside a long quoted field with line breaks")
  func boundaryInsideQuotes() throws {
    let long = (0..<300).map { "line \($0)\n" }.joined()
    let text = "note,x\n\"\(long)\",1\n\"a\nb\",2\n" + (1...50).map { "\"\($0)\n\",\($0)\n" }.joined()
    let table = try readCSV(text, CSVReadOptions(columns: ["x"], threads: 2, pieceSize: 10))
    #expect(table.columns == [[1, 2] + (1...50).map(Double.init)])
    #expect(table.sourceLine(ofRow: 1) == 303)
    #expect(try parallelMismatch(Array(text.utf8), CSVReadOptions(columns: ["x"]), threads: [2], pieceSizes: [3, 10, 100]) == nil)
  }

  @Test("random files with quoted line breaks, CRLF, blank lines and bad cells", arguments: 0..<8)
  func randomFiles(_ seed: Int) throws {
    var rng = SplitMix64(seed: 0xC5F0 &+ UInt64(seed))
    for _ in 0..<scaled(6, heavyFactor: 20) {
      var text = "id,x,y\n"
      let rows = 20 + Int(rng.next() % 200)
      for i in 0..<rows {
        let end = rng.next() % 3 == 0 ? "\r\n" : "\n"
        switch rng.next() % 40 {
        case 0: text += end
        case 1: text += "\"q\(i)\n\",NA,1" + end
        case 2 where rng.next() % 4 == 0: text += "\(i),1" + end  // ragged
        default:
          let id = rng.next() % 3 == 0 ? "\"a\(end)b,\"\"c\"\"\"" : "r\(i)"
          let x = Double(Int64(bitPattern: rng.next() % 2_000_000) - 1_000_000) / 997
          text += "\(id),\(x),\(rng.next() % 1000)e-3" + end
        }
      }
      if rng.next() % 2 == 0 { text.removeLast() }
      let options = CSVReadOptions(dropMissing: rng.next() % 2 == 0, columns: ["x", "y"])
      let problem = try parallelMismatch(
        Array(text.utf8), options, threads: [2, 3], pieceSizes: [1 + Int(rng.next() % 40), 7, 200], chunkSizes: [5, 1 << 16])
      #expect(problem == nil, "seed \(seed): \(problem ?? "")")
    }
  }

  @Test("fuzzed files: the parallel reader gives the sequential reader's outcome")
  func fuzzed() throws {
    var fuzzer = CSVFuzzer(seed: 0x9A7A)
    for _ in 0..<scaled(400, heavyFactor: 25) {
      var bytes = fuzzer.mutant()
      bytes += bytes  // long enough for several pieces
      let options = fuzzer.options()
      let problem = try parallelMismatch(bytes, options, threads: [2], pieceSizes: [1, 4, 9], file: false)
      #expect(problem == nil, "\(problem ?? "")")
    }
  }

  @Test("a large file is mapped and read in several windows with the same result")
  func windows() throws {
    var rng = SplitMix64(seed: 7)
    var text = "a,b,c\n"
    for i in 0..<20_000 {
      text += "\(Double(rng.next() % 1_000_000) / 7),\(i),\(rng.next() % 100)e-2\n"
    }
    let problem = try parallelMismatch(Array(text.utf8), CSVReadOptions(), threads: [2, 4], pieceSizes: [1000, 4096])
    #expect(problem == nil, "\(problem ?? "")")
  }
}
