import Foundation
import Testing

/// The command-line defects an adversarial run found (CHANGELOG.md, session 4), one test each, named for the defect it holds shut (the
/// library's are in RobustRegressionTests/AdversarialDefectTests.swift).
@Suite("Adversarial CLI defects: each held shut")
struct AdversarialCLITests {
  /// Runs `robustfit` through `sh -c` so that the test can redirect stdin or stdout to files (`< d.csv`,
  /// `> /dev/full`), as a user's shell does. `shellArguments` are quoted; `redirections` are not.
  static func runInShell(_ arguments: [String], redirections: String, in directory: URL) throws -> CLI.Outcome {
    let exe = try #require(CLI.executable, "the robustfit executable was not found")
    func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let command = ([exe.path] + arguments).map(quote).joined(separator: " ") + " " + redirections
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["ROBUSTFIT_PROGRESS"] = nil
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLI.Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Whether `text` shows `nan`, `inf` or `-inf` as a word (not inside "information").
  static func printsNonFinite(_ text: String) -> Bool {
    text.range(of: "(?<![A-Za-z])(nan|-?inf(inity)?)(?![A-Za-z])", options: [.regularExpression, .caseInsensitive]) != nil
  }

  // MARK: 2. compare (l1 among its default losses) on tied data

  @Test("compare on 20,000 integer rows finishes, and its l1 fit proves optimality")
  func compareOnTiedData() throws {
    let dir = try TempDirectory()
    var text = "x,y\n"
    var state: UInt64 = 7
    for _ in 0..<20_000 {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      let x = Int(state >> 58), noise = Int((state >> 40) % 7) - 3
      text += "\(x),\(2 + x * 4 / 5 + noise)\n"
    }
    try dir.write("ties.csv", text)
    let run = try CLI.run(["compare", "ties.csv", "--format", "json"], in: dir.url)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.stderr.contains("stopped before proving optimality"))
  }

  // MARK: 3. The input overwritten through stdin

  @Test("robustfit - --output d.csv < d.csv (and --plot) refuses: the input is never overwritten",
        arguments: ["--output", "--plot"])
  func stdinInputIsNeverOverwritten(option: String) throws {
    let dir = try TempDirectory()
    let path = try dir.write("d.csv", TestData.stackloss)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let run = try Self.runInShell(["-", "--format", "csv", option, "d.csv"], redirections: "< d.csv", in: dir.url)
    #expect(run.status == 64)
    #expect(run.stderr == "robustfit: error: \(option) d.csv: refusing to overwrite the input file\n")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    // Through a hard link the same file has another name: refused too.
    try FileManager.default.linkItem(atPath: path, toPath: dir.path("other.csv"))
    let linked = try Self.runInShell(["-", option, "other.csv"], redirections: "< d.csv", in: dir.url)
    #expect(linked.status == 64)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
  }

  @Test("stdin from a pipe: --output to a new file works")
  func stdinFromAPipeWrites() throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss)
    let run = try Self.runInShell(["-", "--output", "rows.csv"], redirections: "< d.csv > /dev/null", in: dir.url)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir.path("rows.csv")))
  }

  // MARK: 4. Write failures

  @Test("A full disk on stdout is exit 1 with one line, in every format", arguments: ["text", "json", "csv"])
  func stdoutWriteFailureIsAnError(format: String) throws {
    guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss)
    let run = try Self.runInShell(["d.csv", "--format", format], redirections: "> /dev/full", in: dir.url)
    #expect(run.status == 1)
    #expect(run.stderr == "robustfit: error: cannot write the results to standard output: No space left on device\n")
  }

  @Test("--output onto a FIFO writes through it in place and leaves it a FIFO (never renamed over)")
  func outputToANonRegularFile() throws {
    // (A device such as /dev/full is written the same way; a FIFO of the test's own keeps a regression
    // from replacing a device node of the machine.)
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss)
    let fifo = dir.path("rows.fifo")
    #expect(mkfifo(fifo, 0o600) == 0)
    let received = Received()
    let reader = Thread {
      received.data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data()
      received.done.signal()
    }
    reader.start()
    let run = try CLI.run(["d.csv", "--output", "rows.fifo"], in: dir.url)
    received.done.wait()
    #expect(run.status == 0, "\(run.stderr)")
    #expect(String(decoding: received.data, as: UTF8.self).hasPrefix("row,"))
    let type = try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType
    #expect(type != .typeRegular, "the FIFO was replaced by a regular file")
  }

  final class Received: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
  }

  // MARK: 5–7. Edges of the double range, with messages that are true

  @Test("l2 with y = 1e308: exit 65 naming file, row and column, no inf printed")
  func objectiveOverflowNamesTheRow() throws {
    let dir = try TempDirectory()
    let text = TestData.stackloss.replacingOccurrences(of: "62,22,87,18\n", with: "62,22,87,1e308\n")
    try dir.write("d.csv", text)
    let run = try CLI.run(["d.csv", "--loss", "l2"], in: dir.url)
    #expect(run.status == 65)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.hasPrefix("robustfit: error: d.csv: row 6, column \"stack.loss\": the objective Σρ(r/c) "
      + "overflows the double range"))
  }

  @Test("Huber, l1 and adaptive with y = 1e308: a fit, no inf, nan or false exact-fit message",
        arguments: ["huber", "l1", "adaptive", "cauchy"])
  func grossValueNearTheTopFits(loss: String) throws {
    let dir = try TempDirectory()
    let text = TestData.stackloss.replacingOccurrences(of: "62,22,87,18\n", with: "62,22,87,1e308\n")
    try dir.write("d.csv", text)
    let run = try CLI.run(["d.csv", "--loss", loss], in: dir.url)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!Self.printsNonFinite(run.stdout), "\(run.stdout)")
    #expect(!run.stderr.contains("exactly on the fitted hyperplane"))
    #expect(!run.stderr.contains("LAPACK"))
  }

  @Test("compare with y = 1e308: l2 fails alone (its Σr² overflows), every other loss is fitted and shown")
  func compareKeepsTheOtherLosses() throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss.replacingOccurrences(of: "62,22,87,18\n", with: "62,22,87,1e308\n"))
    let run = try CLI.run(["compare", "d.csv"], in: dir.url)
    #expect(run.status == 1)
    #expect(run.stderr.contains("robustfit: warning: l2: the fit failed: d.csv: row 6, column \"stack.loss\": the "
      + "objective Σρ(r/c) overflows"))
    #expect(run.stderr.hasSuffix("robustfit: error: 1 of 10 fits failed (see the warnings above)\n"))
    for loss in ["huber", "cauchy", "welsch", "adaptive"] {
      #expect(run.stdout.contains("\n\(loss) "), "\(loss) missing from the table")
    }
    // (Welsch's α column says -inf by design; nothing else may.)
    #expect(!run.stdout.contains("nan") && !run.stdout.replacingOccurrences(of: "  -inf  ", with: "").contains("inf "))
  }

  @Test("x = 1e15 + u: a fit (not a false 'collinear')")
  func offsetColumnFits() throws {
    let dir = try TempDirectory()
    var text = "x,y\n"
    for i in 0..<20 { text += "\(1e15 + Double(i % 7) * 0.125),\(Double(i % 7) * 0.25 + Double(i % 3) * 0.01)\n" }
    try dir.write("d.csv", text)
    let run = try CLI.run(["d.csv", "--format", "json"], in: dir.url)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("\"x\": 1.99"), "\(run.stdout)")  // 1.99662 from u alone
  }

  @Test("--history: the first relative step is a dash, never nan")
  func historyHasNoNaN() throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss)
    let run = try CLI.run(["d.csv", "--history"], in: dir.url)
    #expect(run.status == 0)
    #expect(!Self.printsNonFinite(run.stdout))
    let json = try CLI.run(["d.csv", "--history", "--format", "json"], in: dir.url)
    #expect(!Self.printsNonFinite(json.stdout))
  }

  // MARK: 8. Very wide files

  @Test("200,000 columns and two rows: 'too few rows' at once, not a quadratic name check")
  func wideFileFailsFast() throws {
    let dir = try TempDirectory()
    let columns = 200_000
    var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
    text += String(repeating: "1,", count: columns - 1) + "1\n" + String(repeating: "2,", count: columns - 1) + "2\n"
    try dir.write("wide.csv", text)
    let run = try CLI.run(["wide.csv"], in: dir.url)
    #expect(run.status == 65)
    #expect(run.stderr == "robustfit: error: wide.csv: too few rows: n = 2 data rows for p = 200000 coefficients "
      + "(n must exceed p)\n")
  }

  // MARK: 10. Small ones

  @Test("Negative numbers after numeric options are values: --scale -1 is 'must be positive', not 'missing'",
        arguments: [["--scale", "-1"], ["--tuning", "-1"], ["--tolerance", "-1e-8"], ["--outlier-threshold", "-2"]])
  func negativeOptionValues(arguments: [String]) throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss)
    let run = try CLI.run(["d.csv"] + arguments, in: dir.url)
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("robustfit: error: \(arguments[0]) must be a positive number, not -"), "\(run.stderr)")
  }

  @Test("compare --truth with a negative first value parses")
  func negativeTruth() throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss)
    let run = try CLI.run(["compare", "d.csv", "--losses", "l2,huber", "--truth", "-39,0.7,1.3,-0.15"], in: dir.url)
    #expect(run.status == 0, "\(run.stderr)")
  }

  @Test("An empty file name is exit 64 saying so")
  func emptyPath() throws {
    let run = try CLI.run([""])
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("robustfit: error: the file name is empty"))
  }

  @Test("1e-400 (below the smallest double) is read as 0 with a warning naming row and column")
  func underflowIsNamed() throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", "x,y\n1,2\n2,1e-400\n3,5\n4,7.1\n5,9\n6,-2.5E-999\n")
    let run = try CLI.run(["d.csv"], in: dir.url)
    #expect(run.status == 0)
    #expect(run.stderr == "robustfit: warning: d.csv: row 3, column 2 (\"y\"): 1e-400 is below the smallest double "
      + "(4.9e-324) and was read as 0 (and 1 more such value)\n")
    // A zero written as zero is no underflow.
    try dir.write("z.csv", "x,y\n1,2\n2,0.000e-5\n3,5\n4,0\n5,9\n")
    #expect(try CLI.run(["z.csv"], in: dir.url).stderr.isEmpty)
  }

  @Test("--output onto a symbolic link writes the file it points to and keeps the link")
  func outputThroughSymlink() throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", TestData.stackloss)
    try dir.write("target.csv", "old\n")
    try FileManager.default.createSymbolicLink(atPath: dir.path("link.csv"), withDestinationPath: "target.csv")
    let run = try CLI.run(["d.csv", "--output", "link.csv"], in: dir.url)
    #expect(run.status == 0)
    let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("link.csv"))
    #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
    let written = try String(contentsOfFile: dir.path("target.csv"), encoding: .utf8)
    #expect(written.hasPrefix("row,"))
  }
}
