import Foundation
import Testing
@testable import RobustRegression

/// A small deterministic generator for test data (independent of the library's RNG).
struct TestRandom {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
  mutating func normal() -> Double {
    let u1 = max(uniform(), 1e-300), u2 = uniform()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }
}

@Suite("The adaptive fit of β, α and c")
struct AdaptiveFitTests {
  static func line(n: Int, outlierFraction: Double, seed: UInt64) -> (DesignMatrix, [Double]) {
    var random = TestRandom(state: seed)
    var x = [Double](), y = [Double]()
    for i in 0..<n {
      let xi = 10 * random.uniform()
      var yi = 2 + 0.8 * xi + 0.5 * random.normal()
      if Double(i) < outlierFraction * Double(n) { yi += 20 + 30 * random.uniform() }
      x.append(xi)
      y.append(yi)
    }
    return (DesignMatrix(predictors: [x], names: ["x"]), y)
  }

  @Test("On clean Gaussian data α ends at 2 and β matches OLS")
  func gaussianDataGivesLeastSquares() throws {
    let (design, y) = Self.line(n: 400, outlierFraction: 0, seed: 7)
    let fit = try Regression.fitAdaptive(design, response: y)
    let ols = try Regression.fit(design, response: y, loss: .squared)
    #expect(fit.converged)
    #expect(try #require(fit.alpha) > 1.9)
    for j in 0..<2 { #expect(abs(fit.coefficients[j] - ols.coefficients[j]) < 0.02) }
  }

  @Test("With 20 % gross outliers α is small and β near the truth")
  func outliersGiveSmallAlpha() throws {
    let (design, y) = Self.line(n: 400, outlierFraction: 0.2, seed: 11)
    let fit = try Regression.fitAdaptive(design, response: y, options: FitOptions(recordHistory: true))
    #expect(fit.converged)
    #expect(try #require(fit.alpha) < 1)
    #expect(abs(fit.coefficients[0] - 2) < 0.3)
    #expect(abs(fit.coefficients[1] - 0.8) < 0.05)
    // The NLL never increases from one outer iteration to the next.
    let objectives = fit.history.map(\.objective)
    for (a, b) in zip(objectives, objectives.dropFirst()) { #expect(b <= a + 1e-9 * max(1, abs(a))) }
  }
}
