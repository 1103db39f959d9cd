// libFuzzer harness for the CSV reader. Not a SwiftPM target; build and run it with:
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name CSVFuzz Sources/TabularIO/*.swift Tests/Fuzz/CSVFuzz.swift -o /tmp/csvfuzz && mkdir -p /tmp/csvfuzz-corpus && /tmp/csvfuzz /tmp/csvfuzz-corpus -max_total_time=600 -max_len=4096
//
// The first input byte picks the options (header mode, dropMissing, a forced delimiter, a column
// selection, a small chunk size); the rest is the file. Properties checked (a violation traps):
// the reader returns a table whose columns all have rowCount finite values and increasing source
// lines, or throws a CSVError with a one-line message; reading in one chunk and in chunks of
// 1-8 bytes gives the same table or the same error, and so does the parallel reader with pieces of
// 1-8 bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func csvFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let control = data[0]
  let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
  var options = CSVReadOptions()
  options.chunkSize = 1 << 16  // larger than any input (-max_len=4096): one read, like 4 MiB
  options.header = [CSVHeaderMode.auto, .present, .absent, .auto][Int(control & 3)]
  options.dropMissing = control & 4 != 0
  switch (control >> 3) & 3 {
  case 1: options.delimiter = .semicolon
  case 2: options.delimiter = .tab
  case 3: options.columns = ["1", "x", "2"]
  default: break
  }
  let whole = Result { try readNumericCSV(bytes: bytes, name: "fuzz.csv", options: options) }
  options.chunkSize = 1 + Int(control >> 5)
  let chunked = Result { try readNumericCSV(bytes: bytes, name: "fuzz.csv", options: options) }
  // The parallel reader with pieces of a few bytes: boundaries in quotes, at CR/LF, in bad rows.
  var pieces = options
  pieces.threads = 2
  pieces.pieceSize = 1 + Int(control >> 5)
  let parallel = Result { try readNumericCSV(bytes: bytes, name: "fuzz.csv", options: pieces) }
  switch (chunked, parallel) {
  case (.success(let t), .success(let u)): precondition(t == u, "the parallel reader changed the table")
  case (.failure(let e), .failure(let f)):
    precondition(e as? CSVError == f as? CSVError, "the parallel reader changed the error: \(e) / \(f)")
  default: preconditionFailure("the parallel reader changed success/failure")
  }
  switch (whole, chunked) {
  case (.success(let t), .success(let u)):
    precondition(t == u, "chunk size changed the table")
    precondition(t.names.count == t.columns.count && t.fileColumnNumbers.count == t.columns.count)
    var previous = 0
    for i in 0..<t.rowCount {
      let line = t.sourceLine(ofRow: i)
      precondition(line > previous, "source lines not increasing")
      previous = line
    }
    for c in t.columns {
      precondition(c.count == t.rowCount, "ragged columns")
      for v in c { precondition(v.isFinite, "non-finite value") }
    }
  case (.failure(let e), .failure(let f)):
    guard let e = e as? CSVError, let f = f as? CSVError else { preconditionFailure("not a CSVError") }
    precondition(e == f, "chunk size changed the error: \(e) / \(f)")
    precondition(!e.description.contains("\n"), "multi-line message")
  default:
    preconditionFailure("chunk size changed success/failure")
  }
  return 0
}
