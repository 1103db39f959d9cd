import Foundation
import RobustRegression
import SVGPlot

/// The `--plot` figures.
///
/// One predictor: the data as a scatter whose fill is the final IRLS weight (hollow = weight 0), and the
/// fitted line(s), one colour per loss. Several predictors (or none): residuals against fitted values with a
/// y = 0 line and the ±threshold·σ̂ lines, one panel per loss when there are several fits. Flagged
/// observations of a single fit are labelled by observation number.
enum Plotting {
  /// A labelled fit to draw.
  struct Entry {
    let label: String
    let fit: RegressionFit
  }

  /// At most this many flagged points are labelled per panel (the largest |r|/σ̂ first).
  static let maximumLabels = 8

  /// The colour and dash of the `index`-th of `count` fits: one palette colour per fit (eleven distinct
  /// colours, then dash patterns), an adaptive fit among several dashed. The same in every figure of a run.
  static func style(_ index: Int, of count: Int, fit: RegressionFit) -> (color: Color, dash: LineDash) {
    let style = Color.style(index)
    let adaptive = fit.adaptiveEstimate != nil && count > 1
    return (style.color, adaptive ? .dashed : style.dash)
  }

  /// The `--plot` figure of one fit (`fit`): the data and its line (one x), else residuals against fitted
  /// values; flagged observations labelled.
  static func fitFigure(data: LoadedData, entry: Entry, size: FigureSize?) -> Figure {
    var chart = chart(data: data, entries: [entry], title: "\(data.yName): \(entry.label) fit")
    let fit = entry.fit
    let fitted = fit.fittedValues(response: data.response)
    let xs = data.predictors.count == 1 ? data.predictors[0] : fitted
    let ys = data.predictors.count == 1 ? data.response : fit.residuals
    chart.pointLabels = labels(fit: fit, data: data) { (xs[$0], ys[$0]) }
    return .single(size.map { $0.apply(to: chart) } ?? chart)
  }

  /// The `compare --plot` figure: one x, the data and one fitted line per loss; otherwise one small
  /// residuals-vs-fitted panel per loss with shared axes.
  static func compareFigure(data: LoadedData, entries: [Entry], shadeIndex: Int?, truth: [Double]?,
                            size: FigureSize?) -> Figure {
    let file = (data.fileName as NSString).lastPathComponent
    if data.predictors.count == 1 {
      let chart = chart(data: data, entries: entries, title: "\(file): one fitted line per loss",
                        shadeIndex: shadeIndex, truth: truth)
      return .single(size.map { $0.apply(to: chart) } ?? chart)
    }
    let fitted = entries.map { $0.fit.fittedValues(response: data.response) }
    let xRange = paddedRange(fitted.flatMap { $0 })
    let yRange = paddedRange(entries.flatMap { e in
      e.fit.residuals + [e.fit.residualScale, -e.fit.residualScale].map { $0 * e.fit.regression.outlierThreshold }
    })
    var charts: [Chart] = []
    for (k, entry) in entries.enumerated() {
      let fit = entry.fit
      var chart = Chart(title: entry.label, xLabel: "fitted \(data.yName)", yLabel: "residual", xRange: xRange,
                        yRange: yRange)
      chart.series.append(.horizontalLine(y: 0))
      let band = fit.regression.outlierThreshold * fit.residualScale
      if band > 0 && band.isFinite {
        for (j, y) in [band, -band].enumerated() {
          chart.series.append(.horizontalLine(
            y: y, label: k == 0 && j == 0 ? "±\(threshold(fit))σ̂" : nil, color: .grey, dash: .dotted))
        }
      }
      chart.series.append(.scatter(x: fitted[k], y: fit.residuals, shade: fit.weights.map { min(1, max(0, $0)) },
                                   shadeLabel: k == 0 ? "weight 0 … 1" : nil,
                                   color: style(k, of: entries.count, fit: fit).color, radius: 3))
      charts.append(chart)
    }
    let columns = entries.count <= 3 ? entries.count : entries.count <= 4 ? 2 : entries.count <= 9 ? 3 : 4
    return .grid(Figure.grid(charts, columns: columns,
                             title: "\(file): residuals against fitted values, one panel per loss",
                             cell: (360, 300), size: size))
  }

  /// The data range padded by 5 % each side (nil without finite data, leaving the choice to the chart).
  static func paddedRange(_ values: [Double]) -> ClosedRange<Double>? {
    let finite = values.filter(\.isFinite)
    guard let lo = finite.min(), let hi = finite.max(), hi > lo else { return nil }
    let pad = 0.05 * (hi - lo)
    return (lo - pad)...(hi + pad)
  }

  /// The outlier threshold of a fit as text (`2.5`).
  static func threshold(_ fit: RegressionFit) -> String {
    NumberText.significant(fit.regression.outlierThreshold, 3)
  }

  /// Labels (observation numbers) for the flagged rows of `fit`, at most `maximumLabels`, the largest
  /// |r|/σ̂ first; `position` gives each row's point in the panel.
  static func labels(fit: RegressionFit, data: LoadedData,
                     position: (Int) -> (x: Double, y: Double)) -> [PointLabel] {
    fit.outlierRows.sorted { abs(fit.residuals[$0]) > abs(fit.residuals[$1]) }
      .prefix(maximumLabels)
      .map { row in
        let p = position(row)
        return PointLabel(x: p.x, y: p.y, text: String(data.lines.observation(row)))
      }
  }

  /// The figure of one or more fits of the same data. The points are shaded by the weights of the
  /// fit at `shadeIndex` (none when nil); the adaptive fit's line is dashed and thicker. With `truth`
  /// (true coefficients, one predictor) the true line is drawn first, as a wide light-grey band that the
  /// fits close to it run inside.
  static func chart(data: LoadedData, entries: [Entry], title: String, shadeIndex: Int? = 0,
                    truth: [Double]? = nil) -> Chart {
    if data.predictors.count == 1 {
      // Several lines make a long legend: a wider figure leaves room to put it beside the plot
      // (`LegendPosition.auto`) when every place inside would hide points.
      var chart = Chart(title: title, xLabel: data.xNames[0], yLabel: data.yName,
                        width: entries.count > 2 ? 900 : 720, height: entries.count > 2 ? 520 : 480)
      let shade = shadeIndex.map { entries[$0].fit.weights.map { min(1, max(0, $0)) } }
      let shadeLabel = shadeIndex.map { entries.count == 1 ? "IRLS weight 0 … 1" : "\(entries[$0].fit.loss.name) weight 0 … 1" }
      chart.series.append(.scatter(x: data.predictors[0], y: data.response, shade: shade, shadeLabel: shadeLabel))
      if let truth {
        let hasIntercept = data.design.hasIntercept
        chart.series.append(.line(intercept: hasIntercept ? truth[0] : 0, slope: truth[hasIntercept ? 1 : 0],
                                  label: "true line", color: Color(red: 0xBB, green: 0xBB, blue: 0xBB), width: 7))
      }
      for (k, entry) in entries.enumerated() {
        let hasIntercept = data.design.hasIntercept
        let intercept = hasIntercept ? entry.fit.estimates[0] : 0
        let slope = entry.fit.estimates[hasIntercept ? 1 : 0]
        let adaptive = entry.fit.adaptiveEstimate != nil && entries.count > 1
        let style = style(k, of: entries.count, fit: entry.fit)
        chart.series.append(.line(intercept: intercept, slope: slope, label: entry.label, color: style.color,
                                  width: adaptive ? 3 : 2, dash: style.dash))
      }
      return chart
    }
    var chart = Chart(title: title, xLabel: "fitted \(data.yName)", yLabel: "residual")
    chart.series.append(.horizontalLine(y: 0))
    for (k, entry) in entries.enumerated() {
      let fitted = entry.fit.fittedValues(response: data.response)
      if entries.count == 1 {
        let band = entry.fit.regression.outlierThreshold * entry.fit.residualScale
        if band > 0 && band.isFinite {
          for (j, y) in [band, -band].enumerated() {
            chart.series.append(.horizontalLine(y: y, label: j == 0 ? "±\(threshold(entry.fit))σ̂" : nil,
                                                color: .grey, dash: .dotted))
          }
        }
        chart.series.append(.scatter(x: fitted, y: entry.fit.residuals,
                                     shade: entry.fit.weights.map { min(1, max(0, $0)) },
                                     shadeLabel: "IRLS weight 0 … 1"))
      } else {
        chart.series.append(.scatter(x: fitted, y: entry.fit.residuals, label: entry.label,
                                     color: style(k, of: entries.count, fit: entry.fit).color))
      }
    }
    return chart
  }

  /// The legend label of a fit: the loss, with α for the general and adaptive losses.
  static func label(of fit: RegressionFit) -> String {
    if case .estimated(let alpha, _, _, _) = fit.shape {
      let criterion = fit.loss.adaptiveCriterion == .variance ? "variance, " : ""
      return "adaptive (\(criterion)α = \(alpha.isInfinite ? Loss.format(alpha: alpha) : twoDecimals(alpha)))"
    }
    return FitRequest.label(of: fit.loss)
  }

  /// α with at most two decimals and no trailing zeros: `0`, `0.31`, `1.5`.
  static func twoDecimals(_ x: Double) -> String {
    var text = String(format: "%.2f", x)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
  }

  /// The adaptive criterion over α (`--profile-plot`): for the likelihood, the profile NLL above its
  /// minimum with the χ²₁ threshold and the interval's ends; for the variance, τ̂ over s (s = α for α ≥ 0,
  /// α/(1 − α) below, so that α = −∞ is s = −1), the chosen shape marked. Nil without a profile.
  static func profileChart(fit: RegressionFit, data: LoadedData) -> Chart? {
    guard let selection = fit.shapeSelection, !selection.profile.isEmpty, let chosen = fit.shape.alpha else { return nil }
    let name = (data.fileName as NSString).lastPathComponent
    switch selection.criterion {
    case .likelihood:
      let minimum = selection.profile.map(\.value).min() ?? 0
      let points = selection.profile.filter { $0.value.isFinite && $0.alpha.isFinite }
      var chart = Chart(title: "\(name): profile negative log-likelihood over α",
                        xLabel: "shape α (β and c fitted at each α)", yLabel: "NLL − minimum")
      let x = points.map(\.alpha), y = points.map { $0.value - minimum }
      chart.series.append(.curve(x: x, y: y, label: "profile NLL", color: Color.palette(0)))
      chart.series.append(.scatter(x: x, y: y, color: Color.palette(0)))
      if let interval = selection.alphaInterval {
        let level = Int((interval.level * 100).rounded())
        chart.series.append(.horizontalLine(y: Normal.chiSquaredOneQuantile(interval.level) / 2,
                                            label: "χ²₁(\(level) %)/2: the \(level) % interval's threshold"))
        let text = "\(level) % interval [\(twoDecimals(interval.lower)), "
          + "\(interval.upper.isFinite ? twoDecimals(interval.upper) : "inf")]"
        for (k, end) in [interval.lower, interval.upper].enumerated() where end.isFinite {
          chart.series.append(.verticalLine(x: end, label: k == 0 ? text : nil, color: Color.palette(1)))
        }
      }
      chart.series.append(.verticalLine(x: chosen, label: "α̂ = \(twoDecimals(chosen))", color: Color.darkGrey,
                                        width: 1.5, dash: .solid))
      return chart
    case .variance:
      let s = ShapeCoordinate.s
      let points = selection.profile.filter { $0.value.isFinite }
      var chart = Chart(title: "\(name): estimated variance of the coefficients over α",
                        xLabel: "shape s: α = s for s ≥ 0, α = s/(1 + s) below (s = −1 is α = −∞)",
                        yLabel: "τ̂, Cov(β̂) = τ̂²(XᵀX)⁻¹")
      let x = points.map { s($0.alpha) }, y = points.map(\.value)
      chart.series.append(.curve(x: x, y: y, label: "τ̂ at c = k(α)·σ̂", color: Color.palette(0)))
      chart.series.append(.scatter(x: x, y: y, color: Color.palette(0)))
      let label = chosen.isInfinite ? Loss.format(alpha: chosen) : twoDecimals(chosen)
      chart.series.append(.verticalLine(x: s(chosen), label: "chosen α = \(label)", color: Color.darkGrey,
                                        width: 1.5, dash: .solid))
      return chart
    }
  }

  /// Writes the chart, turning a write failure into exit 1.
  static func write(_ chart: Chart, to path: String) throws {
    try OutputPaths.write(chart.svg(), to: path, what: "the plot")
  }

  /// Writes the figure, turning a write failure into exit 1.
  static func write(_ figure: Figure, to path: String) throws {
    try OutputPaths.write(figure.svg, to: path, what: "the plot")
  }
}
