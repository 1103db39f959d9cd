import Foundation
import Testing
@testable import RobustRegression

/// The breakdown behaviour of fast-S's candidate search (``CandidateBlock``: tasks of 100 elemental
/// candidates each on all cores, lmrob's order of scale step and weights) over many seeded data sets with
/// 40–45 % bad points in x and y, on both paths: all rows as one block (n ≤ 2000) and the large-n
/// groups (n > 2000). The truth is y = 1 + 2x₁ − x₂ + N(0, 0.5²), x ~ U(0, 10)²; of the bad rows half
/// are far leverage points (x₁ ≈ 50, y ≈ −100) and half vertical outliers (y shifted up by 30–40).
@Suite("S-estimate replicates: breakdown kept with 40–45 % contamination")
struct SEstimatorReplicateTests {
  static let truth = [1.0, 2.0, -1.0]

  static func contaminated(n: Int, fraction: Double, seed: UInt64) throws -> (DesignMatrix, [Double]) {
    var random = TestRandom(state: seed)
    let bad = Int(fraction * Double(n))
    var x1 = [Double](), x2 = [Double](), y = [Double]()
    for i in 0..<n {
      let a = 10 * random.uniform(), b = 10 * random.uniform(), e = 0.5 * random.normal()
      if i < bad / 2 {
        x1.append(50 + random.uniform()); x2.append(5 + random.uniform()); y.append(-100 + random.normal())
      } else if i < bad {
        x1.append(a); x2.append(b); y.append(1 + 2 * a - b + 30 + 10 * random.uniform())
      } else {
        x1.append(a); x2.append(b); y.append(1 + 2 * a - b + e)
      }
    }
    return (try DesignMatrix(predictors: [x1, x2], names: ["x1", "x2"]), y)
  }

  /// The M-scale of the residuals at the true coefficients: the S-estimate minimises it, so a search that
  /// found the minimum has a scale no larger.
  static func scaleAtTruth(_ design: DesignMatrix, _ y: [Double]) -> Double {
    let r = design.residuals(y, truth)
    return r.withUnsafeBufferPointer {
      MScale.solve($0, degreesOfFreedom: Double(design.rows - design.columns), initial: 1).scale
    }
  }

  static func check(n: Int, fraction: Double, seeds: ClosedRange<UInt64>) throws {
    for seed in seeds {
      let (design, y) = try contaminated(n: n, fraction: fraction, seed: seed)
      let s = try Regression(loss: .s, seed: seed).fit(design, response: y)
      let estimate = try #require(s.sEstimate)
      #expect(estimate.converged, "n \(n), \(fraction), seed \(seed)")
      // Slopes near the truth (S's efficiency is 29 %: a standard error of about 0.03 here).
      let slopes = zip(s.estimates.dropFirst(), truth.dropFirst()).map { abs($0 - $1) }.max()!
      #expect(slopes < 0.2, "n \(n), \(fraction), seed \(seed): S \(s.estimates)")
      #expect(abs(s.estimates[0] - truth[0]) < 1.5, "n \(n), \(fraction), seed \(seed): S \(s.estimates)")
      #expect(estimate.scale <= scaleAtTruth(design, y) * (1 + 1e-9),
              "n \(n), \(fraction), seed \(seed): S-scale \(estimate.scale) above the truth's")
      let mm = try Regression(loss: .mm, seed: seed).fit(design, response: y)
      let mmSlopes = zip(mm.estimates.dropFirst(), truth.dropFirst()).map { abs($0 - $1) }.max()!
      #expect(mmSlopes < 0.1, "n \(n), \(fraction), seed \(seed): MM \(mm.estimates)")
    }
  }

  @Test("All rows one block (n = 200): 20 data sets per fraction", arguments: [0.4, 0.45])
  func smallSample(fraction: Double) throws {
    try Self.check(n: 200, fraction: fraction, seeds: 1...20)
  }

  @Test("Large-n groups (n = 2500): 3 data sets per fraction", arguments: [0.4, 0.45])
  func largeSample(fraction: Double) throws {
    try Self.check(n: 2500, fraction: fraction, seeds: 101...103)
  }

  @Test("The accelerated refinement ends at the plain iteration's S-estimate (same fixed point)")
  func refinementFixedPoint() throws {
    let (design, y) = try Self.contaminated(n: 2500, fraction: 0.3, seed: 7)
    let fit = try Regression(loss: .s, seed: 7).fit(design, response: y)
    let estimate = try #require(fit.sEstimate)
    // At the S-estimate β is the bisquare-weighted least squares of its own weights at c·s, and s solves
    // the M-scale equation: one plain step from it moves β by no more than the tolerance allows.
    let r = design.residuals(y, estimate.coefficients)
    let c = MScale.breakdownConstant * estimate.scale
    let w = r.map { TukeyBiweightLoss().weight($0 / c) }
    let next = try #require(try w.withUnsafeBufferPointer { try NormalEquations.solveQR(design: design, response: y, weights: $0) })
    #expect(IRLS.relativeChange(next, estimate.coefficients) <= 1e-6, "\(next) vs \(estimate.coefficients)")
    let meanRho = r.withUnsafeBufferPointer {
      MScale.meanRho($0, scale: estimate.scale, c: MScale.breakdownConstant, degreesOfFreedom: Double(design.rows - 3))
    }
    #expect(abs(meanRho - MScale.b) <= 1e-8)
  }
}
