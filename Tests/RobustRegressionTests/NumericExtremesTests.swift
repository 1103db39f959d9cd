import Foundation
import Testing
@testable import RobustRegression

/// The robustness suite of the adversarial run's defects (CHANGELOG.md, session 4): the fits at the edges of the double range (equivariance
/// there), subnormal and offset data, and ties and repeated rows, for every loss. The output contract of
/// the command line is in robustfitTests/OutputContractTests.swift.
@Suite("Numeric extremes, ties and repeated rows, for every loss")
struct NumericExtremesTests {
  static let losses: [Loss] = [
    .squared, .absolute, .huber, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .tukey, .general(alpha: 0.5),
    .general(alpha: -.infinity),
  ]

  /// Every loss, and the adaptive fit as `nil`.
  static let estimators: [Loss?] = losses.map { $0 } + [nil]

  static func fit(_ design: DesignMatrix, _ y: [Double], _ loss: Loss?,
                  options: Regression = Regression()) throws -> RegressionFit {
    guard let loss else { return try options.using(.adaptive).fit(design, response: y) }
    return try options.using(loss).fit(design, response: y)
  }

  static func name(_ loss: Loss?) -> String { loss.map(\.description) ?? "adaptive" }

  /// Coefficient accuracy an estimator promises: 1e-8 relative for IRLS at tolerance 1e-10; the adaptive
  /// fit's β test is √tolerance (1e-5), so 1e-4.
  static func accuracy(_ loss: Loss?) -> Double { loss == nil ? 1e-4 : 1e-8 }

  static func relative(_ a: [Double], _ b: [Double]) -> Double {
    let size = max(b.map(abs).max() ?? 1, .leastNormalMagnitude)
    return zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-3 * size) }.max() ?? 0
  }

  @Test("Scale equivariance at the edges: y × 1e±150, 2^±600 and 1e-300 give β × the same factor",
        arguments: estimators)
  func scaleEquivarianceAtTheEdges(loss: Loss?) throws {
    let (design, y) = try EquivarianceTests.data()
    let base = try Self.fit(design, y, loss)
    for factor in [1e150, 1e-150, 0x1p600, 0x1p-600, 1e-300] {
      if loss == .squared && factor > 1e160 {
        // Σr²/2 with c = 1 in the units of y is then beyond the double range: a typed error says so.
        #expect(throws: RegressionError.self) { try Self.fit(design, y.map { $0 * factor }, loss) }
        continue
      }
      let scaled = try Self.fit(design, y.map { $0 * factor }, loss)
      BadInputTests.expectNoNaN(scaled, "\(Self.name(loss)) × \(factor)")
      #expect(scaled.termination == base.termination, "\(Self.name(loss)) × \(factor)")
      #expect(Self.relative(scaled.estimates.map { $0 / factor }, base.estimates) <= Self.accuracy(loss),
              "\(Self.name(loss)) × \(factor): \(scaled.estimates)")
      #expect(abs(scaled.residualScale / factor - base.residualScale) <= max(1e-6, Self.accuracy(loss)) * base.residualScale)
      if let se = scaled.standardErrors, let baseSE = base.standardErrors {
        #expect(se.allSatisfy { $0 > 0 }, "\(Self.name(loss)) × \(factor): a zero standard error")
        #expect(Self.relative(se.map { $0 / factor }, baseSE) <= 1e3 * Self.accuracy(loss))
      } else {
        #expect(base.covariance == nil && scaled.covariance == nil, "\(Self.name(loss)) × \(factor)")
      }
    }
  }

  @Test("Predictor columns × 1e±200: β of that column ÷ the factor, the rest unchanged", arguments: estimators)
  func columnScalingAtTheEdges(loss: Loss?) throws {
    let (design, y) = try EquivarianceTests.data()
    let base = try Self.fit(design, y, loss)
    let n = design.rows
    for (factor1, factor2) in [(1e200, 1e-200), (1e-250, 1e250)] {
      var values = design.values
      for i in 0..<n { values[n + i] *= factor1; values[2 * n + i] *= factor2 }
      let scaled = try Self.fit(try DesignMatrix(rows: n, columns: 3, columnMajor: values, names: design.names,
                                             hasIntercept: true), y, loss)
      let back = [scaled.estimates[0], scaled.estimates[1] * factor1, scaled.estimates[2] * factor2]
      #expect(Self.relative(back, base.estimates) <= Self.accuracy(loss), "\(Self.name(loss)): \(back)")
    }
  }

  @Test("y near the top of the range (max |y| = 1e308): a fit in the units of the data", arguments: estimators)
  func responseNearTheTop(loss: Loss?) throws {
    let (design, y) = try EquivarianceTests.data()
    let largest = y.map(abs).max()!
    let factor = 1e308 / largest
    let base = try Self.fit(design, y, loss)
    do {
      let scaled = try Self.fit(design, y.map { $0 * factor }, loss)
      BadInputTests.expectNoNaN(scaled, Self.name(loss))
      #expect(Self.relative(scaled.estimates.map { $0 / factor }, base.estimates) <= Self.accuracy(loss))
    } catch RegressionError.objectiveOverflow {
      // Only the objectives in the units of y: least squares' Σr²/2 (about 1e614 here) and L1's Σ|r|
      // (80 residuals of about 1e307).
      #expect(loss == .squared || loss == .absolute, "\(Self.name(loss))")
    }
  }

  @Test("Subnormal y (about 1e-320): no NaN, no trap; a fit or a typed error", arguments: estimators)
  func subnormalResponse(loss: Loss?) throws {
    let (design, y) = try EquivarianceTests.data()
    let tiny = y.map { $0 * 0x1p-1062 }  // |y| ≲ 100·2⁻¹⁰⁶² ≈ 2e-318: subnormal, 4 to 9 significant bits
    do {
      let fit = try Self.fit(design, tiny, loss)
      BadInputTests.expectNoNaN(fit, Self.name(loss))
      #expect(fit.estimates.allSatisfy { abs($0) < 1e-300 })
    } catch is RegressionError {
      // A typed error is an answer too (e.g. a column collinear once y has so few bits).
    }
  }

  @Test("y + 1e15 (exact integers): the intercept moves by 1e15, the slopes stay", arguments: estimators)
  func offsetResponse(loss: Loss?) throws {
    // Integer-valued y keeps y + 1e15 exact; rounding in r = y − Xβ is then about 0.1, so slopes agree to
    // about 0.1 / (n · spread of x) and the intercept to about 1.
    let (design, y) = try EquivarianceTests.data()
    let integers = y.map { $0.rounded() }
    let base = try Self.fit(design, integers, loss)
    let moved = try Self.fit(design, integers.map { $0 + 1e15 }, loss)
    BadInputTests.expectNoNaN(moved, Self.name(loss))
    #expect(abs(moved.estimates[0] - 1e15 - base.estimates[0]) <= 2, "\(Self.name(loss)): \(moved.estimates)")
    #expect(abs(moved.estimates[1] - base.estimates[1]) <= 1e-2, "\(Self.name(loss))")
    #expect(abs(moved.estimates[2] - base.estimates[2]) <= 1e-2, "\(Self.name(loss))")
  }

  @Test("Every row repeated three times: the same coefficients", arguments: estimators)
  func repeatedRows(loss: Loss?) throws {
    let (design, y) = try EquivarianceTests.data()
    let n = design.rows
    let triple = design.selectingRows((0..<(3 * n)).map { $0 % n })
    let base = try Self.fit(design, y, loss)
    let fit = try Self.fit(triple, (0..<(3 * n)).map { y[$0 % n] }, loss)
    // The MAD, every weighted sum and the L1 objective's minimisers are those of the original rows.
    #expect(Self.relative(fit.estimates, base.estimates) <= Self.accuracy(loss),
            "\(Self.name(loss)): \(fit.estimates) vs \(base.estimates)")
  }

  @Test("Integer data full of ties: every loss terminates with finite numbers and says how",
        arguments: estimators)
  func tiedIntegerData(loss: Loss?) throws {
    var random = TestRandom(state: 77)
    let n = 3000
    let x = (0..<n).map { _ in Double(Int(10 * random.uniform())) }
    let y = x.map { (1 + 0.5 * $0 + 2 * random.normal()).rounded() }
    let fit = try Self.fit(try DesignMatrix(predictors: [x]), y, loss)
    BadInputTests.expectNoNaN(fit, Self.name(loss))
    if fit.termination != .converged {
      #expect(!fit.warnings.isEmpty, "\(Self.name(loss)): \(fit.termination) without a warning")
    }
    if loss == .absolute { #expect(fit.converged, "the L1 finish did not prove optimality") }
  }
}
