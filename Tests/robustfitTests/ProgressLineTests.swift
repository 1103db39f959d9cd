import Foundation
import Testing

/// The progress line on stderr (Docs/cli.md): shown on a terminal, never in a pipe or a file unless
/// ROBUSTFIT_PROGRESS=always asks, and never on stdout. The one-second delay is set to 0 with
/// ROBUSTFIT_PROGRESS_DELAY so that no test depends on how fast this machine reads.
@Suite("robustfit progress line")
struct ProgressLineTests {
  /// A generated line y = 1 + 2x + noise with `rows` rows (about 19 bytes a row): several read chunks.
  static func largeFile(rows: Int, in dir: TempDirectory) throws -> String {
    var text = "x,y\n"
    text.reserveCapacity(rows * 24)
    var state: UInt64 = 12345
    for i in 0..<rows {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      let noise = Double(state >> 11) / Double(1 << 53) - 0.5
      let x = Double(i % 1000) / 100
      text += "\(x),\(1 + 2 * x + noise)\n"
    }
    return try dir.write("large.csv", text)
  }

  static let scriptAvailable = CLI.scriptTool != nil

  @Test("On a terminal the line shows the read and the fit, and is erased before the report",
        .enabled(if: scriptAvailable, "needs script(1) for a pseudo-terminal"))
  func shownOnTerminal() throws {
    let dir = try TempDirectory()
    let file = try Self.largeFile(rows: 300_000, in: dir)
    let run = try CLI.runInTerminal([file, "--loss", "l2"], environment: ["ROBUSTFIT_PROGRESS_DELAY": "0"])
    #expect(run.status == 0)
    #expect(run.output.contains("\r\u{1B}[Krobustfit: reading \(file): "))
    // Redraws are rate-limited, so under load the last reading state ("(100 %)") can be replaced by the
    // fit's before it is drawn: any reading state with its share of the file shows the line works.
    #expect(run.output.contains(" MB of ") && run.output.contains(" %)"))
    #expect(run.output.contains("robustfit: fitting l2"))
    // Erased (carriage return, erase line) before the report starts.
    #expect(run.output.contains("\r\u{1B}[KRobust linear regression (robustfit "))
  }

  @Test("Not a terminal: no progress line, even with no delay", .enabled(if: scriptAvailable))
  func hiddenInPipe() throws {
    let dir = try TempDirectory()
    let file = try Self.largeFile(rows: 300_000, in: dir)
    let run = try CLI.run([file, "--loss", "l2"], environment: ["ROBUSTFIT_PROGRESS_DELAY": "0"])
    #expect(run.status == 0)
    #expect(run.stderr.isEmpty)
    #expect(!run.stdout.contains("\u{1B}"))
  }

  @Test("ROBUSTFIT_PROGRESS=always shows it on a pipe (stderr only); =never hides it on a terminal")
  func environmentOverride() throws {
    let dir = try TempDirectory()
    let file = try Self.largeFile(rows: 300_000, in: dir)
    let always = try CLI.run(["compare", file, "--losses", "l2,l1"], environment: ["ROBUSTFIT_PROGRESS": "always"])
    #expect(always.status == 0)
    #expect(always.stderr.contains("robustfit: reading \(file): "))
    #expect(always.stderr.contains("robustfit: fitting l1 (2 of 2)"))
    #expect(always.stderr.hasSuffix("\r\u{1B}[K"))
    #expect(!always.stdout.contains("\u{1B}"))
    let plain = try CLI.run(["compare", file, "--losses", "l2,l1"])
    #expect(always.stdout == plain.stdout)
    if Self.scriptAvailable {
      let never = try CLI.runInTerminal([file, "--loss", "l2"],
                                        environment: ["ROBUSTFIT_PROGRESS": "never", "ROBUSTFIT_PROGRESS_DELAY": "0"])
      #expect(never.status == 0)
      #expect(!never.output.contains("robustfit: reading"))
    }
  }

  @Test("A quick run on a terminal (well under the one-second default delay) shows nothing",
        .enabled(if: scriptAvailable))
  func quickRunShowsNothing() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let run = try CLI.runInTerminal(["line.csv", "--loss", "l2"], in: dir.url)
    #expect(run.status == 0)
    #expect(!run.output.contains("robustfit: reading"))
    #expect(!run.output.contains("\u{1B}[K"))
  }

  @Test("Messages erase the line first: a warning starts on its own line", .enabled(if: scriptAvailable))
  func warningsEraseTheLine() throws {
    let dir = try TempDirectory()
    let file = try Self.largeFile(rows: 100_000, in: dir)
    let run = try CLI.runInTerminal([file, "--loss", "cauchy", "--max-iterations", "1"],
                                    environment: ["ROBUSTFIT_PROGRESS_DELAY": "0"])
    #expect(run.status == 0)
    #expect(run.output.contains("\r\u{1B}[Krobustfit: warning: IRLS did not converge"))
  }
}
