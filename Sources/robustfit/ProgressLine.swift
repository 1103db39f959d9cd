import Foundation

/// The progress line on stderr: what the tool is doing (reading the file, fitting a loss) and for how long.
///
/// By default (`ROBUSTFIT_PROGRESS` unset or `auto`) it is shown only when stderr is a terminal and only
/// once the work has taken more than a second, so quick runs and redirected output never see it. It is
/// redrawn in place (`\r`, erase to end of line) at most five times a second while a step reports its
/// progress, at once when a new step begins (the fit after the read, the next loss), and erased before any
/// other message or the results are printed.
///
/// Environment (documented in Docs/cli.md):
/// - `ROBUSTFIT_PROGRESS=never` turns it off; `always` shows it whatever stderr is (a log file, a pipe)
///   and from the start (no one-second delay) — for tests and for watching a job's log;
/// - `ROBUSTFIT_PROGRESS_DELAY=S` (seconds, ≥ 0) replaces the delay of either mode.
final class ProgressLine: @unchecked Sendable {
  /// When the line is shown.
  enum Mode: String {
    /// On a terminal, after the delay.
    case auto
    /// Whatever stderr is.
    case always
    /// Never.
    case never
  }

  /// The process's progress line, configured from the environment and from whether fd 2 is a terminal.
  static let shared = ProgressLine(environment: ProcessInfo.processInfo.environment,
                                   stderrIsTerminal: isatty(2) == 1)

  /// Whether the line can appear at all in this run.
  let enabled: Bool
  /// Seconds of work before the line first appears.
  let delay: TimeInterval

  private let start = Date()
  private let lock = NSLock()
  private var status: String?
  private var statusSince = Date()
  private var drawn = false
  private var lastDraw: Date?
  private var timer: DispatchSourceTimer?

  /// Reads `ROBUSTFIT_PROGRESS` (`auto`, `always`, `never`; anything else counts as `auto`) and
  /// `ROBUSTFIT_PROGRESS_DELAY`.
  init(environment: [String: String], stderrIsTerminal: Bool) {
    let mode = Mode(rawValue: environment["ROBUSTFIT_PROGRESS"]?.lowercased() ?? "auto") ?? .auto
    switch mode {
    case .auto: enabled = stderrIsTerminal
    case .always: enabled = true
    case .never: enabled = false
    }
    var delay: TimeInterval = mode == .always ? 0 : 1
    if let text = environment["ROBUSTFIT_PROGRESS_DELAY"], let seconds = Double(text), seconds >= 0,
       seconds.isFinite {
      delay = seconds
    }
    self.delay = delay
  }

  /// Sets what the line says (e.g. `fitting cauchy (3 of 9)`); drawn now if the delay has passed (a
  /// step's progress at most five times a second, a new step at once: a fit shorter than the rate limit
  /// would otherwise never be shown), and kept up to date by a timer (so a long fit shows its running
  /// time) until `finish()`.
  func set(_ text: String) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let newStep = status.map { Self.step(of: $0) != Self.step(of: text) } ?? true
    if status != text { statusSince = Date() }
    status = text
    startTimerIfNeeded()
    drawIfDue(force: newStep)
  }

  /// What a status is doing, without its progress: the read's updates (`reading FILE: 3.1 MB of …`) are one
  /// step, every other status its own.
  static func step(of status: String) -> Substring {
    status.hasPrefix("reading ") ? "reading" : Substring(status)
  }

  /// The read progress of the CSV reader: bytes read of the total.
  func reading(_ fileName: String, bytesRead: Int, totalBytes: Int?) {
    guard enabled else { return }
    let megabytes = Double(bytesRead) / 1_048_576
    var line = "reading \(fileName): " + String(format: "%.1f MB", megabytes)
    if let totalBytes, totalBytes > 0 {
      let percent = min(100, 100 * Double(bytesRead) / Double(totalBytes))
      line += String(format: " of %.1f MB (%.0f %%)", Double(totalBytes) / 1_048_576, percent)
    }
    set(line)
  }

  /// Runs `body` (which writes a message) with the line erased and no redraw in between; the line
  /// comes back on the next update. `body` must not call back into the progress line.
  func printing(_ body: () -> Void) {
    guard enabled else { return body() }
    lock.lock()
    defer { lock.unlock() }
    eraseLocked()
    body()
  }

  /// Erases the line and stops updating it (before the results are printed).
  func finish() {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    status = nil
    timer?.cancel()
    timer = nil
    eraseLocked()
  }

  private func eraseLocked() {
    if drawn { Self.write("\r\u{1B}[K") }
    drawn = false
  }

  private func startTimerIfNeeded() {
    guard timer == nil else { return }
    let source = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
    source.schedule(deadline: .now() + 0.2, repeating: 0.2)
    source.setEventHandler { [weak self] in
      guard let self else { return }
      self.lock.lock()
      defer { self.lock.unlock() }
      self.drawIfDue(force: true)
    }
    timer = source
    source.resume()
  }

  /// Draws the status when the delay has passed, at most every 0.2 s (`force` is the timer's tick,
  /// which also adds the running time of a step that has lasted more than a second).
  private func drawIfDue(force: Bool) {
    guard let status else { return }
    let now = Date()
    guard now.timeIntervalSince(start) >= delay else { return }
    if !force, let lastDraw, now.timeIntervalSince(lastDraw) < 0.2 { return }
    lastDraw = now
    var line = "robustfit: " + status
    let running = now.timeIntervalSince(statusSince)
    if running >= 1 && !status.hasPrefix("reading") { line += String(format: " … %.0f s", running) }
    Self.write("\r\u{1B}[K" + line)
    drawn = true
  }

  private static func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
