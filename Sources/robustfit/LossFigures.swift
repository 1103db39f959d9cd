import Foundation
import RobustRegression
import SVGPlot

/// The figures of the loss family and of Barron's distribution that `robustfit figures` writes, computed
/// with the library's own `BarronLoss`, `HuberLoss`, `LogPartition` and `BarronDistribution`.
enum LossFigures {
  /// One named figure.
  struct Figure {
    /// The file name (`loss-family.svg`, ...).
    let fileName: String
    /// What it shows, one line (printed by the command).
    let caption: String
    /// The SVG document.
    let svg: String
  }

  /// Every figure, in the order they are written.
  static func all() -> [Figure] {
    [lossFamily(), logPartition(), negativeLogLikelihood()]
  }

  /// A shape of the loss family drawn in the figures, with its label and colour (the same in every panel).
  struct Shape {
    let alpha: Double
    let label: String
    let color: Color
  }

  /// α ∈ {2, 1, 0, −2, −∞}: least squares, pseudo-Huber, Cauchy, Geman-McClure, Welsch.
  static let familyShapes: [Shape] = [
    Shape(alpha: 2, label: "α = 2 (L2)", color: Color.palette(0)),
    Shape(alpha: 1, label: "α = 1 (pseudo-Huber)", color: Color.palette(1)),
    Shape(alpha: 0, label: "α = 0 (Cauchy)", color: Color.palette(2)),
    Shape(alpha: -2, label: "α = −2 (Geman-McClure)", color: Color.palette(3)),
    Shape(alpha: -.infinity, label: "α = −∞ (Welsch)", color: Color.palette(4)),
  ]

  /// The residual grid of the ρ, w and NLL panels: x = r/c from −6 to 6 (c = 1).
  static let residuals: [Double] = (0...600).map { -6 + Double($0) * 0.02 }

  /// (a) ρ(x) and the IRLS weight w(x) against the residual x (c = 1) for the Barron shapes and Huber.
  static func lossFamily() -> Figure {
    var rho = Chart(title: "Loss ρ(x)", xLabel: "residual x (c = 1)", yLabel: "ρ(x)", width: 560, height: 420,
                    yRange: 0...8.5, legend: .topCenter)
    var weight = Chart(title: "IRLS weight w(x) = ψ(x)/x", xLabel: "residual x (c = 1)", yLabel: "w(x)",
                       width: 560, height: 420, yRange: 0...1.08, legend: .none)
    for shape in familyShapes {
      let loss = BarronLoss(alpha: shape.alpha)
      rho.series.append(.curve(x: residuals, y: residuals.map(loss.rho), label: shape.label, color: shape.color))
      weight.series.append(.curve(x: residuals, y: residuals.map(loss.weight), color: shape.color))
    }
    let huber = HuberLoss()
    rho.series.append(.curve(x: residuals, y: residuals.map(huber.rho), label: "Huber", color: .black,
                             width: 1.5, dash: .dashed))
    weight.series.append(.curve(x: residuals, y: residuals.map(huber.weight), color: .black, width: 1.5,
                                dash: .dashed))
    let grid = ChartGrid(charts: [rho, weight], columns: 2,
                         title: "Barron's loss family and Huber: the loss and the weight IRLS gives a residual")
    return Figure(fileName: "loss-family.svg",
                  caption: "ρ(x) and w(x) for α = 2, 1, 0, −2, −∞ and Huber (c = 1)", svg: grid.svg())
  }

  /// (b) log Z(α) over α ∈ [0, 8], with the closed forms at α = 0, 1, 2 and the limit log Z(∞) marked.
  static func logPartition() -> Figure {
    // Uniform in α, plus points crowding towards α = 2, where d log Z/dα diverges like log|α − 2|/4.
    var alphas = (0...400).map { Double($0) * 0.02 }
    for k in 1...12 {
      let gap = pow(2, -Double(k)) * 0.02
      alphas.append(2 - gap)
      alphas.append(2 + gap)
    }
    alphas.sort()
    var chart = Chart(title: "log Z(α), the log-partition function of Barron's distribution",
                      xLabel: "shape α", yLabel: "log Z(α)", width: 760, height: 440, xRange: -0.2...8.2,
                      yRange: 0.6...1.55)
    chart.series.append(.horizontalLine(y: LogPartition.logZAtInfinity,
                                        label: "limit α → ∞: log Z(∞) = \(String(format: "%.4f", LogPartition.logZAtInfinity))",
                                        color: .grey, width: 1.5, dash: .dashed))
    chart.series.append(.curve(x: alphas, y: alphas.map { LogPartition.logZ(alpha: $0) },
                               label: "log Z(α) (quadrature)", color: Color.palette(0), width: 2.5))
    chart.series.append(.scatter(
      x: [0, 1, 2],
      y: [LogPartition.logZAtZero, LogPartition.logZAtOne, LogPartition.logZAtTwo],
      label: "closed forms at α = 0, 1, 2: log(π√2), log(2e·K₁(1)), log √(2π)", color: Color.palette(1), radius: 5))
    return Figure(fileName: "log-partition.svg",
                  caption: "log Z(α) for α in [0, 8], closed forms at 0, 1, 2 and the limit at ∞",
                  svg: chart.svg())
  }

  /// α ∈ {0, 0.5, 1, 1.5, 2, 4}, the shapes of the NLL and density panels.
  static let distributionShapes: [Shape] = [0, 0.5, 1, 1.5, 2, 4].enumerated().map { k, alpha in
    Shape(alpha: alpha, label: "α = \(NumberText.alpha(alpha))", color: Color.palette(k))
  }

  /// (c) The NLL −log p(x | α, c = 1) = ρ(x; α) + log Z(α) and the density p(x | α, 1) against x.
  static func negativeLogLikelihood() -> Figure {
    var nll = Chart(title: "Negative log-likelihood −log p(x | α, c = 1)", xLabel: "residual x",
                    yLabel: "ρ(x; α) + log Z(α)", width: 560, height: 420, yRange: 0...5.2, legend: .topCenter)
    var density = Chart(title: "Density p(x | α, c = 1)", xLabel: "residual x", yLabel: "p(x)",
                        width: 560, height: 420, yRange: 0...0.5, legend: .none)
    for shape in distributionShapes {
      let distribution = BarronDistribution(alpha: shape.alpha)
      nll.series.append(.curve(x: residuals, y: residuals.map { -distribution.logDensity($0) }, label: shape.label,
                               color: shape.color))
      density.series.append(.curve(x: residuals, y: residuals.map(distribution.density), color: shape.color))
    }
    let grid = ChartGrid(charts: [nll, density], columns: 2,
                         title: "Barron's distribution: a smaller α has heavier tails but pays a larger log Z(α)")
    return Figure(fileName: "barron-nll.svg",
                  caption: "−log p(x | α, 1) and p(x | α, 1) for α = 0, 0.5, 1, 1.5, 2, 4", svg: grid.svg())
  }
}
