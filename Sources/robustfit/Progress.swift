import Foundation

/// The progress line of a long read: on stderr, only when stderr is a terminal and the read has taken
/// more than a second, redrawn at most five times a second and erased when the read ends.
final class ReadProgress: @unchecked Sendable {
  private let fileName: String
  private let start = Date()
  private let lock = NSLock()
  private let enabled: Bool
  private var lastDraw: Date?
  private var drawn = false

  init(fileName: String) {
    self.fileName = fileName == "-" ? "<stdin>" : fileName
    enabled = isatty(2) == 1
  }

  /// Called by the reader after every chunk.
  func update(bytesRead: Int, totalBytes: Int?) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    guard now.timeIntervalSince(start) > 1 else { return }
    if let lastDraw, now.timeIntervalSince(lastDraw) < 0.2 { return }
    lastDraw = now
    let megabytes = Double(bytesRead) / 1_048_576
    var line = "robustfit: reading \(fileName): " + String(format: "%.1f MB", megabytes)
    if let totalBytes, totalBytes > 0 {
      let percent = min(100, 100 * Double(bytesRead) / Double(totalBytes))
      line += String(format: " of %.1f MB (%.0f %%)", Double(totalBytes) / 1_048_576, percent)
    }
    StandardError.write("\r\u{1B}[K" + line)
    drawn = true
  }

  /// Erases the line if one was drawn.
  func finish() {
    lock.lock()
    defer { lock.unlock() }
    if drawn { StandardError.write("\r\u{1B}[K") }
    drawn = false
  }
}
