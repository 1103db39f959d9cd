import Testing

@Suite("Help text, with COLUMNS=80")
struct HelpTextTests {
  @Test("robustfit --help matches its snapshot and lists the subcommands")
  func rootHelp() throws {
    let result = try CLI.run(["--help"])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    #expect(result.stdout.contains("fit (default)"))
    #expect(result.stdout.contains("compare") && result.stdout.contains("replicates"))
    try Snapshot.check(result.stdout, named: "help.txt")
  }

  @Test("robustfit fit --help matches its snapshot and lists every loss, format and method")
  func fitHelp() throws {
    let result = try CLI.run(["fit", "--help"])
    #expect(result.status == 0)
    let flat = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    for loss in ["l2", "l1", "huber", "pseudo-huber", "cauchy", "geman-mcclure", "welsch", "tukey", "general",
                 "adaptive", "mm", "s"] {
      #expect(flat.contains(loss), "help lists \(loss)")
    }
    for option in ["--y", "--x", "--loss", "--alpha", "--alpha-range", "--scale", "--tuning", "--fixed-sigma",
                   "--method", "--no-intercept", "--tolerance", "--max-iterations", "--format", "--output",
                   "--plot", "--drop-missing", "--history", "--seed"] {
      #expect(flat.contains(option + " "), "help lists \(option)")
    }
    #expect(flat.contains("values: text, json, csv"))
    #expect(flat.contains("values: irls, subgradient"))
    try Snapshot.check(result.stdout, named: "help-fit.txt")
  }

  @Test("robustfit compare --help matches its snapshot")
  func compareHelp() throws {
    let result = try CLI.run(["compare", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("--losses"))
    try Snapshot.check(result.stdout, named: "help-compare.txt")
  }

  @Test("every line of the help fits in COLUMNS = 80")
  func helpWidth() throws {
    for args in [["--help"], ["fit", "--help"], ["compare", "--help"]] {
      let result = try CLI.run(args)
      for line in result.stdout.split(separator: "\n") {
        #expect(line.count <= 80, "\(args): \(line)")
      }
    }
  }
}
