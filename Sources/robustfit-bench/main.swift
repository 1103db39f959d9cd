// robustfit-bench: IRLS fit times per loss against the read-X and dsyrk floors
// (Docs/performance.md). Run with `swift run -c release robustfit-bench --n 1000000 --p 10`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RobustRegression

/// Writes `text` to file descriptor 2 (stderr) without touching C's global `stderr`.
func standardError(_ text: String) {
  var copy = text
  copy.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

let arguments: BenchArguments
do {
  arguments = try BenchArguments(Array(CommandLine.arguments.dropFirst()))
} catch let error as BenchArguments.Invalid {
  if !error.description.isEmpty { standardError("robustfit-bench: \(error.description)\n") }
  standardError(BenchArguments.usage + "\n")
  exit(error.description.isEmpty ? 0 : 64)
}

if let path = arguments.csvPath {
  let data = BenchmarkData(rows: arguments.sizes[0], columns: arguments.widths[0], seed: arguments.seed,
                           kind: arguments.data)
  do {
    try CSVExport.write(data, to: path)
    standardError("wrote \(path): n = \(data.design.rows), p = \(data.design.columns) (with intercept), "
      + "\(data.outlierCount) shifted rows\n")
    exit(0)
  } catch {
    standardError("robustfit-bench: \(error)\n")
    exit(1)
  }
}

if let path = arguments.parsePath {
  do {
    try ParseBenchmark(path: path, repeats: arguments.repeats ?? 5, threads: arguments.parseThreads).run()
    exit(0)
  } catch {
    standardError("robustfit-bench: \(error)\n")
    exit(1)
  }
}

if arguments.keyedSample {
  for n in arguments.sizes {
    for p in arguments.widths {
      KeyedSampleBenchmark(arguments: arguments).run(rows: n, columns: p)
    }
  }
  exit(0)
}

let threads = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
let runner = BenchRunner(arguments: arguments, threads: threads)
for n in arguments.sizes {
  for p in arguments.widths {
    runner.run(rows: n, columns: p)
  }
}
