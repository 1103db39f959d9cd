#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Standard output, where the results go: written through C's buffered stdout (Swift's `print`), so a
/// write that fails (a full disk, `> /dev/full`, a closed pipe's EIO) is only known to the stream's
/// error flag. The command flushes it at the end and turns a failure into exit 1.
enum StandardOutput {
  /// Writes `bytes` through the same stream (one `fwrite`; a failure shows at ``flush()``).
  static func write(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer in _ = fwrite(buffer.baseAddress, 1, buffer.count, stdout) }
  }

  /// Flushes stdout; throws when it, or any earlier write to it, failed.
  static func flush() throws {
    errno = 0
    let flushed = fflush(stdout) == 0
    let reason = errno
    guard flushed, ferror(stdout) == 0 else {
      let text = reason != 0 ? String(cString: strerror(reason)) : "write error"
      throw CLIError(.failure, "cannot write the results to standard output: \(text)")
    }
  }
}
