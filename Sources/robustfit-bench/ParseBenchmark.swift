#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TabularIO

/// `--parse PATH`: the time to read a numeric CSV file into column storage with TabularIO (on `threads`
/// threads: 0 for every core), as the median of `repeats` reads after one untimed read that warms the page
/// cache, in MB/s of file text. The CLI's reading is this plus building the design.
struct ParseBenchmark {
  let path: String
  let repeats: Int
  let threads: Int

  func run() throws {
    let options = CSVReadOptions(threads: threads)
    var table = try readNumericCSV(path: path, options: options)
    let bytes = try fileSize()
    var samples: [Timing] = []
    for _ in 0..<max(1, repeats) {
      samples.append(try Stopwatch.measure { table = try readNumericCSV(path: path, options: options) })
    }
    let wall = Stopwatch.median(of: samples.map(\.wall)), cpu = Stopwatch.median(of: samples.map(\.cpu))
    let megabytes = Double(bytes) / 1e6
    print("parse \(path): \(table.rowCount) rows × \(table.columns.count) columns, \(fixed(megabytes, 1)) MB; "
      + "median of \(max(1, repeats)): \(fixed(wall * 1e3, 1)) ms wall, \(fixed(cpu * 1e3, 1)) ms CPU, "
      + "\(fixed(megabytes / wall, 0)) MB/s")
  }

  private func fileSize() throws -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { throw Failure(description: "cannot stat \(path)") }
    return Int(info.st_size)
  }

  struct Failure: Error, CustomStringConvertible {
    let description: String
  }
}
