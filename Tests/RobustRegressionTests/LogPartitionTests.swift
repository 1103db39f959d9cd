import Foundation
import Testing
@testable import RobustRegression

@Suite("log Z(α) of Barron's distribution")
struct LogPartitionTests {
  /// Rows of Fixtures/reference/log_partition.csv (mpmath, 40 digits; Scripts/reference_log_partition.py).
  static let table: [(alpha: Double, logZ: Double, dLogZ: Double)] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let url = root.appendingPathComponent("Fixtures/reference/log_partition.csv")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").dropFirst().map { line in
      let f = line.split(separator: ",").map { Double(String($0).trimmingCharacters(in: .whitespaces))! }
      return (f[0], f[1], f[2])
    }
  }()

  @Test("The reference table is there and covers [0, ∞]")
  func tableIsPresent() {
    #expect(Self.table.count > 400)
    #expect(Self.table.first?.alpha == 0)
    #expect(Self.table.last?.alpha == .infinity)
  }

  @Test("log Z matches the 40-digit reference table to 1e-13 at every row")
  func logZMatchesTable() {
    var worst = 0.0
    for row in Self.table {
      let error = abs(LogPartition.logZ(alpha: row.alpha) - row.logZ)
      worst = max(worst, error)
      #expect(error < 1e-13, "α = \(row.alpha): \(LogPartition.logZ(alpha: row.alpha)) vs \(row.logZ)")
    }
    #expect(worst < 1e-13)
  }

  @Test("d log Z/dα matches the reference table to 1e-12 (−∞ at α = 2, 0 at +∞)")
  func derivativeMatchesTable() {
    for row in Self.table {
      let d = LogPartition.dLogZ(alpha: row.alpha)
      if row.dLogZ.isInfinite {
        #expect(d == row.dLogZ, "α = \(row.alpha)")
      } else {
        #expect(abs(d - row.dLogZ) < 1e-12 * max(1, abs(row.dLogZ)), "α = \(row.alpha): \(d) vs \(row.dLogZ)")
      }
    }
  }

  @Test("The value from `derivatives` is the value of `logZ`")
  func derivativesCarryTheValue() {
    for alpha in [0, 1e-7, 0.4, 1, 1.3, 1.99, 2, 2.2, 7, 1e5, .infinity] {
      #expect(abs(LogPartition.derivatives(alpha: alpha).value - LogPartition.logZ(alpha: alpha)) < 1e-14)
    }
  }

  @Test("Closed forms: Z(0) = π√2, Z(1) = 2e·K₁(1), Z(2) = √(2π), log Z(∞)")
  func closedForms() {
    #expect(abs(LogPartition.logZ(alpha: 0) - log(Double.pi * 2.0.squareRoot())) < 1e-15)
    // K₁(1) = 0.60190723019723457474 (Abramowitz & Stegun table 9.8; DLMF 10.25).
    #expect(abs(LogPartition.logZ(alpha: 1) - log(2 * M_E * 0.60190723019723457474)) < 1e-15)
    #expect(abs(exp(LogPartition.logZ(alpha: 1)) - 3.272306972526516) < 1e-14)
    #expect(abs(LogPartition.logZ(alpha: 2) - 0.5 * log(2 * Double.pi)) < 1e-15)
    // log ∫ exp(1 − exp(t²/2)) dt = 0.705260254417569688269… (mpmath, two different integrals). Docs/spec.md §5
    // prints 0.70526025442689566, 9.3e-12 too large: this test pins the corrected value.
    #expect(abs(LogPartition.logZ(alpha: .infinity) - 0.705260254417569688) < 1e-15)
  }

  @Test("The quadrature path agrees with each closed form next to it", arguments: [
    (0.0, 1e-300), (0.0, 1e-14), (1.0, 1e-12), (1.0, -1e-12), (2.0, -1e-13), (2.0, 1e-13),
  ])
  func quadratureMeetsClosedForms(center: Double, offset: Double) {
    let near = LogPartition.logZ(alpha: center + offset)
    let exact = LogPartition.logZ(alpha: center)
    // |d log Z/dα| ≤ 0.86 away from 2 and ~(1/4)|log|α − 2|| + 1 next to it.
    #expect(abs(near - exact) < 1e-14 + 10 * abs(offset) * (1 + abs(log(abs(offset)))))
  }

  @Test("Large α tends to the α = ∞ closed form like O(1/α)")
  func largeAlphaLimit() {
    let limit = LogPartition.logZ(alpha: .infinity)
    #expect(abs(LogPartition.logZ(alpha: 1e300) - limit) < 1e-15)
    #expect(abs(LogPartition.logZ(alpha: 1e16) - limit) < 1e-15)
    // α·(log Z(α) − log Z(∞)) settles to a constant.
    let a = 1e6 * (LogPartition.logZ(alpha: 1e6) - limit)
    let b = 1e7 * (LogPartition.logZ(alpha: 1e7) - limit)
    #expect(abs(a - b) < 1e-3 * abs(a))
  }

  @Test("log Z is strictly decreasing in α, and its derivative is negative")
  func decreasing() {
    var previous = Double.infinity
    for i in 0...400 {
      let alpha = Double(i) / 40
      let value = LogPartition.logZ(alpha: alpha)
      #expect(value < previous, "α = \(alpha)")
      previous = value
      if alpha != 2 { #expect(LogPartition.dLogZ(alpha: alpha) < 0, "α = \(alpha)") }
    }
    #expect(LogPartition.logZ(alpha: .infinity) < LogPartition.logZ(alpha: 1e3))
  }

  @Test("d log Z/dα agrees with central differences of log Z", arguments: [0.05, 0.3, 1, 1.7, 2.6, 12])
  func firstDerivativeMatchesDifferences(alpha: Double) {
    let numeric = fivePointDerivative({ LogPartition.logZ(alpha: $0) }, at: alpha, step: min(1e-3, alpha / 4))
    #expect(abs(LogPartition.dLogZ(alpha: alpha) - numeric) < 1e-8)
  }

  @Test("d² log Z/dα² agrees with central differences of d log Z/dα",
        arguments: [1e-3, 0.3, 1, 1.7, 1.999, 2.001, 3, 40])
  func secondDerivativeMatchesDifferences(alpha: Double) {
    let h = min(1e-4, abs(alpha - 2) / 50, alpha / 4)
    let numeric = fivePointDerivative({ LogPartition.dLogZ(alpha: $0) }, at: alpha, step: h)
    let analytic = LogPartition.d2LogZ(alpha: alpha)
    #expect(abs(analytic - numeric) < 1e-6 * max(1, abs(numeric)), "\(analytic) vs \(numeric)")
  }

  @Test("d log Z/dα diverges like (1/4)·log|α − 2| on both sides of 2")
  func logarithmicSingularityAtTwo() {
    for side in [-1.0, 1.0] {
      let far = LogPartition.dLogZ(alpha: 2 + side * 1e-7)
      let near = LogPartition.dLogZ(alpha: 2 + side * 1e-9)
      // E[z] = 1 at the Gaussian, so the coefficient of log|α − 2| is 1/4.
      #expect(abs((near - far) - 0.25 * log(1e-2)) < 1e-5)
    }
    #expect(LogPartition.dLogZ(alpha: 2) == -.infinity)
    #expect(LogPartition.d2LogZ(alpha: 2) == -.infinity)
    #expect(LogPartition.dLogZ(alpha: .infinity) == 0)
  }
}
