import Foundation
import Testing

/// A contradictory or malformed command line and the message expected.
struct BadCommandLine: CustomTestStringConvertible, Sendable {
  let arguments: [String]
  let message: String
  var testDescription: String { arguments.joined(separator: " ") }
}

/// The exit-64 cases, built by statements (a big array literal is slow to type-check).
enum BadCommandLineCases {
  static func all() -> [BadCommandLine] {
    var c: [BadCommandLine] = []
    func add(_ arguments: [String], _ message: String) {
      c.append(BadCommandLine(arguments: arguments, message: message))
    }
    add(["--alpha", "0.5"], "--alpha applies only to --loss general (huber has no free α)")
    add(["--loss", "adaptive", "--alpha", "1"],
        "--alpha does not apply to --loss adaptive, which estimates α (use --alpha-range)")
    add(["--loss", "general"], "--loss general needs --alpha (e.g. --alpha 0.5, --alpha -inf)")
    add(["--alpha-range", "0,1"], "--alpha-range applies only to --loss adaptive")
    add(["--loss", "adaptive", "--alpha-range", "2,1"], "The value '2,1' is invalid for '--alpha-range <lo,hi>': need LO ≤ HI")
    add(["--loss", "adaptive", "--alpha-range", "-1,2"],
        "--alpha-range must lie within [0, inf) for --criterion nll (α < 0 has no distribution)")
    add(["--loss", "adaptive", "--criterion", "variance", "--alpha-range", "-inf,3"],
        "--alpha-range must lie within [-inf, 2] for --criterion variance")
    add(["--criterion", "variance"], "--criterion applies only to --loss adaptive")
    add(["--profile-plot", "p.svg"], "--profile-plot applies only to --loss adaptive")
    add(["--loss", "adaptive", "--tuning", "2"],
        "--tuning does not apply to --loss adaptive: it estimates c (or holds the c --scale gives)")
    add(["--scale", "1", "--tuning", "2"], "--scale fixes c and --tuning sets c = k·σ̂: give one of them")
    add(["--scale", "1", "--fixed-sigma"],
        "--fixed-sigma holds σ̂ in c = k·σ̂, but --scale fixes c without σ̂: give one of them")
    add(["--loss", "l1", "--tuning", "2"], "--tuning does not apply to --loss l1, which has no scale")
    add(["--loss", "mm", "--tuning", "2"], "--tuning does not apply to --loss mm, whose c is k × the S-scale")
    add(["--method", "subgradient"], "--method subgradient applies only to --loss l1")
    add(["--scale", "0"], "--scale must be a positive number, not 0.0")
    add(["--y", "y", "--x", "y"], "column 'y' is both --y and --x")
    let loss: String = "The value 'nonsense' is invalid for '--loss <name>'. Please provide one of the following: "
      + "l2, l1, huber, pseudo-huber, cauchy, geman-mcclure, welsch, tukey, general, adaptive, mm, s"
    add(["--loss", "nonsense"], loss)
    add(["--tolerance", "0"], "--tolerance must be a positive number, not 0.0")
    add(["--loss", "general", "--alpha", "nan"],
        "The value 'nan' is invalid for '--alpha <a>': expected a number, inf or -inf")
    return c
  }
}

@Suite("Command-line parsing: signed values, contradictions (exit 64), output safety")
struct CommandLineTests {
  @Test("--alpha -2 parses as a value and gives Geman-McClure's fit at the same k (Docs/spec.md §3: α = −2)")
  func alphaMinusTwo() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let general = try CLI.run(["line.csv", "--loss", "general", "--alpha", "-2", "--tuning", "1.8937", "--format", "json"], in: dir.url)
    #expect(general.status == 0, "\(general.stderr)")
    let json = try parseObject(general.stdout)
    #expect(try number(json["alpha"]) == -2)
    let named = try parseObject(try CLI.run(["line.csv", "--loss", "geman-mcclure", "--tuning", "1.8937", "--format", "json"],
                                            in: dir.url).stdout)
    let a = try #require(json["coefficients"] as? [String: Double])
    let b = try #require(named["coefficients"] as? [String: Double])
    for key in ["intercept", "x"] {
      let x: Double = try #require(a[key]), y: Double = try #require(b[key])
      #expect(abs(x - y) <= 1e-12 * max(1, abs(y)))
    }
  }

  @Test("--alpha -inf and --alpha=-inf parse; α is printed as \"-inf\"")
  func alphaMinusInfinity() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    for args in [["--alpha", "-inf"], ["--alpha=-inf"]] {
      let result = try CLI.run(["line.csv", "--loss", "general", "--format", "json"] + args, in: dir.url)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(try parseObject(result.stdout)["alpha"] as? String == "-inf")
    }
  }

  @Test("contradictory or invalid options: exit 64 with one line", arguments: BadCommandLineCases.all())
  func contradiction(_ bad: BadCommandLine) throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv"] + bad.arguments, in: dir.url)
    #expect(result.status == 64)
    #expect(result.stderr == "robustfit: error: \(bad.message) (see 'robustfit --help')\n")
    #expect(result.stdout.isEmpty)
  }

  @Test("--version prints the release (CHANGELOG.md's newest) and exits 0")
  func version() throws {
    let dir = try TempDirectory()
    let result = try CLI.run(["--version"], in: dir.url)
    #expect(result.status == 0)
    #expect(result.stdout == "0.13.0\n")
  }

  @Test("--no-intercept with no x columns is exit 64")
  func noInterceptNoColumns() throws {
    let dir = try TempDirectory()
    try dir.write("y.csv", "y\n1\n2\n4\n3\n")
    let result = try CLI.run(["y.csv", "--no-intercept"], in: dir.url)
    #expect(result.status == 64)
    #expect(result.stderr == "robustfit: error: --no-intercept with no x columns leaves nothing to fit\n")
  }

  @Test("y listed among x by index is exit 64")
  func yAmongXByIndex() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--y", "y", "--x", "2"], in: dir.url)
    #expect(result.status == 64)
    let expected: String = "robustfit: error: line.csv: column 2 (\"y\") is both the response (--y) "
      + "and a predictor (--x)\n"
    #expect(result.stderr == expected)
  }

  @Test("--output equal to the input file is refused (64) and the input is left unchanged")
  func outputEqualsInput() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    for target in ["line.csv", "./line.csv", dir.path("line.csv")] {
      let result = try CLI.run(["line.csv", "--output", target], in: dir.url)
      #expect(result.status == 64)
      #expect(result.stderr == "robustfit: error: --output \(target): refusing to overwrite the input file\n")
    }
    #expect(try String(contentsOfFile: dir.path("line.csv"), encoding: .utf8) == TestData.lineCSV)
    let plot = try CLI.run(["line.csv", "--plot", "line.csv"], in: dir.url)
    #expect(plot.status == 64)
  }

  @Test("--output into a directory is refused (64)")
  func outputIntoDirectory() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--output", "."], in: dir.url)
    #expect(result.status == 64)
    #expect(result.stderr == "robustfit: error: --output .: is a directory; give a file name\n")
  }

  @Test("an unknown option is exit 64 with one line")
  func unknownOption() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--bogus"], in: dir.url)
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("robustfit: error: Unknown option '--bogus'"))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }
}
