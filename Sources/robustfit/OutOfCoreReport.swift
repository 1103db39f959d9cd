import Foundation
import RobustRegression
import TabularIO

/// The report of an out-of-core fit, text or JSON: the report of a fit in memory for what an
/// out-of-core fit has (the coefficients with standard errors, t, p and intervals; c, σ̂, the objective
/// and the iterations, under the same keys; the residual quantiles, the outlier count and, for l2, R²
/// from passes over the file after the fit, ``DistributedResidualSummary``), then where the data went
/// and how many passes read them. It has no list of the outliers' rows and no robust R² (MM's, lmrob's).
struct OutOfCoreReport {
  let data: OutOfCore.Loaded
  let outcome: OutOfCore.Outcome

  private var result: DistributedFit.Result { outcome.result }
  private var degreesOfFreedom: Int { result.degreesOfFreedom }

  /// Per coefficient: t, the two-sided p-value and the interval (nil without standard errors).
  private var inference: [(t: Double, p: Double, low: Double, high: Double)]? {
    guard let errors = result.standardErrors else { return nil }
    let df = Double(degreesOfFreedom)
    let q = StudentT.quantile(1 - (1 - outcome.level) / 2, degreesOfFreedom: df)
    return zip(result.coefficients, errors).map { b, se in
      let t = b / se
      return (t, StudentT.twoSidedPValue(t, degreesOfFreedom: df), b - q * se, b + q * se)
    }
  }

  private var passesText: String {
    let total = result.passes.values.reduce(0, +)
    let kinds = result.passes.keys.sorted().map { "\($0) \(result.passes[$0]!)" }.joined(separator: ", ")
    return "\(total) over the data in \(seconds(outcome.seconds)) (\(kinds))"
  }

  private func seconds(_ s: Double) -> String { String(format: s < 10 ? "%.2f s" : "%.1f s", s) }

  func text() -> String {
    var out = ["Robust linear regression (robustfit \(RobustfitCommand.version)): \(data.yName) ~ "
                 + result.names.joined(separator: " + "), ""]
    var facts = TextTable(header: [])
    facts.rows.append(["File", data.fileName + (data.droppedRows > 0 ? " (\(data.droppedRows) rows with missing values dropped)" : "")])
    facts.rows.append(["Out of core", "binary column file of \(ColumnFile.byteText(data.file.bytes)) in "
                         + "\(data.file.directory) (removed at exit), written in \(seconds(data.writeSeconds))"])
    if let name = data.weightsName, let total = result.totalWeight {
      facts.rows.append(["Weights", "column \(quoted(name)): case weights, row i counts w_i times "
        + "(Σw = \(NumberText.significant(total)))"])
    }
    facts.rows.append(["Loss", outcome.lossText])
    facts.rows.append(["Observations", "n = \(result.rows), p = \(result.coefficients.count), residual df = \(degreesOfFreedom)"])
    out.append(facts.renderLabelled())
    out.append("")
    if let summary = result.residualSummary {
      // As the fit in memory's `Residuals:` block: a residual at the rounding level of the largest reads as 0.
      var table = TextTable(header: ["Min", "1Q", "Median", "3Q", "Max"])
      let size = summary.quantiles.reduce(0) { max($0, abs($1)) }
      table.rows.append(summary.quantiles.map { NumberText.significant(abs($0) <= 1e-12 * size ? 0 : $0, 5) })
      out += ["Residuals:", table.render(indent: "  "), ""]
    }
    out.append("Coefficients:")
    if let inference, let errors = result.standardErrors {
      let level = outcome.level
      var table = TextTable(header: ["", "Estimate", "Std. Error", "t value", "Pr(>|t|)",
                                     NumberText.percent((1 - level) / 2), NumberText.percent(1 - (1 - level) / 2)])
      for k in result.names.indices {
        table.rows.append([result.names[k], NumberText.significant(result.coefficients[k]), NumberText.significant(errors[k]),
                           String(format: "%.3f", inference[k].t), NumberText.pValue(inference[k].p),
                           NumberText.significant(inference[k].low), NumberText.significant(inference[k].high)])
      }
      out.append(table.render(indent: "  "))
      out.append("  Standard errors: \(outcome.covariance).")
      out.append("  p-values and \(NumberText.percent(level)) intervals: Student's t with \(degreesOfFreedom) df.")
    } else {
      var table = TextTable(header: ["", "Estimate"])
      for k in result.names.indices { table.rows.append([result.names[k], NumberText.significant(result.coefficients[k])]) }
      out.append(table.render(indent: "  "))
      out.append("  (standard errors not available: the mean of ψ′ is 0)")
    }
    out.append("")
    var summary = TextTable(header: [])
    summary.rows.append(["Loss scale c", NumberText.significant(result.scale) + outcome.scaleNote])
    summary.rows.append(["Residual scale σ̂", NumberText.significant(result.sigma) + outcome.sigmaNote])
    if let alpha = result.alpha, let range = result.alphaRange {
      // The adaptive fit: α with its standard error, and its interval from profiled fits over all rows.
      summary.rows.append(["Shape α", NumberText.alpha(alpha)
        + (result.alphaStandardError.map { " ± " + NumberText.significant($0, 3) } ?? "")
        + "  (estimated in \(NumberText.range(range))" + (result.alphaOnBound ? "; on a bound)" : ")")])
      if let interval = result.shapeSelection?.alphaInterval {
        let ends = [(interval.lowerOnBound, "lower"), (interval.upperOnBound, "upper")].filter(\.0).map(\.1)
        summary.rows.append(["α interval", "[\(NumberText.alpha(interval.lower)), \(NumberText.alpha(interval.upper))]  "
          + "(\(NumberText.percent(interval.level)) profile likelihood"
          + (ends.isEmpty ? "" : "; \(ends.joined(separator: " and ")) end on the range's bound") + ")"])
      }
    }
    summary.rows.append([outcome.objectiveLabel, NumberText.significant(result.objective, 8)])
    summary.rows.append(["Iterations", "\(result.iterations) (\(result.termination))"])
    if let residuals = result.residualSummary {
      let rule = residuals.robustWeightRule ? "weight < 0.1/n" : "|r|/σ̂ > \(NumberText.significant(residuals.outlierThreshold))"
      summary.rows.append(["Outliers", "\(residuals.outlierCount) of \(result.rows) with \(rule)"])
      if let r2 = residuals.rSquared, let adjusted = residuals.adjustedRSquared {
        summary.rows.append(["R²", "\(NumberText.significant(r2, 4)), adjusted \(NumberText.significant(adjusted, 4))"])
      } else {
        summary.rows.append(["R²", outcome.lossName == "l2" ? "—  (y does not vary)"
          : "—  (defined for l2; MM's robust R² is not computed out of core)"])
      }
    }
    summary.rows.append(["Passes", passesText])
    out.append(summary.renderLabelled())
    return out.joined(separator: "\n") + "\n"
  }

  /// The residual summary's keys, as the fit in memory's JSON has them (without its list of outliers).
  private var summaryJSON: [(String, JSONValue)] {
    guard let summary = result.residualSummary else { return [] }
    return [
      ("outlier_count", .int(summary.outlierCount)),
      ("outlier_threshold", .number(outcome.outlierThreshold)),
      ("r_squared", .number(summary.rSquared)),
      ("adj_r_squared", .number(summary.adjustedRSquared)),
      ("r_squared_kind", summary.rSquared == nil ? .null : .string("classical")),
      ("residual_quantiles", .object(zip(["min", "q1", "median", "q3", "max"], summary.quantiles).map { ($0, .number($1)) })),
    ]
  }

  /// The adaptive fit's keys, as the fit in memory's JSON has them (none for the other losses).
  private var adaptiveJSON: [(String, JSONValue)] {
    guard let selection = result.shapeSelection, let range = result.alphaRange else { return [] }
    let interval = selection.alphaInterval
    return [
      ("alpha", .alpha(result.alpha)),
      ("alpha_range", .array([.number(range.lowerBound), .number(range.upperBound)])),
      ("alpha_se", .number(result.alphaStandardError)),
      ("scale_se", .number(result.scaleStandardError)),
      ("alpha_on_bound", .bool(result.alphaOnBound)),
      ("scale_on_bound", .bool(result.scaleOnBound)),
      ("criterion", .string("nll")),
      ("alpha_interval", interval.map { .array([.alpha($0.lower), .alpha($0.upper)]) } ?? .null),
      ("alpha_interval_level", .number(interval?.level)),
      ("alpha_interval_on_bound", interval.map { .array([.bool($0.lowerOnBound), .bool($0.upperOnBound)]) } ?? .null),
      ("profile", .array(selection.profile.map { point in
        .object([("alpha", .alpha(point.alpha)), ("value", .number(point.value)), ("scale", .number(point.lossScale))])
      })),
    ]
  }

  func json() -> JSONValue {
    func keyed(_ values: [Double]?) -> JSONValue {
      .object(result.names.indices.map { (result.names[$0], JSONValue.number(values?[$0])) })
    }
    let inference = self.inference
    return .object([
      ("robustfit", .string(RobustfitCommand.version)),
      ("file", .string(data.fileName)),
      ("y", .string(data.yName)),
      ("loss", .string(outcome.lossName)),
      ("n", .int(result.rows)),
      ("p", .int(result.coefficients.count)),
      ("coefficients", keyed(result.coefficients)),
      ("standard_errors", keyed(result.standardErrors)),
      ("t_values", keyed(inference?.map(\.t))),
      ("p_values", keyed(inference?.map(\.p))),
      ("conf_int", .object(result.names.indices.map { k in
        (result.names[k], inference.map { .array([.number($0[k].low), .number($0[k].high)]) } ?? .null)
      })),
      ("confidence_level", .number(outcome.level)),
      ("degrees_of_freedom", .int(degreesOfFreedom)),
      ("scale", .number(result.scale)),
      ("sigma", .number(result.sigma)),
      ("tuning", .number(outcome.tuning)),
      ("objective", .number(result.objective)),
      ("iterations", .int(result.iterations)),
      ("converged", .bool(result.termination == "converged")),
      ("termination", .string(result.termination)),
      ("dropped_rows", .int(data.droppedRows)),
      ("weights", data.weightsName.map { .string($0) } ?? .null),
      ("weights_sum", .number(result.totalWeight)),
    ] + summaryJSON + adaptiveJSON + [
      ("out_of_core", .object([
        ("directory", .string(data.file.directory)),
        ("bytes", .int(data.file.bytes)),
        ("write_seconds", .number(data.writeSeconds)),
        ("fit_seconds", .number(outcome.seconds)),
        ("passes", .object(result.passes.keys.sorted().map { ($0, .int(result.passes[$0]!)) })),
      ])),
    ])
  }
}
