import Foundation
import RobustRegression

/// The per-row CSV (`--format csv`, `--output PATH`): one line per kept input row with its line number
/// in the input file, its observation number (as R numbers the rows), y, the predictors, the fitted
/// value, the residual, the standardised residual r/σ̂ (empty where σ̂ = 0), the final IRLS weight, the
/// leverage hᵢ of the final weighted fit (`RegressionFit.leverage`; empty where XᵀWX is singular) and the
/// outlier flag. Numbers are full precision.
enum RowsCSV {
  static func render(data: LoadedData, fit: RegressionFit) -> String {
    let predictors = data.predictors
    var out = "row,observation,\(csvField(data.yName)),"
      + data.xNames.map { csvField($0) + "," }.joined()
      + "fitted,residual,standardized_residual,weight,leverage,outlier\n"
    out.reserveCapacity(data.n * (90 + 20 * predictors.count))
    let sigma = fit.residualScale
    let leverage = try? fit.leverage(data.design)
    for i in 0..<data.n {
      let y = data.response[i], r = fit.residuals[i]
      out += "\(data.lines[i]),\(data.lines.observation(i)),\(text(y)),"
      for column in predictors { out += text(column[i]) + "," }
      out += "\(text(y - r)),\(text(r)),\(sigma > 0 ? text(r / sigma) : ""),\(text(fit.weights[i])),"
      out += (leverage.map { text($0[i]) } ?? "") + ","
      out += fit.outliers[i] ? "true\n" : "false\n"
    }
    return out
  }

  private static func text(_ x: Double) -> String { NumberText.full(x) }

  /// Quotes a header cell when it holds a delimiter, a quote or a line break.
  static func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
