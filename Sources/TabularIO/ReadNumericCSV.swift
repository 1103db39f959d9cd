// The public entry points: read a numeric CSV file (or bytes) into a NumericTable.

/// Reads the numeric columns of a CSV file into column storage.
///
/// `path` "-" reads standard input. The file is streamed in chunks of
/// ``CSVReadOptions/chunkSize`` bytes and never held whole in memory; the memory used is about
/// the size of the parsed doubles (8 bytes per selected cell) plus one chunk. Quoted fields
/// (with `""` escapes, delimiters and line breaks inside), comma/semicolon/tab delimiters,
/// CRLF or LF line ends, a UTF-8 byte-order mark, blank lines and spaces around numbers are
/// handled. Numbers are correctly rounded (see ``DecimalParser``).
///
/// - Throws: ``CSVError`` naming the file, row (1-based line number) and column of the problem.
public func readNumericCSV(path: String, options: CSVReadOptions = CSVReadOptions()) throws -> NumericTable {
  let source = try ByteSource.open(path: path)
  defer { source.close() }
  var reader = CSVReader(source: source, options: options)
  defer { reader.deallocate() }
  return try reader.read()
}

/// Reads CSV text already in memory, with the same rules and messages as
/// ``readNumericCSV(path:options:)``; `name` is the file name used in messages.
public func readNumericCSV(
  bytes: [UInt8], name: String = "<memory>", options: CSVReadOptions = CSVReadOptions()
) throws -> NumericTable {
  let source = ByteSource(kind: .memory(bytes, offset: 0), name: name, totalBytes: bytes.count)
  var reader = CSVReader(source: source, options: options)
  defer { reader.deallocate() }
  return try reader.read()
}
