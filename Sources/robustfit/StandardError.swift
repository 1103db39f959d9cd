import Foundation

/// Writes to standard error: every message of the tool goes there, results go to stdout.
enum StandardError {
  /// Writes `text` as it is (no newline added), erasing the progress line first if one is shown.
  static func write(_ text: String) {
    ProgressLine.shared.printing { FileHandle.standardError.write(Data(text.utf8)) }
  }

  /// `robustfit: error: <message>`.
  static func error(_ message: String) {
    write("robustfit: error: \(oneLine(message))\n")
  }

  /// `robustfit: warning: <message>`.
  static func warning(_ message: String) {
    write("robustfit: warning: \(oneLine(message))\n")
  }

  /// `robustfit: <message>` (information, e.g. dropped rows).
  static func note(_ message: String) {
    write("robustfit: \(oneLine(message))\n")
  }

  /// Joins the lines of a message so that every message stays on one line; a bulleted list
  /// (`- a`, `- b`, as ArgumentParser prints choices) becomes `a, b`.
  static func oneLine(_ message: String) -> String {
    var out = ""
    var inList = false
    for raw in message.split(whereSeparator: \.isNewline) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      if line.hasPrefix("- ") {
        out += (inList ? ", " : " ") + line.dropFirst(2)
        inList = true
      } else {
        out += (out.isEmpty ? "" : " ") + line
        inList = false
      }
    }
    return out
  }
}
