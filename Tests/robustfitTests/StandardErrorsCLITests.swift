import Foundation
import Testing

/// `--se iid|nid` for `--loss l1` (issue 15, item 5): quantreg's two standard errors of the median fit.
@Suite("robustfit --se: the L1 standard errors")
struct StandardErrorsCLITests {
  static let stackloss = CLI.repoRoot.appendingPathComponent("Fixtures/stackloss.csv").path

  /// quantreg's `summary.rq(se = "nid")` on stackloss (Fixtures/reference/quantreg_nid.json).
  static func quantregNID() throws -> [Double] {
    let url = CLI.repoRoot.appendingPathComponent("Fixtures/reference/quantreg_nid.json")
    let fits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])["fits"]
    let stackloss = try #require((fits as? [String: Any])?["stackloss"] as? [String: Any])
    return try #require(stackloss["standard_errors"] as? [Double])
  }

  @Test("--se nid gives quantreg's nid standard errors and names them; iid stays the default")
  func nid() throws {
    let json = try CLI.run([Self.stackloss, "--loss", "l1", "--se", "nid", "--format", "json"])
    #expect(json.status == 0, "\(json.stderr)")
    let se = try #require(try parseObject(json.stdout)["standard_errors"] as? [String: Double])
    let expected = try Self.quantregNID()
    for (name, value) in zip(["intercept", "air_flow", "water_temp", "acid_conc"], expected) {
      #expect(abs(try #require(se[name]) - value) <= 1e-9 * value, "\(name)")
    }
    let text = try CLI.run([Self.stackloss, "--loss", "l1", "--se", "nid"])
    #expect(text.stdout.contains("Standard errors: nid sandwich (quantreg's se = \"nid\", Hall–Sheather bandwidth)."))
    for arguments in [[Self.stackloss, "--loss", "l1"], [Self.stackloss, "--loss", "l1", "--se", "iid"]] {
      let iid = try CLI.run(arguments)
      #expect(iid.stdout.contains("Standard errors: iid sparsity (quantreg's se = \"iid\", Hall–Sheather bandwidth)."))
    }
  }

  @Test("--se with a loss other than l1, or an unknown kind, is a usage error")
  func usage() throws {
    let huber = try CLI.run([Self.stackloss, "--se", "nid"])
    #expect(huber.status == 64 && huber.stderr.contains("--se nid applies only to --loss l1"), "\(huber.stderr)")
    let unknown = try CLI.run([Self.stackloss, "--loss", "l1", "--se", "boot"])
    #expect(unknown.status == 64 && unknown.stderr.contains("iid"), "\(unknown.stderr)")
  }

  @Test("compare --se nid: the l1 entry's standard errors are fit's; a list without l1 is a usage error")
  func compare() throws {
    let out = try CLI.run(["compare", Self.stackloss, "--losses", "l2,l1", "--se", "nid", "--format", "json"])
    #expect(out.status == 0, "\(out.stderr)")
    let fits = try #require(try parseObject(out.stdout)["fits"] as? [[String: Any]])
    let l1 = try #require(fits.first { $0["loss"] as? String == "l1" })
    let se = try #require(l1["standard_errors"] as? [String: Double])
    let expected = try Self.quantregNID()
    #expect(abs(try #require(se["intercept"]) - expected[0]) <= 1e-9 * expected[0])
    let without = try CLI.run(["compare", Self.stackloss, "--losses", "l2,huber", "--se", "nid"])
    #expect(without.status == 64 && without.stderr.contains("--se nid applies only when the list holds l1"))
  }

  @Test("with --weights, --se nid equals the repeated file's")
  func weights() throws {
    let dir = try TempDirectory()
    try dir.write("w.csv", WeightsCLITests.weighted)
    try dir.write("r.csv", WeightsCLITests.repeated)
    let a = try CLI.run(["w.csv", "--x", "x", "--y", "y", "--weights", "w", "--loss", "l1", "--se", "nid",
                         "--format", "json"], in: dir.url)
    let b = try CLI.run(["r.csv", "--loss", "l1", "--se", "nid", "--format", "json"], in: dir.url)
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    let sa = try #require(try parseObject(a.stdout)["standard_errors"] as? [String: Double])
    let sb = try #require(try parseObject(b.stdout)["standard_errors"] as? [String: Double])
    #expect(sa.count == 2)
    for (name, value) in sb { #expect(abs(try #require(sa[name]) - value) <= 1e-7 * value, "\(name)") }
  }
}
