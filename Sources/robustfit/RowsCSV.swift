import Foundation
import RobustRegression

/// The per-row CSV (`--format csv`, `--output PATH`): one line per kept input row with its line number
/// in the input file, y, the fitted value, the residual, the final IRLS weight and the outlier flag.
/// Numbers are full precision.
enum RowsCSV {
  static func render(data: LoadedData, fit: RegressionFit) -> String {
    var out = "row,\(csvField(data.yName)),fitted,residual,weight,outlier\n"
    out.reserveCapacity(data.n * 80)
    for i in 0..<data.n {
      let y = data.response[i], r = fit.residuals[i]
      out += "\(data.lines[i]),\(text(y)),\(text(y - r)),\(text(r)),\(text(fit.weights[i])),"
      out += fit.outliers[i] ? "true\n" : "false\n"
    }
    return out
  }

  private static func text(_ x: Double) -> String {
    x.isFinite ? x.description : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
  }

  /// Quotes a header cell when it holds a delimiter, a quote or a line break.
  static func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
