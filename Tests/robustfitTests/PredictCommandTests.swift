import Foundation
import Testing

/// `fit --save-fit` and `robustfit predict` (issue 15, item 7): least squares against statsmodels' OLS
/// `get_prediction` (Fixtures/reference/ols_prediction.json), and the errors of a bad model or data file.
@Suite("robustfit predict: a saved fit applied to new rows")
struct PredictCommandTests {
  @Test("l2 on stackloss: fitted values, standard errors and both intervals equal statsmodels'")
  func leastSquares() throws {
    let dir = try TempDirectory()
    let stackloss = CLI.repoRoot.appendingPathComponent("Fixtures/stackloss.csv").path
    let saved = try CLI.run([stackloss, "--loss", "l2", "--save-fit", "m.json"], in: dir.url)
    #expect(saved.status == 0, "\(saved.stderr)")
    let reference = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf:
      CLI.repoRoot.appendingPathComponent("Fixtures/reference/ols_prediction.json"))) as? [String: Any])
    let rows = try #require(reference["new_rows"] as? [[Double]])
    try dir.write("new.csv", "acid_conc,water_temp,air_flow,label\n"
      + rows.map { "\($0[3]),\($0[2]),\($0[1]),row\n" }.joined())
    let run = try CLI.run(["predict", "m.json", "new.csv"], in: dir.url)
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    #expect(lines[0] == ["observation", "air_flow", "water_temp", "acid_conc", "fitted", "standard_error", "mean_lower",
                         "mean_upper", "prediction_lower", "prediction_upper"])
    let expected = try #require(reference["ols"] as? [[String: Any]])
    for (k, row) in expected.enumerated() {
      let got = lines[k + 1].map { Double($0) ?? .nan }
      let meanCI = try #require(row["mean_ci"] as? [Double]), obsCI = try #require(row["obs_ci"] as? [Double])
      let want = [try number(row["fitted"]), try number(row["se"]), meanCI[0], meanCI[1], obsCI[0], obsCI[1]]
      for (g, w) in zip(got[4...], want) { #expect(abs(g - w) <= 1e-9 * max(1, abs(w)), "row \(k + 1): \(g) vs \(w)") }
    }
  }

  @Test("a missing predictor column, a file that is not a model, and a bad level are one-line errors")
  func errors() throws {
    let dir = try TempDirectory()
    let stackloss = CLI.repoRoot.appendingPathComponent("Fixtures/stackloss.csv").path
    _ = try CLI.run([stackloss, "--save-fit", "m.json"], in: dir.url)
    try dir.write("new.csv", "air_flow,water_temp\n60,20\n")
    let missing = try CLI.run(["predict", "m.json", "new.csv"], in: dir.url)
    #expect(missing.status == 65 && missing.stderr.contains("acid_conc"))
    try dir.write("bad.json", "{\"not\": \"a model\"}")
    let bad = try CLI.run(["predict", "bad.json", "new.csv"], in: dir.url)
    #expect(bad.status == 65 && bad.stderr.contains("not a model file"))
    let level = try CLI.run(["predict", "m.json", "new.csv", "--level", "1.5"], in: dir.url)
    #expect(level.status == 64)
  }
}
