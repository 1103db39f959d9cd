import Foundation
import Testing
@testable import RobustRegression

/// The equivariances of an M-estimator with a MAD scale (Docs/spec.md §2, §4): the fit commutes with adding a
/// linear function of X to y, with rescaling y, with an invertible change of the predictors' basis, and
/// does not see the order of the rows. In exact arithmetic every IRLS iterate is equivariant, so the
/// fits agree up to rounding; 1e-8 relative leaves room for the conditioning of these small problems.
@Suite("Equivariance of the fits")
struct EquivarianceTests {
  static let losses: [Loss] = [
    .squared, .absolute, .huber, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .tukey, .general(alpha: 0.5),
  ]

  /// y = 1 + 2·x1 − 0.5·x2 + noise, n = 80, with 12 gross outliers (some at high leverage).
  static func data(seed: UInt64 = 2024) throws -> (DesignMatrix, [Double]) {
    var random = TestRandom(state: seed)
    let n = 80
    var x1 = [Double](), x2 = [Double](), y = [Double]()
    for i in 0..<n {
      var a = 10 * random.uniform(), b = 4 * random.normal()
      if i < 3 { a += 25; b -= 10 }  // leverage points
      var value = 1 + 2 * a - 0.5 * b + random.normal()
      if i < 12 { value += 30 + 20 * random.uniform() }
      x1.append(a)
      x2.append(b)
      y.append(value)
    }
    return (try DesignMatrix(predictors: [x1, x2], names: ["x1", "x2"]), y)
  }

  /// Per-coefficient relative difference with a floor of 1e-3 × the vector's size.
  static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    let size = max(b.map(abs).max() ?? 1, .leastNormalMagnitude)
    return zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-3 * size) }.max() ?? 0
  }

  static func fit(_ design: DesignMatrix, _ y: [Double], _ loss: Loss,
                  _ options: Regression = Regression()) throws -> RegressionFit {
    let fit = try options.using(loss).fit(design, response: y)
    #expect(fit.estimates.allSatisfy { $0.isFinite })
    #expect(fit.termination == .converged, "\(loss): \(fit.termination)")
    return fit
  }

  @Test("Regression equivariance: y + X·g gives β + g", arguments: losses)
  func regressionEquivariance(loss: Loss) throws {
    let (design, y) = try Self.data()
    let base = try Self.fit(design, y, loss)
    for g in [[3.0, -1.5, 0.25], [-100.0, 40.0, 7.0]] {
      let shift = design.multiplied(by: g)
      let moved = try Self.fit(design, zip(y, shift).map { $0 + $1 }, loss)
      let expected = zip(base.estimates, g).map { $0 + $1 }
      let difference = Self.relativeDifference(moved.estimates, expected)
      #expect(difference <= 1e-8, "\(loss), g = \(g): \(moved.estimates) vs \(expected)")
      // The residuals, and so the scale, are unchanged.
      #expect(abs(moved.lossScale - base.lossScale) <= 1e-8 * base.lossScale)
    }
  }

  @Test("Scale equivariance: a·y gives a·β for a > 0 and a < 0", arguments: losses)
  func scaleEquivariance(loss: Loss) throws {
    let (design, y) = try Self.data()
    let base = try Self.fit(design, y, loss)
    for a in [1e-3, 7.5, -2.0, -1e4] {
      let scaled = try Self.fit(design, y.map { a * $0 }, loss)
      let expected = base.estimates.map { a * $0 }
      let difference = Self.relativeDifference(scaled.estimates, expected)
      #expect(difference <= 1e-8, "\(loss), a = \(a): \(scaled.estimates) vs \(expected)")
      if loss != .squared && loss != .absolute {  // c is reported as 1 for L1/L2 whatever the data
        #expect(abs(scaled.lossScale - abs(a) * base.lossScale) <= 1e-8 * abs(a) * base.lossScale, "\(loss), a = \(a)")
      }
      // The objective is Σρ(r/c) with r and c both scaled (units of y for L1).
      let expectedObjective = loss == .absolute ? abs(a) * base.objective.value
        : (loss == .squared ? a * a * base.objective.value : base.objective.value)
      #expect(abs(scaled.objective.value - expectedObjective) <= 1e-8 * expectedObjective, "\(loss), a = \(a)")
    }
  }

  @Test("Scale equivariance with a fixed c: (a·y, |a|·c) gives a·β", arguments: [Loss.huber, .cauchy, .tukey])
  func scaleEquivarianceFixedScale(loss: Loss) throws {
    let (design, y) = try Self.data()
    let base = try Self.fit(design, y, loss, Regression(scale: .fixed(1.7)))
    for a in [0.01, -30.0] {
      let scaled = try Self.fit(design, y.map { a * $0 }, loss, Regression(scale: .fixed(abs(a) * 1.7)))
      let expected = base.estimates.map { a * $0 }
      #expect(Self.relativeDifference(scaled.estimates, expected) <= 1e-8, "\(loss), a = \(a)")
      #expect(abs(scaled.objective.value - base.objective.value) <= 1e-9 * base.objective.value)
    }
  }

  @Test("Affine equivariance: X·A gives A⁻¹·β", arguments: losses)
  func affineEquivariance(loss: Loss) throws {
    let (design, y) = try Self.data()
    let base = try Self.fit(design, y, loss)
    let n = design.rows, p = design.columns
    // A mixes all columns, the intercept included (the new design has no column of ones).
    let a: [[Double]] = [[2, 0.5, -1], [0.3, -1.5, 0.2], [1, 0.25, 3]]  // a[i][j]: row i, column j
    var values = [Double](repeating: 0, count: n * p)
    for j in 0..<p {
      for i in 0..<n {
        var s = 0.0
        for k in 0..<p { s += design[i, k] * a[k][j] }
        values[j * n + i] = s
      }
    }
    let transformed = try DesignMatrix(rows: n, columns: p, columnMajor: values, names: ["z1", "z2", "z3"],
                                   hasIntercept: false)
    let fit = try Self.fit(transformed, y, loss)
    // The fitted values are the same, so A·β' = β.
    let mapped = (0..<p).map { i in (0..<p).reduce(0.0) { $0 + a[i][$1] * fit.estimates[$1] } }
    let difference = Self.relativeDifference(mapped, base.estimates)
    #expect(difference <= 1e-8, "\(loss): A·β' = \(mapped) vs β = \(base.estimates)")
    for i in 0..<n { #expect(abs(fit.residuals[i] - base.residuals[i]) <= 1e-8 * (abs(y[i]) + 1)) }
  }

  @Test("Permuting the rows changes nothing", arguments: losses)
  func permutationInvariance(loss: Loss) throws {
    let (design, y) = try Self.data()
    let base = try Self.fit(design, y, loss)
    var random = TestRandom(state: 99)
    var order = Array(0..<design.rows)
    for i in stride(from: order.count - 1, to: 0, by: -1) {
      order.swapAt(i, Int(random.next() % UInt64(i + 1)))
    }
    let shuffled = try Self.fit(design.selectingRows(order), order.map { y[$0] }, loss)
    #expect(Self.relativeDifference(shuffled.estimates, base.estimates) <= 1e-8,
            "\(loss): \(shuffled.estimates) vs \(base.estimates)")
    #expect(abs(shuffled.objective.value - base.objective.value) <= 1e-8 * base.objective.value)
    for (k, i) in order.enumerated() {
      #expect(abs(shuffled.residuals[k] - base.residuals[i]) <= 1e-8 * (abs(y[i]) + 1))
      #expect(shuffled.outliers[k] == base.outliers[i])
    }
  }
}
