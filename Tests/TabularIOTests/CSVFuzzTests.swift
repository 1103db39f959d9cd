// Seeded random mutations of valid CSV files: the reader returns a sound table or throws a
// CSVError, never crashes or hangs, and the chunk size never changes the outcome.

import Foundation
import Testing
@testable import TabularIO

/// Mutates valid CSV text and checks the reader on every mutant.
struct CSVFuzzer {
  var rng: SplitMix64
  var executed = 0
  var tables = 0

  static let seeds: [String] = [
    "x,y\n1,2\n3,4\n",
    "\u{FEFF}\"a\",\"b \"\"q\"\"\"\r\n1.5,-2e3\r\n\r\n\"3\",4\r\n",
    "a;b;c\n1;2;3\n4;NA;6\n",
    "a\tb\n 1 \t 2\n3\t4",
    "id,x,name,y\nA,1,\"Smith, J\",10\nB,2,\"multi\nline\",20\n",
    "1,2,3\n4,5,6\n",
    "v\n0.1\n1e308\n4.9e-324\n-0\n123456789012345678901234567890\n",
  ]

  static let interesting: [UInt8] = [
    0x22, 0x2C, 0x3B, 0x09, 0x0A, 0x0D, 0x00, 0xFF, 0xEF, 0xBB, 0xBF, 0x20, 0x2E, 0x65, 0x2D, 0x2B, 0x30, 0x39,
    0x4E, 0x41, 0xC3, 0x80,
  ]

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func mutant() -> [UInt8] {
    var bytes = Array(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))].utf8)
    let edits = 1 + Int(rng.next() % 6)
    for _ in 0..<edits {
      let byte =
        rng.next() % 4 == 0
        ? UInt8(truncatingIfNeeded: rng.next()) : Self.interesting[Int(rng.next() % UInt64(Self.interesting.count))]
      let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
      switch rng.next() % 5 {
      case 0: if !bytes.isEmpty { bytes[at] = byte }
      case 1: bytes.insert(byte, at: at)
      case 2: if !bytes.isEmpty { bytes.remove(at: at) }
      case 3:  // duplicate a slice (grows rows, repeats quotes)
        if !bytes.isEmpty {
          let end = min(bytes.count, at + 1 + Int(rng.next() % 40))
          bytes.insert(contentsOf: bytes[at..<end], at: end)
        }
      default: bytes.append(byte)
      }
    }
    return bytes
  }

  mutating func options() -> CSVReadOptions {
    var o = CSVReadOptions()
    o.dropMissing = rng.next() % 2 == 0
    o.header = [.auto, .present, .absent][Int(rng.next() % 3)]
    if rng.next() % 4 == 0 { o.delimiter = CSVDelimiter.allCases[Int(rng.next() % 3)] }
    if rng.next() % 4 == 0 { o.columns = ["1", "x"] }
    return o
  }

  /// Runs one mutant; returns a description of a violated property, or nil.
  mutating func runOne() -> String? {
    let bytes = mutant()
    var options = options()
    executed += 1
    let whole = Result { try readNumericCSV(bytes: bytes, name: "fuzz.csv", options: options) }
    options.chunkSize = 1 + Int(rng.next() % 17)
    let chunked = Result { try readNumericCSV(bytes: bytes, name: "fuzz.csv", options: options) }
    switch (whole, chunked) {
    case (.success(let t), .success(let u)):
      tables += 1
      if t != u { return "chunk size \(options.chunkSize) changed the table for \(bytes)" }
      return Self.check(t, bytes: bytes)
    case (.failure(let e), .failure(let f)):
      guard let e = e as? CSVError, let f = f as? CSVError else { return "non-CSVError thrown for \(bytes)" }
      if e != f { return "chunk size \(options.chunkSize) changed the error \(e) to \(f) for \(bytes)" }
      if e.description.contains("\n") { return "multi-line message \(e)" }
      return nil
    default:
      return "chunk size \(options.chunkSize) changed success/failure for \(bytes): \(whole) vs \(chunked)"
    }
  }

  /// The properties every returned table has.
  static func check(_ t: NumericTable, bytes: [UInt8]) -> String? {
    if t.names.count != t.columns.count { return "names/columns mismatch for \(bytes)" }
    if t.fileColumnNumbers.count != t.columns.count { return "column numbers mismatch for \(bytes)" }
    for c in t.columns where c.count != t.rowCount { return "ragged columns for \(bytes)" }
    for c in t.columns where !c.allSatisfy(\.isFinite) { return "non-finite value for \(bytes)" }
    let lineCount = bytes.filter { $0 == 0x0A || $0 == 0x0D }.count + 1
    var previous = 0
    for i in 0..<t.rowCount {
      let line = t.sourceLine(ofRow: i)
      if line <= previous || line > lineCount { return "bad source line \(line) for \(bytes)" }
      previous = line
    }
    return nil
  }
}

@Suite("CSV fuzzing")
struct CSVFuzzTests {
  @Test("random mutations: a sound table or a CSVError, independent of the chunk size")
  func mutations() {
    // ROBUSTFIT_FUZZ_SECONDS=N runs for N seconds instead of a fixed count (use a release build:
    // swift test -c release --filter CSVFuzzTests).
    let seconds = Double(ProcessInfo.processInfo.environment["ROBUSTFIT_FUZZ_SECONDS"] ?? "") ?? 0
    let seed = UInt64(ProcessInfo.processInfo.environment["ROBUSTFIT_FUZZ_SEED"] ?? "") ?? 12345
    var fuzzer = CSVFuzzer(seed: seed)
    let deadline = Date().addingTimeInterval(seconds)
    var failures = 0
    repeat {
      for _ in 0..<3_000 {
        if let problem = fuzzer.runOne() {
          failures += 1
          if failures <= 5 { Issue.record(Comment(rawValue: problem)) }
        }
      }
    } while Date() < deadline
    if seconds > 0 {
      print("CSV fuzz: \(fuzzer.executed) inputs, \(fuzzer.tables) tables, \(failures) failures")
    }
    #expect(fuzzer.tables > 0)
    #expect(fuzzer.tables < fuzzer.executed)
  }
}
