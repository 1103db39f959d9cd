import Foundation
import Testing

/// `make install` (README): PREFIX is respected, no root is needed for a PREFIX one can write, and the
/// installed binary runs. The copy step (`install-binary`) is run for real with the test's own binary;
/// the whole target, which first builds the release binary, is checked with `make -n`.
@Suite("make install")
struct InstallTests {
  static let make: String? = ["/usr/bin/make", "/bin/make"].first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Runs `make arguments...` in the repository root; returns the exit status and stdout.
  static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(make, "make is not installed"))
    process.arguments = ["-C", CLI.repoRoot.path, "--no-print-directory"] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test("make install-binary PREFIX=<temporary> puts an executable robustfit in PREFIX/bin")
  func installsIntoPrefix() throws {
    let dir = try TempDirectory()
    let prefix = dir.url.appendingPathComponent("prefix with space").path
    let binary = try #require(CLI.executable)
    let result = try Self.run(["install-binary", "PREFIX=\(prefix)", "INSTALL_BINARY=\(binary.path)"])
    #expect(result.status == 0, "\(result.output)")
    let installed = prefix + "/bin/robustfit"
    #expect(FileManager.default.isExecutableFile(atPath: installed))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: installed)
    process.arguments = ["--version"]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let version = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(!version.isEmpty)
    let removed = try Self.run(["uninstall", "PREFIX=\(prefix)"])
    #expect(removed.status == 0)
    #expect(!FileManager.default.fileExists(atPath: installed))
  }

  @Test("make install builds the release binary and copies it to PREFIX/bin, /usr/local/bin by default")
  func installPlan() throws {
    let planned = try Self.run(["-n", "install", "PREFIX=/opt/rf"])
    #expect(planned.status == 0, "\(planned.output)")
    #expect(planned.output.contains("build -c release --product robustfit"))
    #expect(planned.output.contains("install -m 755 \".build/release/robustfit\" \"/opt/rf/bin/robustfit\""))
    let byDefault = try Self.run(["-n", "install-binary"])
    #expect(byDefault.output.contains("\"/usr/local/bin/robustfit\""))
  }
}
