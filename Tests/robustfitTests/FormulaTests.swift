import Foundation
import Testing

/// `--formula` on the command line: each form fits exactly what the equivalent --y/--x/--no-intercept
/// fits, for `fit` and `compare`, and refusals are one line with exit 64.
@Suite("--formula: R's model formulas on the command line")
struct FormulaTests {
  static let stackloss = CLI.repoRoot.appendingPathComponent("Fixtures/stackloss.csv").path

  /// The JSON report's coefficients of `robustfit stackloss.csv arguments... --format json`.
  static func coefficients(_ arguments: [String], file: String = stackloss, in directory: URL? = nil) throws -> [String: Double] {
    let result = try CLI.run([file] + arguments + ["--format", "json"], in: directory)
    #expect(result.status == 0, "\(arguments): \(result.stderr)")
    let json = try parseObject(result.stdout)
    return try #require(json["coefficients"] as? [String: Double])
  }

  static let equivalents: [([String], [String])] = [
    (["--formula", "stack_loss ~ air_flow + water_temp"], ["--y", "stack_loss", "--x", "air_flow", "--x", "water_temp"]),
    (["--formula", "stack_loss ~ ."], []),
    (["--formula", "stack_loss ~ . - 1"], ["--no-intercept"]),
    (["--formula", "stack_loss ~ air_flow + acid_conc + 0"], ["--y", "4", "--x", "1", "--x", "3", "--no-intercept"]),
    (["--formula", "stack_loss ~ -1 + water_temp"], ["--y", "stack_loss", "--x", "water_temp", "--no-intercept"]),
    (["--formula", "stack_loss ~ . - water_temp"], ["--x", "air_flow,acid_conc"]),
    (["--formula", "air_flow ~ stack_loss + 1"], ["--y", "air_flow", "--x", "stack_loss"]),
  ]

  @Test("each formula gives exactly the coefficients of its --y/--x/--no-intercept", arguments: 0..<equivalents.count)
  func sameAsOptions(_ k: Int) throws {
    let (formula, options) = Self.equivalents[k]
    for loss in ["huber", "l1"] {
      let a = try Self.coefficients(formula + ["--loss", loss])
      let b = try Self.coefficients(options + ["--loss", loss])
      #expect(a == b, "\(formula) vs \(options) with \(loss)")
    }
  }

  @Test("compare takes --formula too")
  func compare() throws {
    let args = ["compare", Self.stackloss, "--losses", "l2,huber", "--format", "json"]
    let a = try CLI.run(args + ["--formula", "stack_loss ~ air_flow - 1"])
    let b = try CLI.run(args + ["--y", "stack_loss", "--x", "air_flow", "--no-intercept"])
    #expect(a.status == 0, "\(a.stderr)")
    #expect(a.stdout == b.stdout)
    #expect(a.stdout.contains("\"p\": 1"))
  }

  @Test("a backquoted name with a space, and `y ~ .` leaving a text column out")
  func backquotesAndText() throws {
    let dir = try TempDirectory()
    let rows = [(1.0, 2.1), (2.0, 3.9), (3.0, 6.2), (4.0, 7.8), (5.0, 10.1), (6.0, 30.0), (7.0, 15.2)]
    try dir.write("d.csv", (["star,log temp,log light"] + rows.enumerated().map { "s\($0),\($1.0),\($1.1)" })
                    .joined(separator: "\n") + "\n")
    let quoted = try Self.coefficients(["--formula", "`log light` ~ `log temp`"], file: "d.csv", in: dir.url)
    #expect(Set(quoted.keys) == ["intercept", "log temp"])
    let dot = try CLI.run(["d.csv", "--formula", "`log light` ~ .", "--format", "json"], in: dir.url)
    #expect(dot.status == 0)
    #expect(try #require(parseObject(dot.stdout)["coefficients"] as? [String: Double]) == quoted)
    #expect(dot.stderr.contains("column 1 (\"star\") holds text"))
  }

  static let refusals: [([String], Int32, String)] = [
    (["--formula", "stack_loss ~ air_flow:water_temp"], 64, "unsupported term 'air_flow:water_temp' in the formula: --formula takes"),
    (["--formula", "stack_loss ~ log(air_flow)"], 64, "unsupported term 'log(air_flow)'"),
    (["--formula", "stack_loss ~ air_flow * water_temp"], 64, "unsupported term 'air_flow * water_temp'"),
    (["--formula", "stack_loss ~ I(air_flow^2)"], 64, "unsupported term 'I(air_flow^2)'"),
    (["--formula", "stack_loss ~ air_flow | water_temp"], 64, "unsupported term 'air_flow | water_temp'"),
    (["--formula", "stack_loss ~ air_flow - water_temp"], 64, "'- water_temp' removes a column only after '.'"),
    (["--formula", "stack_loss ~ .", "--y", "stack_loss"], 64, "give either --formula or --y, not both"),
    (["--formula", "stack_loss ~ .", "--x", "air_flow", "--no-intercept"], 64, "give either --formula or --x/--no-intercept, not both"),
    (["--formula", "stack_loss ~ 0"], 64, "the formula has neither predictors nor an intercept: nothing to fit"),
    (["--formula", "stack_loss ~ airflow"], 65, "column \"airflow\" not found (did you mean \"air_flow\"?); columns: air_flow, water_temp, acid_conc, stack_loss"),
  ]

  @Test("refusals: one line, exit 64 (65 for a column not in the file)", arguments: 0..<refusals.count)
  func refusal(_ k: Int) throws {
    let (arguments, status, fragment) = Self.refusals[k]
    let result = try CLI.run([Self.stackloss] + arguments)
    #expect(result.status == status, "\(arguments): \(result.stderr)")
    #expect(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
    #expect(result.stderr.hasPrefix("robustfit: error: "))
    #expect(result.stdout.isEmpty)
  }
}
