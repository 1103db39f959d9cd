import Foundation
import RobustRegression
import Testing

@Suite("Complete outputs of robustfit fit")
struct FitReportTests {
  @Test("stackloss, Huber: the JSON coefficients and standard errors agree with statsmodels (Docs/spec.md §4) to 1e-6")
  func stacklossJSONMatchesStatsmodels() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let result = try CLI.run(["stackloss.csv", "--format", "json"], in: dir.url)
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    let json = try parseObject(result.stdout)
    #expect(json["loss"] as? String == "huber")
    #expect(integer(json["n"]) == 21)
    #expect(integer(json["p"]) == 4)
    #expect(json["converged"] as? Bool == true)
    #expect(json["termination"] as? String == "converged")
    #expect(json["alpha"] is NSNull)
    let names = ["intercept", "Air.Flow", "Water.Temp", "Acid.Conc."]
    let beta = try #require(json["coefficients"] as? [String: Any])
    let se = try #require(json["standard_errors"] as? [String: Any])
    for (j, name) in names.enumerated() {
      let b = try number(beta[name]), s = try number(se[name])
      #expect(abs(b - TestData.stacklossHuberBeta[j]) <= 1e-6 * max(1, abs(TestData.stacklossHuberBeta[j])), "\(name)")
      #expect(abs(s - TestData.stacklossHuberSE[j]) <= 1e-6 * max(1, TestData.stacklossHuberSE[j]), "\(name)")
    }
    // c = k·σ̂ with Huber's k; σ̂ is the MAD scale of the reported residuals' fit.
    #expect(try number(json["tuning"]) == 1.345)
    #expect(try number(json["scale"]) > 0)
  }

  @Test("the JSON keys: Docs/spec.md §6's set, in a fixed order, coefficients keyed intercept first")
  func jsonKeysAndOrder() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let result = try CLI.run(["stackloss.csv", "--format", "json"], in: dir.url)
    let spec = ["loss", "coefficients", "standard_errors", "scale", "sigma", "alpha", "objective", "iterations",
                "converged", "termination", "n", "p"]
    let json = try parseObject(result.stdout)
    for key in spec + ["t_values", "p_values", "conf_int", "outliers", "warnings"] {
      #expect(json[key] != nil, "key \(key)")
    }
    // Top-level keys are indented by two spaces; their order is the order of construction.
    let topKeys = result.stdout.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("  \""), !line.hasPrefix("   ") else { return nil }
      return String(line.dropFirst(3).prefix { $0 != "\"" })
    }
    #expect(topKeys == ["file", "y", "loss", "n", "p", "coefficients", "standard_errors", "t_values", "p_values",
                        "conf_int", "confidence_level", "degrees_of_freedom", "scale", "sigma", "tuning", "alpha",
                        "objective", "iterations", "converged", "termination", "outliers", "outlier_count",
                        "outlier_threshold",
                        "dropped_rows", "weights", "weights_sum", "unused_columns", "warnings"])
    let coefficientLines = result.stdout.components(separatedBy: "\"coefficients\": {\n")[1]
      .split(separator: "\n").prefix(4).map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(coefficientLines.first?.hasPrefix("\"intercept\":") == true)
    #expect(!result.stdout.contains("nan") && !result.stdout.contains("inf"))
  }

  static let losses: [(args: [String], loss: Loss?)] = [
    (["--loss", "l2"], .squared), (["--loss", "l1"], .absolute), (["--loss", "huber"], .huber),
    (["--loss", "pseudo-huber"], .pseudoHuber), (["--loss", "cauchy"], .cauchy),
    (["--loss", "geman-mcclure"], .gemanMcClure), (["--loss", "welsch"], .welsch), (["--loss", "tukey"], .tukey),
    (["--loss", "general", "--alpha", "0.5"], .general(alpha: 0.5)),
    (["--loss", "adaptive"], nil),
  ]

  @Test("every loss: the JSON numbers are exactly the library's fit of the same data (shortest round-trip text)",
        arguments: 0..<10)
  func jsonEqualsLibraryFit(index: Int) throws {
    let (args, loss) = Self.losses[index]
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--format", "json"] + args, in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try parseObject(result.stdout)
    let design = try DesignMatrix(predictors: [TestData.line.x], names: ["x"])
    let fit = try Regression(loss: loss ?? .adaptive).fit(design, response: TestData.line.y)
    #expect(json["loss"] as? String == args[1])
    let beta = try #require(json["coefficients"] as? [String: Any])
    #expect(try number(beta["intercept"]) == fit.estimates[0])
    #expect(try number(beta["x"]) == fit.estimates[1])
    if let standardErrors = fit.standardErrors {
      let se = try #require(json["standard_errors"] as? [String: Any])
      #expect(try number(se["intercept"]) == standardErrors[0])
      #expect(try number(se["x"]) == standardErrors[1])
    }
    #expect(try number(json["objective"]) == fit.objective.value)
    #expect(try number(json["sigma"]) == fit.residualScale)
    #expect(integer(json["iterations"]) == fit.iterations)
    #expect(json["converged"] as? Bool == fit.converged)
    let terminations: [Termination: String] = [.converged: "converged", .iterationLimit: "iteration_limit",
                                               .zeroScale: "zero_scale", .rankDeficient: "rank_deficient"]
    #expect(json["termination"] as? String == terminations[fit.termination])
    #expect(integer(json["outlier_count"]) == fit.outlierCount)
    // Observation numbers, as R numbers the rows (line.csv: one header line, no blank lines).
    #expect((json["outliers"] as? [Any])?.compactMap { integer($0) } == fit.outlierRows.map { $0 + 1 })
    if loss == .absolute {
      #expect(json["scale"] is NSNull)
    } else {
      #expect(try number(json["scale"]) == fit.lossScale)
    }
    if let alpha = fit.shape.alpha, alpha.isFinite {
      #expect(try number(json["alpha"]) == alpha)
    } else if fit.shape.alpha == nil {
      #expect(json["alpha"] is NSNull)
    }
    if case .estimated(_, _, let alphaOnBound, _) = fit.shape,
       case .estimated(_, let scaleOnFloor) = fit.lossScaleSource {
      #expect(json["alpha_on_bound"] as? Bool == alphaOnBound)
      #expect(json["scale_on_bound"] as? Bool == scaleOnFloor)
      #expect(json["alpha_se"] != nil && json["scale_se"] != nil)
    }
  }

  @Test("l2 equals ordinary least squares by the closed form (normal equations solved in the test)")
  func l2IsOrdinaryLeastSquares() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let json = try parseObject(try CLI.run(["line.csv", "--loss", "l2", "--format", "json"], in: dir.url).stdout)
    let x = TestData.line.x, y = TestData.line.y
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
    let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
    let slope = sxy / sxx, intercept = my - slope * mx
    let beta = try #require(json["coefficients"] as? [String: Any])
    #expect(abs(try number(beta["x"]) - slope) <= 1e-12 * abs(slope))
    #expect(abs(try number(beta["intercept"]) - intercept) <= 1e-12 * max(1, abs(intercept)))
    #expect(try number(json["alpha"]) == 2)
  }

  @Test("welsch prints α as the string \"-inf\"; --alpha inf prints \"inf\"")
  func infiniteAlphaIsAString() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let welsch = try parseObject(try CLI.run(["line.csv", "--loss", "welsch", "--format", "json"], in: dir.url).stdout)
    #expect(welsch["alpha"] as? String == "-inf")
    let plus = try CLI.run(["line.csv", "--loss", "general", "--alpha", "inf", "--format", "json"], in: dir.url)
    #expect(plus.status == 0, "\(plus.stderr)")
    #expect(try parseObject(plus.stdout)["alpha"] as? String == "inf")
  }

  @Test("the text report of stackloss matches its snapshot and prints statsmodels' values to six digits")
  func stacklossTextReport() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let result = try CLI.run(["stackloss.csv"], in: dir.url)
    #expect(result.status == 0)
    for value in TestData.stacklossHuberBeta + TestData.stacklossHuberSE {
      #expect(result.stdout.contains(" " + String(format: "%.6g", value) + " "), "\(value)")
    }
    for text in ["Coefficients:", "Estimate", "Std. Error", "t value", "Pr(>|t|)", "2.5 %", "97.5 %",
                 "Loss scale c", "Residual scale σ̂", "Iterations", "converged", "Outliers", "n = 21, p = 4"] {
      #expect(result.stdout.contains(text), "\(text)")
    }
    try Snapshot.check(result.stdout, named: "stackloss-huber.txt")
  }

  @Test("the adaptive text report gives α and c with standard errors or says they are on a bound")
  func adaptiveTextReport() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--loss", "adaptive"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("Negative log-lik."))
    let alphaLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("Shape α") })
    #expect(alphaLine.contains("±") || alphaLine.contains("on a bound"))
    #expect(alphaLine.contains("[0, 2]"))
  }

  @Test("--format csv: one row per kept input row with its file line; fitted + residual = y; the weights and flags")
  func rowsCSV() throws {
    let dir = try TempDirectory()
    // Blank lines in the input shift the file lines of the rows after them.
    var lines = TestData.lineCSV.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines.insert("", at: 5)
    lines.insert("", at: 9)
    try dir.write("gappy.csv", lines.joined(separator: "\n"))
    let result = try CLI.run(["gappy.csv", "--loss", "cauchy", "--format", "csv"], in: dir.url)
    #expect(result.status == 0, "\(result.stderr)")
    let rows = result.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    #expect(rows.first == ["row", "observation", "y", "x", "fitted", "residual", "standardized_residual", "weight",
                           "leverage", "outlier"])
    let data = Array(rows.dropFirst())
    #expect(data.count == 20)
    let expectedLines = (0..<20).map { i in 2 + i + (i >= 4 ? 1 : 0) + (i >= 7 ? 1 : 0) }
    #expect(data.map { Int($0[0])! } == expectedLines)
    // Observation numbers do not count blank lines: 1, 2, … as R numbers the rows.
    #expect(data.map { Int($0[1])! } == Array(1...20))
    let json = try parseObject(try CLI.run(["gappy.csv", "--loss", "cauchy", "--format", "json"], in: dir.url).stdout)
    let sigma = try number(json["sigma"])
    for (i, row) in data.enumerated() {
      let y = Double(row[2])!, x = Double(row[3])!, fitted = Double(row[4])!, residual = Double(row[5])!
      let standardized = Double(row[6])!, weight = Double(row[7])!
      #expect(y == TestData.line.y[i] && x == TestData.line.x[i])
      #expect(abs(fitted + residual - y) <= 1e-12 * max(1, abs(y)))
      #expect(abs(standardized - residual / sigma) <= 1e-12 * max(1, abs(standardized)))
      #expect(weight >= 0 && weight <= 1)
    }
    // The three planted outliers are flagged, and get the smallest weights.
    // The leverages of the weighted fit lie in [0, 1] and sum to p = 2.
    let leverage = data.map { Double($0[8])! }
    #expect(leverage.allSatisfy { $0 >= 0 && $0 <= 1 } && abs(leverage.reduce(0, +) - 2) <= 1e-9)
    let flagged = data.indices.filter { data[$0][9] == "true" }
    #expect(Set([3, 10, 16]).isSubset(of: Set(flagged)))
    let byWeight = data.indices.sorted { Double(data[$0][7])! < Double(data[$1][7])! }
    #expect(Set(byWeight.prefix(3)) == Set([3, 10, 16]))
  }

  @Test("--output writes the same per-row CSV to a file, and the report still goes to stdout")
  func outputFile() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let csv = try CLI.run(["line.csv", "--format", "csv"], in: dir.url)
    let withOutput = try CLI.run(["line.csv", "--output", "rows.csv"], in: dir.url)
    #expect(withOutput.status == 0)
    #expect(withOutput.stdout.hasPrefix("Robust linear regression"))
    #expect(try String(contentsOfFile: dir.path("rows.csv"), encoding: .utf8) == csv.stdout)
  }

  @Test("a fit stopped by --max-iterations is printed with converged false, a warning on stderr, exit 0")
  func iterationCap() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let result = try CLI.run(["line.csv", "--loss", "welsch", "--max-iterations", "2", "--format", "json"],
                             in: dir.url)
    #expect(result.status == 0)
    let json = try parseObject(result.stdout)
    #expect(json["converged"] as? Bool == false)
    #expect(json["termination"] as? String == "iteration_limit")
    #expect(integer(json["iterations"]) == 2)
    #expect(result.stderr.hasPrefix("robustfit: warning: "))
    #expect(result.stderr.contains("did not converge"))
  }

  @Test("--history records one entry per iteration")
  func history() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let json = try parseObject(try CLI.run(["line.csv", "--history", "--format", "json"], in: dir.url).stdout)
    let history = try #require(json["history"] as? [[String: Any]])
    #expect(history.count == integer(json["iterations"]))
    let text = try CLI.run(["line.csv", "--history"], in: dir.url).stdout
    #expect(text.contains("Iteration history:"))
  }

  @Test("'-' reads standard input; columns by index select the same fit as by name")
  func stdinAndIndices() throws {
    let dir = try TempDirectory()
    try dir.write("stackloss.csv", TestData.stackloss)
    let byName = try CLI.run(["stackloss.csv", "--format", "json", "--y", "stack.loss", "--x", "Air.Flow",
                              "--x", "Water.Temp"], in: dir.url)
    let byIndex = try CLI.run(["-", "--format", "json", "--y", "4", "--x", "1", "--x", "2"],
                              stdin: Data(TestData.stackloss.utf8))
    #expect(byIndex.status == 0, "\(byIndex.stderr)")
    let a = try parseObject(byName.stdout), b = try parseObject(byIndex.stdout)
    #expect(b["file"] as? String == "<stdin>")
    #expect(a["coefficients"] as? [String: Double] == b["coefficients"] as? [String: Double])
    #expect(integer(b["p"]) == 3)
  }

  @Test("--no-intercept: coefficients keyed by the x columns only")
  func noIntercept() throws {
    let dir = try TempDirectory()
    try dir.write("line.csv", TestData.lineCSV)
    let json = try parseObject(try CLI.run(["line.csv", "--no-intercept", "--format", "json"], in: dir.url).stdout)
    let beta = try #require(json["coefficients"] as? [String: Any])
    #expect(Array(beta.keys) == ["x"])
    #expect(integer(json["p"]) == 1)
  }
}
