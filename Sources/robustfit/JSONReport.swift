import RobustRegression

/// The JSON report of one fit: the keys of Docs/spec.md §6 (`loss`, `coefficients`, `standard_errors`,
/// `scale`, `sigma`, `alpha`, `objective`, `iterations`, `converged`, `termination`, `n`, `p`) and
/// more, in a fixed order. Numbers are full precision; what does not apply is null.
struct JSONReport {
  let data: LoadedData
  let request: FitRequest
  let fit: RegressionFit

  func value(history: Bool = false) -> JSONValue {
    let inference = fit.inference
    func keyed(_ values: [Double]?) -> JSONValue {
      .object(fit.names.indices.map { (fit.names[$0], JSONValue.number(values?[$0])) })
    }
    var pairs: [(String, JSONValue)] = [
      ("file", .string(data.fileName)),
      ("y", .string(data.yName)),
      ("loss", .string(request.choice.rawValue)),
      ("n", .int(data.n)),
      ("p", .int(data.p)),
      ("coefficients", keyed(fit.coefficients)),
      ("standard_errors", keyed(inference?.standardErrors)),
      ("t_values", keyed(inference?.tValues)),
      ("p_values", keyed(inference?.pValues)),
      ("conf_int", .object(fit.names.indices.map { j in
        (fit.names[j], inference.map { .array([.number($0.lower[j]), .number($0.upper[j])]) } ?? .null)
      })),
      ("confidence_level", .number(inference?.confidenceLevel)),
      ("degrees_of_freedom", inference.map { .int($0.degreesOfFreedom) } ?? .null),
      ("scale", request.choice == .l1 ? .null : .number(fit.scale)),
      ("sigma", .number(fit.sigma)),
      ("tuning", .number(fit.tuning)),
      ("alpha", .alpha(fit.alpha)),
      ("objective", .number(fit.objective)),
      ("iterations", .int(fit.iterations)),
      ("converged", .bool(fit.converged)),
      ("termination", .string(fit.termination.rawValue)),
      ("outliers", .int(fit.outlierCount)),
      ("outlier_threshold", .number(request.options.outlierThreshold)),
      ("dropped_rows", .int(data.droppedRows)),
      ("warnings", .array((request.warnings + fit.warnings).map { .string($0) })),
    ]
    if let summary = fit.adaptive {
      pairs.append(("alpha_range", .array([.number(summary.alphaRange.lowerBound),
                                           .number(summary.alphaRange.upperBound)])))
      pairs.append(("alpha_se", .number(summary.alphaStandardError)))
      pairs.append(("scale_se", .number(summary.scaleStandardError)))
      pairs.append(("alpha_on_bound", .bool(summary.alphaOnBound)))
      pairs.append(("scale_on_bound", .bool(summary.scaleOnBound)))
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
