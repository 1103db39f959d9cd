#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The end of a run that succeeded: stdout flushed, then the process ends at once. What a run no longer
/// needs (X, the residuals, the report's text: hundreds of MB at n = 1e7) is not freed piece by piece
/// on the way out (the kernel takes the whole address space back at exit), and the exit handlers
/// (OpenBLAS stopping its threads) do not run: every file the run wrote is already closed, and stderr is
/// unbuffered.
enum ProcessEnd {
  /// Values kept until the process ends (``keep(_:)``).
  nonisolated(unsafe) private static var kept: [Any] = []

  /// Keeps `value` alive until the process ends, so that its memory is not freed on the way out.
  static func keep(_ value: Any) {
    kept.append(value)
  }

  /// Flushes stdout (throwing as ``StandardOutput/flush()`` does) and ends the process with status 0.
  static func succeed() throws -> Never {
    try StandardOutput.flush()
    _exit(ExitStatus.success.rawValue)
  }
}
