import Foundation
import RobustRegression

/// The text report of one fit, in the manner of R's `summary(rlm(...))`: the model, the coefficient
/// table with standard errors, t, p and confidence intervals, then the scale, α, objective,
/// convergence, outliers and warnings. Numbers are rounded to six significant digits for reading.
struct TextReport {
  let data: LoadedData
  let request: FitRequest
  let fit: RegressionFit

  func render(history: Bool = false) -> String {
    var out: [String] = []
    let rhs = fit.names.joined(separator: " + ")
    out.append("Robust linear regression: \(data.yName) ~ \(rhs)")
    out.append("")
    var facts = TextTable(header: [])
    facts.rows.append(["File", data.fileName + droppedText])
    facts.rows.append(["Loss", lossText])
    facts.rows.append(["Observations", "n = \(data.n), p = \(data.p), residual df = \(data.n - data.p)"])
    out.append(leftAligned(facts))
    out.append("")
    out.append(contentsOf: coefficientSection())
    out.append("")
    out.append(leftAligned(summaryTable()))
    if history, !fit.history.isEmpty {
      out.append("")
      out.append("Iteration history:")
      var table = TextTable(header: ["iteration", "objective", "scale c", "relative step"])
      for record in fit.history {
        table.rows.append(["\(record.iteration)", NumberText.significant(record.objective, 10),
                           NumberText.significant(record.scale), record.relativeStep.map { NumberText.significant($0, 3) } ?? "—"])
      }
      out.append(table.render(indent: "  "))
    }
    return out.joined(separator: "\n") + "\n"
  }

  private var droppedText: String {
    data.droppedRows > 0 ? " (\(data.droppedRows) rows with missing values dropped)" : ""
  }

  private var lossText: String {
    switch request.choice {
    case .general: return "general, Barron's ρ(r/c; α) with α = \(NumberText.alpha(request.alpha ?? .nan))"
    case .adaptive: return "adaptive, Barron's negative log-likelihood with α and c estimated"
    case .l1:
      let method = request.options.absoluteMethod == .irls ? "IRLS with an exact basis finish" : "subgradient"
      return "l1, least absolute deviations (\(method))"
    default: return request.choice.rawValue
    }
  }

  private func coefficientSection() -> [String] {
    var lines = ["Coefficients:"]
    guard let inference = fit.inference else {
      var table = TextTable(header: ["", "Estimate"])
      for (name, beta) in zip(fit.names, fit.coefficients) {
        table.rows.append([name, NumberText.significant(beta)])
      }
      lines.append(table.render(indent: "  "))
      lines.append("  (standard errors not available: see the warnings)")
      return lines
    }
    let level = inference.confidenceLevel
    let lowerLabel = percentText((1 - level) / 2)
    let upperLabel = percentText(1 - (1 - level) / 2)
    var table = TextTable(header: ["", "Estimate", "Std. Error", "t value", "Pr(>|t|)", lowerLabel, upperLabel])
    for j in fit.names.indices {
      table.rows.append([
        fit.names[j], NumberText.significant(fit.coefficients[j]),
        NumberText.significant(inference.standardErrors[j]),
        String(format: "%.3f", inference.tValues[j]),
        NumberText.pValue(inference.pValues[j]),
        NumberText.significant(inference.lower[j]),
        NumberText.significant(inference.upper[j]),
      ])
    }
    lines.append(table.render(indent: "  "))
    lines.append("  Standard errors: \(inference.method).")
    lines.append("  p-values and \(percentText(level)) intervals: Student's t with \(inference.degreesOfFreedom) df.")
    return lines
  }

  private func percentText(_ fraction: Double) -> String {
    let percent = fraction * 100
    let text = percent == percent.rounded() ? String(Int(percent)) : String(format: "%g", percent)
    return text + " %"
  }

  private func summaryTable() -> TextTable {
    var t = TextTable(header: [])
    t.rows.append(["Loss scale c", scaleText])
    t.rows.append(["Residual scale σ̂", NumberText.significant(fit.sigma) + "  (median |r| / 0.6745)"])
    t.rows.append(["Shape α", alphaText])
    let objectiveLabel: String
    switch request.choice {
    case .l1: objectiveLabel = "Objective Σ|r|"
    case .adaptive: objectiveLabel = "Negative log-lik."
    default: objectiveLabel = "Objective Σρ(r/c)"
    }
    t.rows.append([objectiveLabel, NumberText.significant(fit.objective, 8)])
    t.rows.append(["Iterations", "\(fit.iterations) (\(fit.termination.rawValue))"])
    t.rows.append(["Outliers", outlierText])
    let warnings = request.warnings + fit.warnings
    if warnings.isEmpty {
      t.rows.append(["Warnings", "none"])
    } else {
      for (i, warning) in warnings.enumerated() {
        t.rows.append([i == 0 ? "Warnings" : "", warning])
      }
    }
    return t
  }

  private var scaleText: String {
    if request.choice == .l1 { return "—  (l1 has no scale)" }
    let c = NumberText.significant(fit.scale)
    if let summary = fit.adaptive {
      var text = c
      if let se = summary.scaleStandardError { text += " ± " + NumberText.significant(se, 3) }
      text += summary.scaleOnBound ? "  (estimated; on its lower bound)" : "  (estimated)"
      return text
    }
    switch request.options.scale {
    case .fixed: return c + "  (fixed by --scale)"
    case .mad(_, let update):
      guard let k = fit.tuning else { return c + "  (does not change the l2 fit)" }
      let sigma = update ? "σ̂" : "the starting σ̂ (held fixed)"
      return c + "  (k = \(NumberText.significant(k)) × \(sigma))"
    }
  }

  private var alphaText: String {
    guard let alpha = fit.alpha else { return "—  (\(request.choice.rawValue) is not in Barron's family)" }
    var text = NumberText.alpha(alpha)
    if let summary = fit.adaptive {
      if let se = summary.alphaStandardError { text += " ± " + NumberText.significant(se, 3) }
      text += "  (estimated in \(NumberText.range(summary.alphaRange))"
      text += summary.alphaOnBound ? "; on a bound)" : ")"
    }
    return text
  }

  private var outlierText: String {
    let threshold = NumberText.significant(request.options.outlierThreshold)
    var text = "\(fit.outlierCount) of \(data.n) with |r|/σ̂ > \(threshold)"
    let flagged = fit.outliers.indices.filter { fit.outliers[$0] }.map { data.lines[$0] }
    if !flagged.isEmpty {
      let shown = flagged.prefix(10).map(String.init).joined(separator: ", ")
      text += " (line\(flagged.count == 1 ? "" : "s") \(shown)\(flagged.count > 10 ? ", ..." : ""))"
    }
    return text
  }

  /// A two-column table without a header, first column left-aligned, second as it is.
  private func leftAligned(_ table: TextTable) -> String {
    let width = table.rows.map { $0[0].count }.max() ?? 0
    return table.rows.map { row in
      row[0] + String(repeating: " ", count: width - row[0].count) + "  " + row[1]
    }.joined(separator: "\n")
  }
}
