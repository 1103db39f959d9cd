import Testing
@testable import RobustRegression

@Suite("The stackloss data under statsmodels RLM(HuberT()) defaults (Docs/spec.md §4)")
struct StacklossTests {
  static let beta = [-41.02649835, 0.82938433, 0.92606597, -0.12784672]
  static let se = [9.79189854, 0.11100521, 0.30293016, 0.12864961]

  @Test("Huber coefficients and H1 standard errors agree with statsmodels to 1e-6")
  func huberMatchesStatsmodels() throws {
    let (design, y) = try Fixtures.regressionData("stackloss.csv")
    let fit = try Regression(loss: .huber).fit(design, response: y)
    #expect(fit.converged)
    let standardErrors = try #require(fit.standardErrors)
    for j in 0..<4 {
      #expect(abs(fit.estimates[j] - Self.beta[j]) <= 1e-6 * max(1, abs(Self.beta[j])))
      #expect(abs(standardErrors[j] - Self.se[j]) <= 1e-6 * max(1, Self.se[j]))
    }
  }
}
