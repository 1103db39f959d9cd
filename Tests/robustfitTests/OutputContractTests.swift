import Foundation
import Testing

/// The output contract, over hostile data × losses × formats (the robustness suite of the adversarial run's defects): a run
/// either succeeds (exit 0) and prints no `nan` or `inf` as a result (only α may be ±inf, by Docs/spec.md §6),
/// with every coefficient and the objective a number in JSON, or fails with exit 64, 65 or 1 and exactly
/// one line `robustfit: error: …` on stderr and nothing on stdout. Warnings are single lines too.
@Suite("Output contract on hostile data: finite results or one-line errors")
struct OutputContractTests {
  /// Hostile files, each small.
  static let files: [(name: String, text: String)] = {
    var files: [(String, String)] = []
    let stack = TestData.stackloss
    files.append(("y-1e308", stack.replacingOccurrences(of: "62,22,87,18\n", with: "62,22,87,1e308\n")))
    files.append(("y-minus-1e308-twice", stack.replacingOccurrences(of: "62,22,87,18\n", with: "62,22,87,-1e308\n")
      .replacingOccurrences(of: "58,18,80,14\n", with: "58,18,80,1.7e308\n")))
    files.append(("y-1e-200", "x,y\n" + (0..<20).map { "\($0),\(Double($0 % 7 + 1) * 1e-200)" }.joined(separator: "\n") + "\n"))
    files.append(("x-1e200", "x,y\n" + (0..<20).map { "\(Double($0) * 1e200),\(Double($0 % 5))" }.joined(separator: "\n") + "\n"))
    files.append(("subnormal", "x,y\n" + (0..<20).map { "\($0),\(Double($0 % 7 + 1) * 0x1.fap-1064)" }.joined(separator: "\n") + "\n"))
    files.append(("offset-1e15", "x,y\n" + (0..<20).map { "\($0),\(1e15 + Double($0 % 6))" }.joined(separator: "\n") + "\n"))
    files.append(("ties", "x,y\n" + (0..<60).map { "\($0 % 4),\(($0 * 7) % 3)" }.joined(separator: "\n") + "\n"))
    files.append(("repeated", "x,y\n" + (0..<30).map { _ in "1,2" }.joined(separator: "\n") + "\n3,4\n5,1\n"))
    files.append(("exact-line", "x,y\n" + (0..<25).map { "\($0),\(1 + 2 * $0)" }.joined(separator: "\n") + "\n3,40\n"))
    files.append(("near-max", "x,y\n" + (0..<12).map { "\($0),\(Double($0 + 1) * 1.4e307)" }.joined(separator: "\n") + "\n"))
    return files
  }()

  static let losses = ["l2", "l1", "huber", "cauchy", "tukey", "welsch", "adaptive"]

  static func printsNonFinite(_ text: String) -> Bool {
    text.split(separator: "\n").contains { line in
      !line.contains("α") && !line.contains("\"alpha\"") && AdversarialCLITests.printsNonFinite(String(line))
    }
  }

  @Test("Every hostile file under every loss and format: finite results or one error line",
        arguments: files.map(\.name))
  func contract(file: String) throws {
    let dir = try TempDirectory()
    try dir.write("d.csv", Self.files.first { $0.name == file }!.text)
    for loss in Self.losses {
      for format in ["text", "json", "csv"] {
        let run = try CLI.run(["d.csv", "--loss", loss, "--format", format], in: dir.url)
        let what = "\(file), \(loss), \(format)"
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.allSatisfy { $0.hasPrefix("robustfit: ") }, "\(what): \(run.stderr)")
        if run.status == 0 {
          #expect(!Self.printsNonFinite(run.stdout), "\(what): prints a non-finite number:\n\(run.stdout)")
          if format == "json" {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let coefficients = try #require(object["coefficients"] as? [String: Any])
            #expect(coefficients.values.allSatisfy { $0 is NSNumber }, "\(what): \(coefficients)")
            #expect(object["objective"] is NSNumber, "\(what): objective \(object["objective"] ?? "none")")
          }
        } else {
          #expect([64, 65, 1].contains(run.status), "\(what): exit \(run.status)")
          #expect(run.stdout.isEmpty, "\(what): stdout on failure")
          #expect(lines.count == 1 && lines[0].hasPrefix("robustfit: error: "), "\(what): \(run.stderr)")
          #expect(!run.stderr.contains("LAPACK"), "\(what): \(run.stderr)")
        }
      }
    }
  }
}
