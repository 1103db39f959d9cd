#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the benchmark data as CSV with header `x1,…,x(p−1),y` (no intercept column), every number
/// in Swift's shortest round-trip form, so a reader that parses correctly gets the same doubles back.
enum CSVExport {
  enum Failure: Error, CustomStringConvertible {
    case cannotOpen(String)
    case writeFailed(String)
    var description: String {
      switch self {
      case .cannotOpen(let path): "cannot open \(path) for writing"
      case .writeFailed(let path): "writing \(path) failed"
      }
    }
  }

  static func write(_ data: BenchmarkData, to path: String) throws {
    guard let file = fopen(path, "w") else { throw Failure.cannotOpen(path) }
    defer { fclose(file) }
    let n = data.design.rows, p = data.design.columns
    var text = (1..<p).map { "x\($0)," }.joined() + "y\n"
    text.reserveCapacity(1 << 20)
    try data.design.values.withUnsafeBufferPointer { x in
      for i in 0..<n {
        for j in 1..<p {
          text += x[j * n + i].description
          text += ","
        }
        text += data.response[i].description
        text += "\n"
        if text.utf8.count >= 1 << 20 {
          try flush(&text, to: file, path: path)
        }
      }
    }
    try flush(&text, to: file, path: path)
    guard ferror(file) == 0 else { throw Failure.writeFailed(path) }
  }

  private static func flush(_ text: inout String, to file: UnsafeMutablePointer<FILE>, path: String) throws {
    var copy = text
    let written = copy.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == text.utf8.count else { throw Failure.writeFailed(path) }
    text.removeAll(keepingCapacity: true)
  }
}
