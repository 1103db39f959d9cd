import Foundation
import RobustRegression
import SVGPlot

/// `fit --diagnostics FILE.svg`: the panels of R's `plot.lmrob` in one SVG, two by two.
///
/// (a) residuals against fitted values with the ±threshold·σ̂ lines; (b) the normal Q–Q plot of the
/// standardised residuals r/σ̂ with the line through their quartiles (R's `qqline`); (c) the final IRLS
/// weights by observation number; (d) the outlier map: r/σ̂ against the leverage hᵢ of the final weighted
/// fit (`RegressionFit.leverage`, not a robust distance of x), with the ±threshold lines and hᵢ = 2p/n.
/// In every panel the flagged observations (at most eight, the largest |r|/σ̂ first) carry their
/// observation number.
enum Diagnostics {
  /// The figure, and a warning when the leverage is undefined (panel (d) is then left empty).
  static func figure(data: LoadedData, fit: RegressionFit, label: String,
                     size: FigureSize?) -> (figure: Figure, warning: String?) {
    let n = fit.observationCount, p = fit.parameterCount
    let fitted = fit.fittedValues(response: data.response)
    let sigma = fit.residualScale
    let standardised = sigma > 0 && sigma.isFinite
    let z = standardised ? fit.residuals.map { $0 / sigma } : fit.residuals
    let zName = standardised ? "standardised residual r/σ̂" : "residual r (σ̂ = 0)"
    let t = fit.regression.outlierThreshold
    let tText = Plotting.threshold(fit)
    let shade = fit.weights.map { min(1, max(0, $0)) }
    let observation = (0..<n).map { Double(data.lines.observation($0)) }
    func labels(_ position: (Int) -> (x: Double, y: Double)) -> [PointLabel] {
      Plotting.labels(fit: fit, data: data, position: position)
    }
    func thresholdLines(_ chart: inout Chart, at level: Double, text: String) {
      guard level > 0, level.isFinite else { return }
      chart.series.append(.horizontalLine(y: level, label: text, color: Color.palette(1), dash: .dotted))
      chart.series.append(.horizontalLine(y: -level, color: Color.palette(1), dash: .dotted))
    }

    // (a) Residuals vs fitted.
    var residuals = Chart(title: "Residuals vs fitted", xLabel: "fitted \(data.yName)", yLabel: "residual r")
    residuals.series.append(.horizontalLine(y: 0))
    thresholdLines(&residuals, at: t * sigma, text: "±\(tText)σ̂: outlier threshold")
    residuals.series.append(.scatter(x: fitted, y: fit.residuals, shade: shade, shadeLabel: "weight 0 … 1"))
    residuals.pointLabels = labels { (fitted[$0], fit.residuals[$0]) }

    // (b) Normal Q–Q of r/σ̂: R's ppoints, a = 3/8 for n ≤ 10, else 1/2.
    let order = (0..<n).sorted { z[$0] < z[$1] }
    let a = n <= 10 ? 3.0 / 8 : 0.5
    let theoretical = (0..<n).map { Normal.quantile((Double($0 + 1) - a) / (Double(n) + 1 - 2 * a)) }
    var rank = [Int](repeating: 0, count: n)
    for (k, row) in order.enumerated() { rank[row] = k }
    var qq = Chart(title: "Normal Q–Q", xLabel: "standard normal quantile", yLabel: zName)
    let sorted = order.map { z[$0] }
    let q1 = quantile(sorted, 0.25), q3 = quantile(sorted, 0.75)
    let n1 = Normal.quantile(0.25), n3 = Normal.quantile(0.75)
    if q3 > q1 {
      let slope = (q3 - q1) / (n3 - n1)
      qq.series.append(.line(intercept: q1 - slope * n1, slope: slope, label: "line through the quartiles",
                             color: .grey, width: 1, dash: .dashed))
    }
    qq.series.append(.scatter(x: theoretical, y: sorted, shade: order.map { shade[$0] }))
    qq.pointLabels = labels { (theoretical[rank[$0]], z[$0]) }

    // (c) Weights by observation number. L1's weights σ̂/|r| exceed 1 near the fit: shown capped at 1.
    let capped = fit.weights.contains { $0 > 1 }
    let weights = capped ? fit.weights.map { min($0, 1) } : fit.weights
    var weightChart = Chart(title: "Weights", xLabel: "observation",
                            yLabel: capped ? "final IRLS weight (capped at 1)" : "final IRLS weight",
                            yRange: weights.allSatisfy { $0 >= 0 && $0 <= 1 } ? -0.05...1.05 : nil)
    weightChart.series.append(.scatter(x: observation, y: weights, shade: shade))
    weightChart.pointLabels = labels { (observation[$0], weights[$0]) }

    // (d) Outlier map: r/σ̂ against the leverage of the weighted fit.
    var map = Chart(title: "Outlier map", xLabel: "leverage hᵢ of the final weighted fit", yLabel: zName)
    var warning: String?
    do {
      let h = try fit.leverage(data.design)
      if standardised { thresholdLines(&map, at: t, text: "±\(tText): outlier threshold") }
      let cut = 2 * Double(p) / Double(n)
      if cut < 1 {
        map.series.append(.verticalLine(x: cut, label: "h = 2p/n = \(NumberText.significant(cut, 2))",
                                        color: Color.palette(0), dash: .dotted))
      }
      map.series.append(.scatter(x: h, y: z, shade: shade))
      map.pointLabels = labels { (h[$0], z[$0]) }
    } catch {
      map.title = "Outlier map: leverage undefined"
      warning = "--diagnostics: the leverage of the weighted fit is undefined (\(error)); the outlier map is empty"
    }

    let file = (data.fileName as NSString).lastPathComponent
    let grid = Figure.grid([residuals, qq, weightChart, map], columns: 2,
                           title: "\(file): diagnostics of the \(label) fit", cell: (560, 420), size: size)
    return (.grid(grid), warning)
  }

  /// The q-quantile of sorted values by linear interpolation (R's type 7, as `qqline` uses).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let h = Double(sorted.count - 1) * q
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
  }
}
