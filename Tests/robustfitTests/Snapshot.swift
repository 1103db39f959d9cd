import Foundation
import Testing

/// Compares text with a committed file under `Tests/robustfitTests/Snapshots/`; with
/// `ROBUSTFIT_UPDATE_SNAPSHOTS=1` in the environment it rewrites the file instead.
enum Snapshot {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Snapshots")

  static func check(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = directory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["ROBUSTFIT_UPDATE_SNAPSHOTS"] == "1" {
      try text.write(to: file, atomically: true, encoding: .utf8)
      return
    }
    let expected = try String(contentsOf: file, encoding: .utf8)
    if text != expected {
      let a = text.split(separator: "\n", omittingEmptySubsequences: false)
      let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
      let first = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
      Issue.record("""
        \(name) differs from the snapshot at line \(first + 1):
          got:      \(first < a.count ? String(a[first]) : "<end>")
          expected: \(first < b.count ? String(b[first]) : "<end>")
        (ROBUSTFIT_UPDATE_SNAPSHOTS=1 rewrites the snapshot)
        """, sourceLocation: sourceLocation)
    }
  }
}
