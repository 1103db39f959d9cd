import Foundation
import RobustRegression

/// The report of `compare`: one row (text) or one object (JSON) per loss.
struct CompareReport {
  let data: LoadedData
  let results: [(FitRequest, Result<RegressionFit, CLIError>)]

  /// One table: loss, the coefficients, c, σ̂, α, objective, iterations, outliers, termination.
  func text() -> String {
    var out = "Robust linear regression compared: \(data.yName) ~ \(data.design.names.joined(separator: " + "))\n"
    out += "File \(data.fileName), n = \(data.n), p = \(data.p)\n\n"
    var table = TextTable(header: ["loss"] + data.design.names + ["c", "σ̂", "α", "objective", "iter",
                                                                  "outliers", "termination"])
    for (request, result) in results {
      switch result {
      case .success(let fit):
        var alpha = fit.alpha.map(NumberText.alpha) ?? "—"
        if let se = fit.adaptive?.alphaStandardError { alpha += " ± " + NumberText.significant(se, 2) }
        table.rows.append([request.label]
          + fit.coefficients.map { NumberText.significant($0) }
          + [request.choice == .l1 ? "—" : NumberText.significant(fit.scale), NumberText.significant(fit.sigma),
             alpha, NumberText.significant(fit.objective), "\(fit.iterations)", "\(fit.outlierCount)",
             fit.termination.rawValue])
      case .failure:
        table.rows.append([request.label] + data.design.names.map { _ in "—" }
          + ["—", "—", "—", "—", "—", "—", "failed"])
      }
    }
    out += table.render() + "\n"
    let threshold = NumberText.significant(results.first?.0.options.outlierThreshold ?? 2.5)
    out += "\nc: loss scale (k·σ̂; estimated for adaptive); σ̂: median|r|/0.6745;\n"
      + "objective: Σρ(r/c), Σ|r| for l1, the NLL for adaptive; outliers: |r|/σ̂ > \(threshold).\n"
    return out
  }

  /// `{"file", "y", "n", "p", "fits": [<the fit report of each loss>]}`; a failed fit is
  /// `{"loss": ..., "error": ...}`.
  func json() -> JSONValue {
    .object([
      ("file", .string(data.fileName)),
      ("y", .string(data.yName)),
      ("n", .int(data.n)),
      ("p", .int(data.p)),
      ("fits", .array(results.map { request, result in
        switch result {
        case .success(let fit): return JSONReport(data: data, request: request, fit: fit).value()
        case .failure(let error):
          return .object([("loss", .string(request.choice.rawValue)), ("alpha", .alpha(request.alpha)),
                          ("error", .string(error.message))])
        }
      })),
    ])
  }
}
