import Foundation
import RobustRegression

/// The text report of one fit, in the manner of R's `summary(rlm(...))`: the model, the coefficient
/// table with standard errors, t, p and confidence intervals, then the scale, α, objective,
/// convergence, outliers and warnings. Numbers are rounded to six significant digits for reading.
struct TextReport {
  let data: LoadedData
  let fit: RegressionFit

  func render(history: Bool = false) -> String {
    var out: [String] = []
    let rhs = fit.names.joined(separator: " + ")
    out.append("Robust linear regression (robustfit \(RobustfitCommand.version)): \(data.yName) ~ \(rhs)")
    out.append("")
    var facts = TextTable(header: [])
    facts.rows.append(["File", data.fileName + droppedText])
    if !data.unusedColumns.isEmpty {
      facts.rows.append(["Not used", data.unusedColumnsText])
    }
    if let name = data.weightsName, data.weights != nil {
      facts.rows.append(["Weights", "column \(quoted(name)): case weights, row i counts w_i times "
        + "(Σw = \(NumberText.significant(fit.totalWeight)))"])
    }
    facts.rows.append(["Loss", lossText])
    facts.rows.append(["Observations", "n = \(data.n), p = \(data.p), residual df = \(fit.residualDegreesOfFreedom)"])
    out.append(facts.renderLabelled())
    out.append("")
    out.append(contentsOf: residualSection())
    out.append("")
    out.append(contentsOf: coefficientSection())
    out.append("")
    out.append(summaryTable().renderLabelled())
    if let selection = fit.shapeSelection, !selection.profile.isEmpty {
      out.append("")
      out.append(contentsOf: profileSection(selection))
    }
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
    if let method = fit.loss.absoluteMethod {
      return "l1, least absolute deviations (\(method == .irls ? "IRLS with an exact basis finish" : "subgradient"))"
    }
    switch fit.shape {
    case .estimated where fit.loss.adaptiveCriterion == .variance:
      return "adaptive, α chosen by the smallest estimated variance of the coefficients, c = k(α)·σ̂"
        + (fit.lossScaleSource == .given ? " (c fixed by --scale)" : "")
    case .estimated:
      return "adaptive, Barron's negative log-likelihood with α and "
        + (fit.lossScaleSource == .given ? "β estimated, c fixed by --scale" : "c estimated")
    case .fixed(let alpha) where fit.loss.name == "general":
      return "general, Barron's ρ(r/c; α) with α = \(NumberText.alpha(alpha))"
    default: return fit.loss.name
    }
  }

  /// R's `Residuals:` block: min, 1Q, median, 3Q, max (``ResidualSummary/quantiles(_:weights:)``).
  private func residualSection() -> [String] {
    var table = TextTable(header: ["Min", "1Q", "Median", "3Q", "Max"])
    let q = ResidualSummary.quantiles(fit.residuals, weights: fit.caseWeights)
    // A residual at the rounding level of the largest (an L1 fit's median, 0 up to 4e-15) reads as 0.
    let size = q.reduce(0) { max($0, abs($1)) }
    table.rows.append(q.map { NumberText.significant(abs($0) <= 1e-12 * size ? 0 : $0, 5) })
    return ["Residuals:", table.render(indent: "  ")]
  }

  /// R² where one is defined: least squares' classical one, lmrob's robust one for MM; said where not.
  private var rSquaredRow: [String] {
    func text(_ r2: (value: Double, adjusted: Double)) -> String {
      "\(NumberText.significant(r2.value, 4)), adjusted \(NumberText.significant(r2.adjusted, 4))"
    }
    switch ResidualSummary.rSquared(of: fit, data: data) {
    case let r2? where r2.kind == "lmrob": return ["Robust R²", text((r2.value, r2.adjusted)) + "  (lmrob's, of the MM fit)"]
    case let r2?: return ["R²", text((r2.value, r2.adjusted))]
    case nil where fit.loss.name == "l2": return ["R²", "—  (y does not vary)"]
    case nil: return ["R²", "—  (defined for l2 and, robustly, for mm: lmrob's)"]
    }
  }

  private func coefficientSection() -> [String] {
    var lines = ["Coefficients:"]
    guard let covariance = fit.covariance else {
      var table = TextTable(header: ["", "Estimate"])
      for coefficient in fit.coefficients {
        table.rows.append([coefficient.name, NumberText.significant(coefficient.estimate)])
      }
      lines.append(table.render(indent: "  "))
      lines.append("  (standard errors not available: see the warnings)")
      return lines
    }
    let level = covariance.confidenceLevel
    let lowerLabel = NumberText.percent((1 - level) / 2)
    let upperLabel = NumberText.percent(1 - (1 - level) / 2)
    var table = TextTable(header: ["", "Estimate", "Std. Error", "t value", "Pr(>|t|)", lowerLabel, upperLabel])
    for c in fit.coefficients {
      table.rows.append([
        c.name, NumberText.significant(c.estimate),
        NumberText.significant(c.standardError ?? .nan),
        String(format: "%.3f", c.tValue ?? .nan),
        NumberText.pValue(c.pValue ?? .nan),
        NumberText.significant(c.confidenceInterval?.lowerBound ?? .nan),
        NumberText.significant(c.confidenceInterval?.upperBound ?? .nan),
      ])
    }
    lines.append(table.render(indent: "  "))
    lines.append("  Standard errors: \(covariance.method).")
    lines.append("  p-values and \(NumberText.percent(level)) intervals: Student's t with \(covariance.degreesOfFreedom) df.")
    return lines
  }

  private func summaryTable() -> TextTable {
    var t = TextTable(header: [])
    t.rows.append(["Loss scale c", scaleText])
    t.rows.append(["Residual scale σ̂", NumberText.significant(fit.residualScale) + "  (\(fit.residualScaleSource))"])
    t.rows.append(["Shape α", alphaText])
    if let interval = fit.shapeSelection?.alphaInterval {
      var text = "[\(NumberText.alpha(interval.lower)), \(NumberText.alpha(interval.upper))]  "
        + "(\(NumberText.percent(interval.level)) profile likelihood"
      let ends = [(interval.lowerOnBound, "lower"), (interval.upperOnBound, "upper")].filter(\.0).map(\.1)
      if !ends.isEmpty { text += "; \(ends.joined(separator: " and ")) end on the range's bound" }
      t.rows.append(["α interval", text + ")"])
    }
    if let selection = fit.shapeSelection, selection.criterion == .variance,
       let chosen = selection.profile.first(where: { $0.alpha == fit.shape.alpha }) {
      t.rows.append(["Criterion τ̂", NumberText.significant(chosen.value)
        + "  (smallest over α; Cov(β̂) = τ̂²·(XᵀX)⁻¹, τ̂ = s for least squares)"])
    }
    let objectiveLabel: String
    switch fit.objective.kind {
    case .sumOfAbsoluteResiduals: objectiveLabel = "Objective Σ|r|"
    case .negativeLogLikelihood: objectiveLabel = "Negative log-lik."
    case .sumOfLosses: objectiveLabel = "Objective Σρ(r/c)"
    case .mScale: objectiveLabel = "Objective: M-scale"
    }
    t.rows.append([objectiveLabel, NumberText.significant(fit.objective.value, 8)])
    t.rows.append(["Iterations", "\(fit.iterations) (\(fit.termination.reportName))"])
    t.rows.append(["Outliers", outlierText])
    t.rows.append(rSquaredRow)
    if fit.loss.isHighBreakdown { t.rows.append(["Seed", "\(fit.regression.seed) (--seed: the random subsets of fast-S)"]) }
    let warnings = fit.warnings.map(\.commandLineText)
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
    if fit.loss.absoluteMethod != nil { return "—  (l1 has no scale)" }
    let c = NumberText.significant(fit.lossScale)
    switch fit.lossScaleSource {
    case .estimated(let se, let onFloor):
      var text = c
      if let se { text += " ± " + NumberText.significant(se, 3) }
      return text + (onFloor ? "  (estimated; on its lower bound)" : "  (estimated)")
    case .given: return c + "  (fixed by --scale)"
    case .notUsed: return c + "  (does not change the l2 fit)"
    case .sScale(let k): return c + "  (k = \(NumberText.significant(k)) × the S-scale)"
    case .residualScale(let k): return c + "  (k = \(NumberText.significant(k)) × σ̂)"
    case .startScale(let k): return c + "  (k = \(NumberText.significant(k)) × the starting σ̂ (held fixed))"
    }
  }

  private var alphaText: String {
    switch fit.shape {
    case .notInFamily: return "—  (\(fit.loss.name) is not in Barron's family)"
    case .fixed(let alpha): return NumberText.alpha(alpha)
    case .estimated(let alpha, let se, let onBound, let range):
      var text = NumberText.alpha(alpha)
      if let se { text += " ± " + NumberText.significant(se, 3) }
      let verb = fit.loss.adaptiveCriterion == .variance ? "chosen" : "estimated"
      return text + "  (\(verb) in \(NumberText.range(range))" + (onBound ? "; on a bound)" : ")")
    }
  }

  /// The criterion at the grid points of its search (and the chosen α), the chosen row marked.
  private func profileSection(_ selection: RegressionFit.ShapeSelection) -> [String] {
    let chosen = fit.shape.alpha
    let isVariance = selection.criterion == .variance
    let points = selection.profile.filter { point in
      guard point.alpha != chosen else { return true }
      // The variance's golden-section points are left out: its grid is every 0.25 in s (s = α for α ≥ 0,
      // α/(1 − α) below).
      guard isVariance else { return true }
      let s = ShapeCoordinate.s(point.alpha)
      return abs(s * 4 - (s * 4).rounded()) < 1e-9
    }
    var table = TextTable(header: ["α", isVariance ? "τ̂" : "profile NLL", "c", ""])
    for point in points {
      table.rows.append([NumberText.alpha(point.alpha),
                         NumberText.significant(point.value, isVariance ? 6 : 8),
                         NumberText.significant(point.lossScale),
                         point.alpha == chosen ? "← chosen" : ""])
    }
    let title = isVariance
      ? "Variance criterion over α (τ̂ at c = k(α)·σ̂ from the S start):"
      : "Profile negative log-likelihood over α (β and c fitted at each α):"
    return [title, table.render(indent: "  ")]
  }

  private var outlierText: String {
    let rule = fit.loss.isHighBreakdown
      ? "weight < 0.1/n"
      : "|r|/σ̂ > \(NumberText.significant(fit.regression.outlierThreshold))"
    let count = fit.outlierCount
    var text = "\(count) of \(data.n) with \(rule)"
    if count > 0 {
      // The first ten flagged rows only (all of them are 200 000 at n = 1e6).
      let shown = fit.outliers.indices.lazy.filter { fit.outliers[$0] }.prefix(10)
        .map { String(data.lines.observation($0)) }.joined(separator: ", ")
      text += " (observation\(count == 1 ? "" : "s") \(shown)\(count > 10 ? ", ..." : ""))"
    }
    if fit.loss.isHighBreakdown { text += "; \(fit.weightsNearOne) weights ≈ 1" }
    return text
  }

}
