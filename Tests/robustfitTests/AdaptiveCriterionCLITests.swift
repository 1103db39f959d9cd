import Foundation
import Testing

/// `--criterion`, `--scale` with the adaptive loss, the α interval and the profile in the reports, and
/// `--profile-plot` (issue 14).
@Suite("robustfit --loss adaptive: --criterion, c held, the α interval and the profile")
struct AdaptiveCriterionCLITests {
  static let file = CLI.repoRoot.appendingPathComponent("Fixtures/seventy_thirty.csv").path

  @Test("--criterion variance: JSON alpha, scale, criterion and the profile; no α interval")
  func varianceJSON() throws {
    let run = try CLI.run([Self.file, "--loss", "adaptive", "--criterion", "variance", "--format", "json"])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try parseObject(run.stdout)
    #expect(json["criterion"] as? String == "variance")
    #expect(json["alpha_interval"] is NSNull)
    let sigma = try number(json["sigma"]), scale = try number(json["scale"]), k = try number(json["tuning"])
    #expect(abs(scale - k * sigma) <= 1e-12 * scale)
    let profile = try #require(json["profile"] as? [[String: Any]])
    #expect(profile.count >= 13)
    let chosen = json["alpha"]
    let values = try profile.map { try number($0["value"]) }
    let best = try #require(values.min())
    let atChosen = try #require(profile.first { "\($0["alpha"] ?? "")" == "\(chosen ?? "")" })
    #expect(try number(atChosen["value"]) == best)
  }

  @Test("--criterion nll (the default): the α interval holds α̂ and its bounds are said")
  func likelihoodInterval() throws {
    let run = try CLI.run([Self.file, "--loss", "adaptive", "--format", "json"])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try parseObject(run.stdout)
    #expect(json["criterion"] as? String == "nll")
    let interval = try #require(json["alpha_interval"] as? [Any])
    let onBound = try #require(json["alpha_interval_on_bound"] as? [Bool])
    let alpha = try number(json["alpha"])
    #expect(try number(interval[0]) <= alpha && alpha <= number(interval[1]))
    #expect(onBound == [try number(interval[0]) == 0, try number(interval[1]) == 2])
    let text = try CLI.run([Self.file, "--loss", "adaptive"]).stdout
    #expect(text.contains("α interval") && text.contains("95 % profile likelihood"))
    #expect(text.contains("Profile negative log-likelihood over α"))
  }

  @Test("--loss adaptive --scale C holds c and learns α")
  func heldScale() throws {
    let run = try CLI.run([Self.file, "--loss", "adaptive", "--scale", "0.5", "--format", "json"])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try parseObject(run.stdout)
    #expect(try number(json["scale"]) == 0.5)
    let alpha = try number(json["alpha"])
    #expect(alpha >= 0 && alpha <= 2)
    let text = try CLI.run([Self.file, "--loss", "adaptive", "--scale", "0.5"]).stdout
    #expect(text.contains("c fixed by --scale"))
  }

  @Test("--profile-plot writes an SVG for each criterion")
  func profilePlot() throws {
    let dir = try TempDirectory()
    for criterion in ["nll", "variance"] {
      let path = dir.url.appendingPathComponent("\(criterion).svg").path
      let run = try CLI.run([Self.file, "--loss", "adaptive", "--criterion", criterion, "--profile-plot", path])
      #expect(run.status == 0, "\(run.stderr)")
      let svg = try String(contentsOfFile: path, encoding: .utf8)
      #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
      #expect(svg.contains(criterion == "nll" ? "profile negative log-likelihood" : "estimated variance"))
    }
  }

  @Test("compare lists adaptive by both criteria by default")
  func compareShowsBoth() throws {
    let run = try CLI.run(["compare", Self.file])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("adaptive (variance)"))
    #expect(run.stdout.split(separator: "\n").contains { $0.hasPrefix("adaptive ") && !$0.contains("variance") })
  }
}
