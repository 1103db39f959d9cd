import Foundation
import Testing
@testable import RobustRegression

/// ``SEstimator/basinEstimate()`` (the adaptive fit's start on its scan subsample: fast-S's candidates
/// searched on one group of 400 rows, the best two refined on all rows) reaches the same S-estimate as
/// fast-S on all rows (``SEstimator/fit()``: 500 candidates on every row) on seeded data sets with 20–40 %
/// bad points, half of them far leverage points (``SEstimatorReplicateTests/contaminated(n:fraction:seed:)``),
/// at the scan's size (2000 rows) and above it (4000 rows, where ``fit()`` takes lmrob's large-n groups).
@Suite("S-estimate from one group's candidates: the same minimum as fast-S")
struct SEstimatorBasinTests {
  static func problem(n: Int, fraction: Double, seed: UInt64) throws -> FitProblem {
    let (design, y) = try SEstimatorReplicateTests.contaminated(n: n, fraction: fraction, seed: seed)
    let magnitudes = (0..<design.columns).map { j in (0..<design.rows).reduce(0.0) { max($0, abs(design[$1, j])) } }
    return try FitProblem(design: design, response: y, options: FitOptions(), columnMagnitudes: magnitudes)
  }

  @Test("20 data sets per size and fraction", arguments: [(2000, 0.2), (2000, 0.4), (4000, 0.4)])
  func sameMinimum(size: (n: Int, fraction: Double)) throws {
    for seed in UInt64(1)...20 {
      let problem = try Self.problem(n: size.n, fraction: size.fraction, seed: seed)
      let full = try SEstimator(problem: problem, seed: seed).fit()
      let basin = try SEstimator(problem: problem, seed: seed).basinEstimate()
      let label = "n \(size.n), \(size.fraction), seed \(seed)"
      #expect(basin.converged && full.converged, "\(label)")
      // Both refinements stop at lmrob's relative step 1e-7 from different candidates.
      #expect(abs(basin.scale - full.scale) <= 1e-8 * full.scale, "\(label): \(basin.scale) vs \(full.scale)")
      for (a, b) in zip(basin.coefficients, full.coefficients) {
        #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(label): \(basin.coefficients) vs \(full.coefficients)")
      }
    }
  }

  @Test("At most 2 · 400 rows it is fast-S itself")
  func smallProblemIsFastS() throws {
    let problem = try Self.problem(n: 800, fraction: 0.3, seed: 7)
    let full = try SEstimator(problem: problem, seed: 7).fit()
    let basin = try SEstimator(problem: problem, seed: 7).basinEstimate()
    #expect(basin.coefficients == full.coefficients && basin.scale == full.scale)
  }
}
