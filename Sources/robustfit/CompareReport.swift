import Foundation
import RobustRegression

/// The report of `compare`: one row (text) or one object (JSON) per loss.
struct CompareReport {
  let data: LoadedData
  let results: [(FitRequest, Result<RegressionFit, CLIError>)]
  /// The true coefficients, when known: adds each fit's distance to them.
  var truth: Truth? = nil
  /// How the command line set c, for the footnote.
  var scaleOptions = ScaleOptions()

  /// One table: loss, the coefficients, the distance to the truth (when known), c, σ̂, α, objective,
  /// iterations, outliers, termination.
  func text() -> String {
    var out = "Robust linear regression compared (robustfit \(RobustfitCommand.version)): \(data.yName) ~ \(data.design.names.joined(separator: " + "))\n"
    out += "File \(data.fileName), n = \(data.n), p = \(data.p)\n"
    if !data.unusedColumns.isEmpty { out += "Not used: \(data.unusedColumnsText)\n" }
    out += "\n"
    let distanceHeader = truth == nil ? [] : ["distance"]
    var table = TextTable(header: ["loss"] + data.design.names + distanceHeader
                            + ["c", "σ̂", "α", "objective", "iter", "outliers", "termination"])
    for (request, result) in results {
      switch result {
      case .success(let fit):
        var alpha = fit.shape.alpha.map(NumberText.alpha) ?? "—"
        if case .estimated(let a, let se, _, _) = fit.shape {
          // An estimate: three digits are plenty next to its standard error.
          if a.isFinite { alpha = NumberText.significant(a, 3) }
          if let se { alpha += " ± " + NumberText.significant(se, 2) }
        }
        table.rows.append([request.label]
          + fit.estimates.map { NumberText.significant($0) }
          + (truth.map { [NumberText.significant($0.distance(of: fit, design: data.design), 4)] } ?? [])
          + [fit.loss.absoluteMethod != nil ? "—" : NumberText.significant(fit.lossScale),
             NumberText.significant(fit.residualScale),
             alpha, NumberText.significant(fit.objective.value), "\(fit.iterations)", "\(fit.outlierCount)",
             fit.termination.reportName])
      case .failure:
        table.rows.append([request.label] + data.design.names.map { _ in "—" } + distanceHeader.map { _ in "—" }
          + ["—", "—", "—", "—", "—", "—", "failed"])
      }
    }
    out += table.render() + "\n"
    let threshold = NumberText.significant(results.first?.0.regression.outlierThreshold ?? 2.5)
    out += "\n"
    if let truth {
      let shown = zip(data.design.names, truth.coefficients)
        .map { "\($0) = \(NumberText.significant($1))" }.joined(separator: ", ")
      let source = truth.source == "--truth" ? "--truth" : truth.source
      out += "distance: RMS over the rows of X(β − β₀), units of y; β₀ from \(source):\n"
        + "  \(shown).\n"
    }
    out += "c: loss scale (\(scaleNote)); σ̂: median|r|/0.6745;\n"
      + "objective: Σρ(r/c), Σ|r| for l1, the NLL for adaptive; outliers: |r|/σ̂ > \(threshold).\n"
    if results.contains(where: { $0.0.regression.loss.adaptiveCriterion == .variance }) {
      out += "adaptive (variance): α minimises the sandwich variance of β̂ over [-inf, 2], c = k(α) × the S-scale, "
        + "σ̂ = the S-scale, objective Σρ(r/c).\n"
    }
    if results.contains(where: { $0.0.regression.loss.isHighBreakdown }) {
      out += "s and mm: c = k × the S-scale, σ̂ = the S-scale, objective the M-scale (s) or Σρ(r/c) (mm), "
        + "outliers: weight < 0.1/n.\n"
    }
    return out
  }

  /// How c was set, for the footnote.
  private var scaleNote: String {
    switch (scaleOptions.scale, scaleOptions.tuning, scaleOptions.fixedSigma) {
    case (let c?, _, _): return "fixed at \(NumberText.significant(c)) by --scale; estimated for adaptive"
    case (nil, let k?, let held):
      return "\(NumberText.significant(k))·σ̂ by --tuning\(held ? ", σ̂ held" : ""); estimated for adaptive"
    case (nil, nil, true): return "k·σ̂, σ̂ held at the start; estimated for adaptive"
    case (nil, nil, false): return "k·σ̂; estimated for adaptive"
    }
  }

  /// `{"file", "y", "n", "p", "truth", "fits": [<the fit report of each loss>]}`. `truth` is null or
  /// `{"source", "coefficients": {name: value}, "distance"}`; with a truth each fit report ends with
  /// `distance_to_truth`. A failed fit is `{"loss": ..., "alpha": ..., "error": ...}`.
  func json() -> JSONValue {
    var truthValue = JSONValue.null
    if let truth {
      truthValue = .object([
        ("source", .string(truth.source)),
        ("coefficients", .object(zip(data.design.names, truth.coefficients).map { ($0, .number($1)) })),
        ("distance", .string("RMS over the rows of X(beta - beta0), in units of y")),
      ])
    }
    return .object([
      ("robustfit", .string(RobustfitCommand.version)),
      ("file", .string(data.fileName)),
      ("y", .string(data.yName)),
      ("n", .int(data.n)),
      ("p", .int(data.p)),
      ("truth", truthValue),
      ("fits", .array(results.map { request, result in
        switch result {
        case .success(let fit):
          let report = JSONReport(data: data, fit: fit).value()
          guard let truth, case .object(var pairs) = report else { return report }
          pairs.append(("distance_to_truth", .number(truth.distance(of: fit, design: data.design))))
          return .object(pairs)
        case .failure(let error):
          let loss = request.regression.loss
          return .object([("loss", .string(loss.name)), ("alpha", .alpha(loss.name == "general" ? loss.barronAlpha : nil)),
                          ("error", .string(error.message))])
        }
      })),
    ])
  }
}
