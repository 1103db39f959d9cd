import Foundation
import Testing

/// `robustfit figures DIR` writes the loss-family figures as well-formed SVG.
@Suite("robustfit figures")
struct FiguresCommandTests {
  static let files = ["loss-family.svg", "log-partition.svg", "barron-nll.svg"]

  @Test("writes three well-formed SVG files with their legends, creating the directory, one line each on stdout")
  func writesFigures() throws {
    let dir = try TempDirectory()
    let result = try CLI.run(["figures", "out/figs"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.map { String($0.prefix { $0 != ":" }) } == Self.files.map { "out/figs/" + $0 })
    let expectedText: [String: [String]] = [
      "loss-family.svg": ["α = 2 (L2)", "α = 1 (pseudo-Huber)", "α = 0 (Cauchy)", "α = −2 (Geman-McClure)",
                          "α = −∞ (Welsch)", "Huber", "IRLS weight w(x) = ψ(x)/x"],
      "log-partition.svg": ["limit α → ∞: log Z(∞) = 0.7053", "log Z(α) (quadrature)", "closed forms at α = 0, 1, 2"],
      "barron-nll.svg": ["α = 0", "α = 0.5", "α = 1", "α = 1.5", "α = 2", "α = 4", "Density p(x | α, c = 1)"],
    ]
    for file in Self.files {
      let svg = try String(contentsOfFile: dir.path("out/figs/" + file), encoding: .utf8)
      #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"), "\(file)")
      #expect(isWellFormedXML(svg), "\(file)")
      #expect(!svg.contains("NaN") && !svg.contains("nan") && !svg.contains("inf\""), "\(file)")
      for text in expectedText[file] ?? [] {
        #expect(svg.contains(">" + text), "\(file) shows \(text)")
      }
      // Curves and reference lines are paths: 2 × 6 in the two-panel figures, 2 in log-partition.svg.
      let paths = ["loss-family.svg": 12, "log-partition.svg": 2, "barron-nll.svg": 12][file] ?? 0
      #expect(svg.components(separatedBy: "<path").count - 1 == paths, "\(file)")
    }
  }

  @Test("a path that is a file is exit 64")
  func fileInsteadOfDirectory() throws {
    let dir = try TempDirectory()
    try dir.write("taken", "x")
    let result = try CLI.run(["figures", "taken"], in: dir.url)
    #expect(result.status == 64)
    #expect(result.stderr == "robustfit: error: taken: is a file, not a directory\n")
  }

  @Test("The committed Docs/figures are what the subcommand writes now")
  func committedFiguresAreCurrent() throws {
    let dir = try TempDirectory()
    #expect(try CLI.run(["figures", dir.url.path]).status == 0)
    for file in Self.files {
      let made = try String(contentsOfFile: dir.path(file), encoding: .utf8)
      let committed = try String(contentsOf: CLI.repoRoot.appendingPathComponent("Docs/figures/" + file),
                                 encoding: .utf8)
      #expect(made == committed, "Docs/figures/\(file) is stale: run robustfit figures Docs/figures")
    }
  }
}
