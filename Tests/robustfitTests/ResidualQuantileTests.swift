import RobustRegression
import Testing
@testable import robustfit

/// The report's residual quantiles: R's type 7 without weights, those of the repeated rows with them.
@Suite("Residual quantiles, with and without case weights")
struct ResidualQuantileTests {
  @Test("1…10 gives R's quantile(1:10): 1, 3.25, 5.5, 7.75, 10, in any order")
  func typeSeven() {
    let q = ResidualSummary.quantiles([7, 3, 10, 1, 5, 2, 9, 4, 8, 6])
    #expect(q == [1, 3.25, 5.5, 7.75, 10])
  }

  @Test("whole-number weights give the quantiles of the repeated rows; weight 0 drops a row", arguments: 0..<20)
  func repeatedRows(seed: Int) {
    var generator = SplitMix64(seed: UInt64(seed + 1))
    let n = 1 + seed % 9
    let residuals = (0..<n).map { _ in (Double.random(in: 0..<1, using: &generator) - 0.5) * 10 }
    let weights = (0..<n).map { _ in Double(Int.random(in: 0...3, using: &generator)) }
    guard weights.reduce(0, +) > 0 else { return }
    let repeated = zip(residuals, weights).flatMap { Array(repeating: $0, count: Int($1)) }
    #expect(ResidualSummary.quantiles(residuals, weights: weights) == ResidualSummary.quantiles(repeated))
  }

  @Test("the quantiles move continuously with a fractional weight")
  func continuity() {
    let r = [-2.0, 0.5, 1.0, 4.0, 9.0]
    let whole = ResidualSummary.quantiles(r, weights: [1, 2, 1, 1, 3])
    let near = ResidualSummary.quantiles(r, weights: [1, 2, 1, 1, 3 - 1e-9])
    for (a, b) in zip(whole, near) { #expect(abs(a - b) < 1e-6, "\(a) vs \(b)") }
  }
}
