import Foundation
import Testing
@testable import RobustRegression

/// The adaptive loss's two criteria (issue 14): the variance criterion against a dense brute-force search
/// through the public API, its k(α), the likelihood's profile interval against a brute-force profile, and
/// the likelihood with c held.
@Suite("Adaptive criteria: the variance's choice, k(α), the profile interval, c held")
struct AdaptiveCriterionTests {
  static let fixtures = ["line_outliers.csv", "seventy_thirty.csv", "heavy_tailed.csv", "gaussian_line.csv"]

  /// τ̂ of a fixed-shape fit at c = k(α)·σ̂ from `start`, read from its public covariance:
  /// Cov = τ̂²·(XᵀX)⁻¹, so τ̂² = Cov₀₀ / [(XᵀX)⁻¹]₀₀ (for one predictor and an intercept).
  static func tau(alpha: Double, sigma: Double, start: [Double], design: DesignMatrix, y: [Double]) throws -> Double {
    let k = MinimumVarianceFitter.varianceTuning(alpha: alpha)
    let fit = try Regression(loss: .general(alpha: alpha, k: 1), scale: .fixed(k * sigma), start: .coefficients(start))
      .fit(design, response: y)
    guard let covariance = fit.covariance else { return .infinity }
    let x = (0..<design.rows).map { design[$0, 1] }
    let n = Double(x.count), sx = x.reduce(0, +), sxx = x.reduce(0) { $0 + $1 * $1 }
    let inverse00 = sxx / (n * sxx - sx * sx)
    return (covariance.matrix[0] / inverse00).squareRoot()
  }

  @Test("variance: the chosen α's τ̂ is the smallest of a dense search (121 shapes over s ∈ [−1, 2])",
        arguments: ["line_outliers.csv", "heavy_tailed.csv", "gaussian_line.csv"])
  func varianceChoiceIsSmallest(file: String) throws {
    let (design, y) = try Fixtures.regressionData(file)
    let fit = try Regression(loss: .adaptive(criterion: .variance)).fit(design, response: y)
    let s = try Regression(loss: .s).fit(design, response: y)
    let start = try #require(s.sEstimate).coefficients, sigma = try #require(s.sEstimate).scale
    let chosen = try #require(fit.shape.alpha)
    let selection = try #require(fit.shapeSelection)
    #expect(selection.criterion == .variance && selection.alphaInterval == nil)
    #expect(fit.residualScale == sigma && fit.residualScaleSource == .sEstimate)
    // The reported τ̂ is the public fit's at the chosen α.
    let reported = try #require(selection.profile.first { $0.alpha == chosen }).value
    let recomputed = try Self.tau(alpha: chosen, sigma: sigma, start: start, design: design, y: y)
    #expect(abs(reported - recomputed) <= 1e-8 * reported, "\(file): τ̂ \(reported) vs \(recomputed)")
    #expect(abs(fit.lossScale - MinimumVarianceFitter.varianceTuning(alpha: chosen) * sigma) <= 1e-12 * fit.lossScale)
    var best = (alpha: Double.nan, tau: Double.infinity)
    for i in 0...120 {
      let alpha = ShapeCoordinate.alpha(-1 + 3 * Double(i) / 120)
      let value = try Self.tau(alpha: alpha, sigma: sigma, start: start, design: design, y: y)
      if value < best.tau { best = (alpha, value) }
    }
    #expect(reported <= best.tau * (1 + 1e-3), "\(file): chosen α \(chosen) τ̂ \(reported); dense best α \(best.alpha) τ̂ \(best.tau)")
  }

  @Test("k(α): 95 % Gaussian efficiency up to α = 1.5, then k(1.5) held, at least 95 % efficient, up to 2")
  func tuningOfTheVarianceCriterion() {
    for alpha in [-Double.infinity, -10, -2, -0.5, 0, 0.5, 1, 1.25, 1.5] {
      let k = MinimumVarianceFitter.varianceTuning(alpha: alpha)
      let efficiency = TuningConstant.efficiency(of: BarronLoss(alpha: alpha), tuning: k)
      #expect(abs(efficiency - 0.95) < 1e-9, "α \(alpha): k \(k), efficiency \(efficiency)")
    }
    #expect(abs(MinimumVarianceFitter.heldTuning - 0.4711) < 1e-4)  // scipy: Scripts/studies/variance_criterion/ktable.txt
    for alpha in stride(from: 1.51, through: 1.99, by: 0.02) {
      let k = MinimumVarianceFitter.varianceTuning(alpha: alpha)
      #expect(k == MinimumVarianceFitter.heldTuning)
      let efficiency = TuningConstant.efficiency(of: BarronLoss(alpha: alpha), tuning: k)
      #expect(efficiency >= 0.95, "α \(alpha): efficiency \(efficiency)")
    }
  }

  @Test("Gaussian efficiency at small k equals scipy's quadrature (Scripts/studies/variance_criterion/ktable.txt)")
  func efficiencyAtSmallTuning() {
    // (α, k, efficiency to 4 decimals) from ktable.txt: the L_α limit as k → 0.
    let table: [(Double, Double, Double)] = [
      (1.5, 0.02, 0.9273), (1.6, 0.02, 0.9554), (1.7, 0.02, 0.9760), (1.8, 0.02, 0.9898), (1.0, 0.02, 0.6516),
      (1.6, 0.5, 0.9676), (0, 0.5, 0.6482), (-2, 1, 0.7822),
    ]
    for (alpha, k, expected) in table {
      let efficiency = TuningConstant.efficiency(of: BarronLoss(alpha: alpha), tuning: k)
      #expect(abs(efficiency - expected) <= 0.6e-4, "α \(alpha), k \(k): \(efficiency) vs scipy \(expected)")
    }
    // No 95 % root above α* ≈ 1.5788 (where L_α regression is 95 % efficient: E|Z|^(2α−2) against ((α−1)E|Z|^(α−2))²).
    #expect(TuningConstant.efficient(for: BarronLoss(alpha: 1.6)) == nil)
    #expect(TuningConstant.efficient(for: BarronLoss(alpha: 1.57)) != nil)
  }

  @Test("s(α) and α(s) are inverse, with α = −∞ at s = −1")
  func searchCoordinate() {
    for alpha in [-Double.infinity, -1e6, -3, -1, -0.25, 0, 0.5, 2] {
      let s = ShapeCoordinate.s(alpha)
      #expect(ShapeCoordinate.alpha(s) == alpha || abs(ShapeCoordinate.alpha(s) - alpha) <= 1e-9 * abs(alpha))
    }
    #expect(ShapeCoordinate.s(-.infinity) == -1 && ShapeCoordinate.s(-1) == -0.5)
  }

  @Test("variance: equivariant in y's units (α the same, β and c scaled)")
  func varianceEquivariance() throws {
    let (design, y) = try Fixtures.regressionData("line_outliers.csv")
    let a = try Regression(loss: .adaptive(criterion: .variance)).fit(design, response: y)
    let b = try Regression(loss: .adaptive(criterion: .variance)).fit(design, response: y.map { 1000 * $0 })
    #expect(a.shape.alpha == b.shape.alpha || abs(a.shape.alpha! - b.shape.alpha!) < 1e-6)
    for j in 0..<2 { #expect(abs(1000 * a.estimates[j] - b.estimates[j]) <= 1e-6 * abs(b.estimates[j])) }
    #expect(abs(1000 * a.lossScale - b.lossScale) <= 1e-6 * b.lossScale)
  }

  /// The profile NLL at α through the public API: β and c fitted with α held.
  static func profileNLL(_ alpha: Double, design: DesignMatrix, y: [Double], scale: ScaleRule = .mad) throws -> Double {
    try Regression(loss: .adaptive(alphaRange: alpha...alpha), scale: scale).fit(design, response: y).objective.value
  }

  @Test("likelihood: the 95 % profile interval's ends match a brute-force profile (grid of 0.05, then bisection)",
        arguments: fixtures)
  func profileInterval(file: String) throws {
    let (design, y) = try Fixtures.regressionData(file)
    let fit = try Regression(loss: .adaptive).fit(design, response: y)
    let interval = try #require(fit.shapeSelection?.alphaInterval)
    let alphaHat = try #require(fit.shape.alpha)
    let threshold = fit.objective.value + 3.841458820694124 / 2
    #expect(interval.level == 0.95 && interval.lower <= alphaHat && alphaHat <= interval.upper)
    // Brute force: the profile on a grid, then bisection on the bracketing cell.
    let grid = (0...40).map { Double($0) * 0.05 }
    let values = try grid.map { try Self.profileNLL($0, design: design, y: y) }
    func end(from inside: Double, to outside: Double) throws -> Double {
      var a = inside, b = outside
      for _ in 0..<14 {
        let mid = (a + b) / 2
        if try Self.profileNLL(mid, design: design, y: y) <= threshold { a = mid } else { b = mid }
      }
      return (a + b) / 2
    }
    let upperIndex = grid.indices.first { grid[$0] > alphaHat && values[$0] > threshold }
    if let i = upperIndex {
      let bruteForce = try end(from: max(alphaHat, grid[i - 1]), to: grid[i])
      #expect(!interval.upperOnBound && abs(interval.upper - bruteForce) < 2e-3, "\(file): upper \(interval.upper) vs \(bruteForce)")
    } else {
      #expect(interval.upperOnBound && interval.upper == 2, "\(file): \(interval)")
    }
    let lowerIndex = grid.indices.last { grid[$0] < alphaHat && values[$0] > threshold }
    if let i = lowerIndex {
      let bruteForce = try end(from: min(alphaHat, grid[i + 1]), to: grid[i])
      #expect(!interval.lowerOnBound && abs(interval.lower - bruteForce) < 2e-3, "\(file): lower \(interval.lower) vs \(bruteForce)")
    } else {
      #expect(interval.lowerOnBound && interval.lower == 0, "\(file): \(interval)")
    }
    // The profile reported is the NLL at its α (within the fit's tolerance), never below the optimum.
    for point in try #require(fit.shapeSelection).profile {
      #expect(point.value >= fit.objective.value - 1e-7 * abs(fit.objective.value))
    }
  }

  @Test("the interval's next step: the root of the quadratic through the optimum and the last point",
        arguments: [(0.0, 3.0), (0.0, 0.2), (5.0, 40.0), (0.5, 1e4)])
  func quadraticReach(slope g: Double, curvature a: Double) {
    let reach = 1.920729410347062, distance = 0.9 * (2 * reach / (g + (g * g + 4 * a * reach).squareRoot()))
    let root = 2 * reach / (g + (g * g + 4 * a * reach).squareRoot())
    // On an exact quadratic g·Δ + a·Δ² the step is its root (inside the 1–4× band here).
    let next = AdaptiveFitter.quadraticReach(from: distance, rise: g * distance + a * distance * distance,
                                             slope: g, to: reach)
    #expect(abs(next - root) <= 1e-12 * root)
    // With g = 0 it is the signed root's linear extrapolation, distance·√(reach/rise).
    if g == 0 { #expect(abs(next - distance * (reach / (a * distance * distance)).squareRoot()) <= 1e-12 * root) }
    // No positive curvature: twice the distance; a far root: four times it; never shorter than the distance.
    #expect(AdaptiveFitter.quadraticReach(from: distance, rise: g * distance, slope: g, to: reach) == 2 * distance)
    #expect(AdaptiveFitter.quadraticReach(from: 1, rise: 1e-6, slope: 0, to: reach) == 4)
    #expect(AdaptiveFitter.quadraticReach(from: 1, rise: reach * 0.999, slope: 0, to: reach) >= 1)
  }

  @Test("likelihood above 10 000 rows (the profile on all rows): the interval's ends bracket the threshold")
  func profileIntervalLargeN() throws {
    let (design, y) = try AdaptiveRecoveryTests.data(alpha: 1, seed: 77, n: 12_000)
    let fit = try Regression(loss: .adaptive).fit(design, response: y)
    let interval = try #require(fit.shapeSelection?.alphaInterval)
    let alphaHat = try #require(fit.shape.alpha)
    #expect(!interval.lowerOnBound && !interval.upperOnBound && interval.lower < alphaHat && alphaHat < interval.upper)
    let threshold = fit.objective.value + 3.841458820694124 / 2
    // Just inside each end the profile is below the threshold, just outside above it.
    for (end, outward) in [(interval.lower, -1.0), (interval.upper, 1.0)] {
      let inside = try Self.profileNLL(end - outward * 0.01, design: design, y: y)
      let outside = try Self.profileNLL(end + outward * 0.01, design: design, y: y)
      #expect(inside < threshold && outside > threshold, "end \(end): \(inside), \(outside) vs \(threshold)")
    }
    // The Wald interval from the observed information is close at this size.
    let se = try #require({ if case .estimated(_, let se, _, _) = fit.shape { return se } else { return nil } }())
    #expect(abs((interval.upper - interval.lower) / (2 * 1.959963984540054 * se) - 1) < 0.2)
  }

  @Test("likelihood above 10 000 rows: the interval's ends (profile points to an NLL tolerance) match a bisection of the public profile to 5e-4",
        arguments: [(1.0, UInt64(77)), (0.3, UInt64(5))])
  func profileIntervalLargeNBruteForce(alpha: Double, seed: UInt64) throws {
    let (design, y) = try AdaptiveRecoveryTests.data(alpha: alpha, seed: seed, n: 12_000)
    let fit = try Regression(loss: .adaptive).fit(design, response: y)
    let interval = try #require(fit.shapeSelection?.alphaInterval)
    let threshold = fit.objective.value + 3.841458820694124 / 2
    // Brute force: each end bisected between α̂ ∓ nothing and a point 0.05 beyond it (both checked to
    // bracket the threshold), every profile value a full fit with α held at the default tolerance.
    for (end, onBound, outward) in [(interval.lower, interval.lowerOnBound, -1.0), (interval.upper, interval.upperOnBound, 1.0)] {
      if onBound { continue }
      var inside = end - outward * 0.05, outside = end + outward * 0.05
      #expect(try Self.profileNLL(inside, design: design, y: y) <= threshold)
      #expect(try Self.profileNLL(outside, design: design, y: y) > threshold)
      for _ in 0..<9 {
        let mid = (inside + outside) / 2
        if try Self.profileNLL(mid, design: design, y: y) <= threshold { inside = mid } else { outside = mid }
      }
      let bruteForce = (inside + outside) / 2
      #expect(abs(end - bruteForce) < 5e-4, "α = \(alpha): end \(end) vs brute force \(bruteForce)")
    }
  }

  @Test("likelihood between 2000 and 10 000 rows (the scan on a subsample, the interval profiled on all rows): the ends match a bisection of the public profile to 5e-4",
        arguments: [(1.0, UInt64(77)), (0.3, UInt64(5)), (1.8, UInt64(11))])
  func profileIntervalSubsampledScanBruteForce(alpha: Double, seed: UInt64) throws {
    let (design, y) = try AdaptiveRecoveryTests.data(alpha: alpha, seed: seed, n: 5_000)
    let fit = try Regression(loss: .adaptive).fit(design, response: y)
    let interval = try #require(fit.shapeSelection?.alphaInterval)
    let alphaHat = try #require(fit.shape.alpha)
    #expect(interval.lower <= alphaHat && alphaHat <= interval.upper)
    // The optimum is no worse than the profile on a grid (the scan on a subsample still finds the basin).
    for grid in stride(from: 0.0, through: 2.0, by: 0.25) {
      let value = try Self.profileNLL(grid, design: design, y: y)
      #expect(fit.objective.value <= value + 1e-7 * abs(value), "α = \(alpha): NLL \(fit.objective.value) vs α \(grid): \(value)")
    }
    let threshold = fit.objective.value + 3.841458820694124 / 2
    for (end, onBound, outward) in [(interval.lower, interval.lowerOnBound, -1.0), (interval.upper, interval.upperOnBound, 1.0)] {
      if onBound {
        // The profile stays below the threshold up to the bound.
        #expect(try Self.profileNLL(end, design: design, y: y) <= threshold, "α = \(alpha): bound \(end)")
        continue
      }
      var inside = max(0, min(2, end - outward * 0.05)), outside = max(0, min(2, end + outward * 0.05))
      #expect(try Self.profileNLL(inside, design: design, y: y) <= threshold)
      #expect(try Self.profileNLL(outside, design: design, y: y) > threshold)
      for _ in 0..<9 {
        let mid = (inside + outside) / 2
        if try Self.profileNLL(mid, design: design, y: y) <= threshold { inside = mid } else { outside = mid }
      }
      let bruteForce = (inside + outside) / 2
      #expect(abs(end - bruteForce) < 5e-4, "α = \(alpha): end \(end) vs brute force \(bruteForce)")
    }
  }

  @Test("likelihood with c held (ScaleRule.fixed): c is the given one, α and β no worse than any α on a grid")
  func likelihoodWithFixedScale() throws {
    let (design, y) = try Fixtures.regressionData("heavy_tailed.csv")
    for c in [0.2, 0.5, 2.0] {
      let fit = try Regression(loss: .adaptive, scale: .fixed(c)).fit(design, response: y)
      #expect(fit.lossScale == c && fit.lossScaleSource == .given)
      guard case .estimated = fit.shape else { Issue.record("shape not estimated"); continue }
      for alpha in stride(from: 0.0, through: 2.0, by: 0.1) {
        let value = try Self.profileNLL(alpha, design: design, y: y, scale: .fixed(c))
        #expect(fit.objective.value <= value + 1e-7 * abs(value), "c \(c): NLL \(fit.objective.value) vs α \(alpha): \(value)")
      }
    }
  }
}

@Suite("Adaptive: many coefficients per observation")
struct ManyPredictorsTests {
  /// Gaussian noise, an intercept and `predictors` standard-normal columns, n rows, from a fixed seed.
  static func data(rows n: Int, predictors q: Int) throws -> (DesignMatrix, [Double]) {
    var generator = SplitMix64(seed: 0xA11CE + UInt64(q))
    func gaussian() -> Double {
      let u1 = 1 - Double(generator.next() >> 11) * 0x1p-53, u2 = Double(generator.next() >> 11) * 0x1p-53
      return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    let columns = (0..<q).map { _ in (0..<n).map { _ in gaussian() } }
    let y = (0..<n).map { i in 1 + columns.reduce(0) { $0 + 0.5 * $1[i] } + gaussian() }
    return (try DesignMatrix(predictors: columns), y)
  }

  @Test("above p/n = 0.1 the likelihood fit warns that α and c are biased down; at 0.05 it does not; the variance criterion does not warn")
  func warning() throws {
    let (wide, yWide) = try Self.data(rows: 200, predictors: 40)  // p/n = 41/200
    let fit = try Regression(loss: .adaptive).fit(wide, response: yWide)
    #expect(fit.warnings.contains(.manyCoefficientsPerObservation(parameters: 41, rows: 200)))
    let variance = try Regression(loss: .adaptive(criterion: .variance)).fit(wide, response: yWide)
    #expect(!variance.warnings.contains { if case .manyCoefficientsPerObservation = $0 { true } else { false } })
    let (narrow, yNarrow) = try Self.data(rows: 200, predictors: 9)  // p/n = 0.05
    let narrowFit = try Regression(loss: .adaptive).fit(narrow, response: yNarrow)
    #expect(!narrowFit.warnings.contains { if case .manyCoefficientsPerObservation = $0 { true } else { false } })
  }
}
