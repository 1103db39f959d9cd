import Foundation
import Testing

/// Runs the built `robustfit` executable, as a user would, and captures what it prints.
enum CLI {
  /// What one run produced.
  struct Outcome {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// The repository root (from this file's path).
  static let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The executable: searched upward from the test bundle's directory (the build products directory
  /// whatever `--scratch-path` was), then in the repository's `.build/debug`.
  static let executable: URL? = {
    var starts: [URL] = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])]
    for bundle in Bundle.allBundles { starts.append(bundle.bundleURL) }
    for start in starts {
      var dir = start.hasDirectoryPath ? start : start.deletingLastPathComponent()
      for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("robustfit")
        if isExecutableFile(candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
      }
    }
    let fallback = repoRoot.appendingPathComponent(".build/debug/robustfit")
    return isExecutableFile(fallback) ? fallback : nil
  }()

  private static func isExecutableFile(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
      && FileManager.default.isExecutableFile(atPath: url.path)
  }

  /// Runs `robustfit arguments...` in `directory` with COLUMNS=80, `environment` added to the test's own
  /// (without any ROBUSTFIT_PROGRESS settings of the caller's shell) and an optional stdin.
  static func run(_ arguments: [String], in directory: URL? = nil, stdin: Data? = nil,
                  environment extra: [String: String] = [:]) throws -> Outcome {
    let exe = try #require(executable, "the robustfit executable was not found next to the test bundle")
    let process = Process()
    process.executableURL = exe
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "80"
    environment["LINES"] = "24"
    environment["ROBUSTFIT_PROGRESS"] = nil
    environment["ROBUSTFIT_PROGRESS_DELAY"] = nil
    environment.merge(extra) { $1 }
    process.environment = environment
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a large output cannot block the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
  }
}

/// A fresh temporary directory for one test's files, removed when the value is released.
final class TempDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("robustfit-cli-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// Writes `text` (UTF-8) to `name` and returns the path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, bytes: Array(text.utf8))
  }

  /// Writes raw bytes to `name` and returns the path.
  @discardableResult
  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let file = url.appendingPathComponent(name)
    try Data(bytes).write(to: file)
    return file.path
  }

  /// The path of `name` inside the directory.
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

extension CLI {
  /// `script` from util-linux, which runs a command under a pseudo-terminal; nil where it is missing.
  static let scriptTool: String? = ["/usr/bin/script", "/bin/script"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  /// Runs `robustfit arguments...` with its stdin, stdout and stderr on a pseudo-terminal (through
  /// `script -qec`), as when a user types the command; returns everything the terminal received
  /// (stdout and stderr interleaved) and the exit status.
  static func runInTerminal(_ arguments: [String], in directory: URL? = nil,
                            environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let exe = try #require(executable, "the robustfit executable was not found next to the test bundle")
    let script = try #require(scriptTool, "script(1) is not installed")
    func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let command = ([exe.path] + arguments).map(shellQuoted).joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: script)
    process.arguments = ["-qec", command, "/dev/null"]
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "80"
    environment["ROBUSTFIT_PROGRESS"] = nil
    environment["ROBUSTFIT_PROGRESS_DELAY"] = nil
    environment.merge(extra) { $1 }
    process.environment = environment
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
