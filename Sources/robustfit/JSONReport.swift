import RobustRegression

/// The JSON report of one fit: the keys of Docs/spec.md §6 (`loss`, `coefficients`, `standard_errors`,
/// `scale`, `sigma`, `alpha`, `objective`, `iterations`, `converged`, `termination`, `n`, `p`) and
/// more, in a fixed order. Numbers are full precision; what does not apply is null.
struct JSONReport {
  let data: LoadedData
  let fit: RegressionFit

  func value(history: Bool = false) -> JSONValue {
    let covariance = fit.covariance
    func keyed(_ value: (RegressionFit.Coefficient) -> Double?) -> JSONValue {
      .object(fit.coefficients.map { ($0.name, JSONValue.number(value($0))) })
    }
    // The quantiles select on a copy of the residuals, while the outliers' list is made on the other
    // core; the copy is freed before the text exists (the report's peak memory at large n).
    let (q, outlierLines) = concurrently({ ResidualSummary.quantiles(fit.residuals, weights: fit.caseWeights) }, {
      var lines: [Int] = []
      for (row, isOutlier) in fit.outliers.enumerated() where isOutlier { lines.append(data.lines.observation(row)) }
      return lines
    })
    var pairs: [(String, JSONValue)] = [
      ("robustfit", .string(RobustfitCommand.version)),
      ("file", .string(data.fileName)),
      ("y", .string(data.yName)),
      ("loss", .string(fit.loss.name)),
      ("n", .int(data.n)),
      ("p", .int(data.p)),
      ("coefficients", keyed(\.estimate)),
      ("standard_errors", keyed(\.standardError)),
      ("t_values", keyed(\.tValue)),
      ("p_values", keyed(\.pValue)),
      ("conf_int", .object(fit.coefficients.map { c in
        (c.name, c.confidenceInterval.map { .array([.number($0.lowerBound), .number($0.upperBound)]) } ?? .null)
      })),
      ("confidence_level", .number(covariance?.confidenceLevel)),
      ("degrees_of_freedom", covariance.map { .int($0.degreesOfFreedom) } ?? .null),
      ("scale", fit.loss.absoluteMethod != nil ? .null : .number(fit.lossScale)),
      ("sigma", .number(fit.residualScale)),
      ("tuning", .number(fit.tuningConstantUsed)),
      ("alpha", .alpha(fit.shape.alpha)),
      ("objective", .number(fit.objective.value)),
      ("iterations", .int(fit.iterations)),
      ("converged", .bool(fit.converged)),
      ("termination", .string(fit.termination.reportName)),
      ("outliers", .integers(outlierLines)),
      ("outlier_count", .int(fit.outlierCount)),
      ("outlier_threshold", .number(fit.regression.outlierThreshold)),
      ("dropped_rows", .int(data.droppedRows)),
      ("weights", data.weightsName.map { .string($0) } ?? .null),
      ("weights_sum", .number(data.weights?.reduce(0, +))),
      ("unused_columns", .array(data.unusedColumns.map { column in
        .object([("column", .int(column.column)), ("name", .string(column.name)),
                 ("reason", .string(column.reason == .rowNames ? "row names" : "text"))])
      })),
      ("warnings", .array(fit.warnings.map { .string($0.commandLineText) })),
    ]
    if let adaptive = fit.adaptiveEstimate {
      pairs.append(("alpha_range", .array([.number(adaptive.range.lowerBound), .number(adaptive.range.upperBound)])))
      pairs.append(("alpha_se", .number(adaptive.alphaSE)))
      pairs.append(("scale_se", .number(adaptive.scaleSE)))
      pairs.append(("alpha_on_bound", .bool(adaptive.alphaOnBound)))
      pairs.append(("scale_on_bound", .bool(adaptive.scaleOnFloor)))
    }
    if let selection = fit.shapeSelection {
      pairs.append(("criterion", .string(selection.criterion == .likelihood ? "nll" : "variance")))
      let interval = selection.alphaInterval
      pairs.append(("alpha_interval", interval.map { .array([.alpha($0.lower), .alpha($0.upper)]) } ?? .null))
      pairs.append(("alpha_interval_level", .number(interval?.level)))
      pairs.append(("alpha_interval_on_bound",
                    interval.map { .array([.bool($0.lowerOnBound), .bool($0.upperOnBound)]) } ?? .null))
      pairs.append(("profile", .array(selection.profile.map { point in
        .object([("alpha", .alpha(point.alpha)), ("value", .number(point.value)), ("scale", .number(point.lossScale))])
      })))
    }
    if let s = fit.sEstimate {
      pairs.append(("seed", .unsigned(fit.regression.seed)))
      pairs.append(("s_estimate", .object([
        ("coefficients", .object(zip(fit.names, s.coefficients).map { ($0, .number($1)) })),
        ("scale", .number(s.scale)),
        ("converged", .bool(s.converged)),
      ])))
      pairs.append(("weights_near_one", .int(fit.weightsNearOne)))
    }
    let r2 = ResidualSummary.rSquared(of: fit, data: data)
    pairs.append(("r_squared", .number(r2?.value)))
    pairs.append(("adj_r_squared", .number(r2?.adjusted)))
    pairs.append(("r_squared_kind", r2.map { .string($0.kind) } ?? .null))
    pairs.append(("residual_quantiles", .object(zip(["min", "q1", "median", "q3", "max"], q).map { ($0, .number($1)) })))
    if let covariance = fit.covariance {
      let p = fit.parameterCount
      pairs.append(("covariance", .object([
        ("method", .string(covariance.method.rawValue)),
        ("names", .array(fit.names.map { .string($0) })),
        ("matrix", .array((0..<p).map { i in .array((0..<p).map { j in .number(covariance.matrix[j * p + i]) }) })),
      ])))
    } else {
      pairs.append(("covariance", .null))
    }
    if history {
      pairs.append(("history", .array(fit.history.map { record in
        .object([
          ("iteration", .int(record.iteration)),
          ("objective", .number(record.objective)),
          ("scale", .number(record.scale)),
          ("relative_step", .number(record.relativeStep)),
          ("coefficients", .array(record.coefficients.map { .number($0) })),
        ])
      })))
    }
    return .object(pairs)
  }
}
