import RobustRegression
import Testing

/// README.md's "From Swift" example, as written there, with the numbers its comments claim.
@Suite("README.md's Swift example")
struct ReadmeSwiftExampleTests {
  @Test("A Cauchy fit and an adaptive fit of a line with one gross outlier")
  func fromSwift() throws {
    let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
    let y: [Double] = [1.1, 2.9, 5.2, 7.1, 8.8, 40, 13.1, 15.0]   // one gross outlier
    let design = try DesignMatrix(predictors: [x], names: ["x"])

    let cauchy = try Regression(loss: .cauchy).fit(design, response: y)
    for c in cauchy.coefficients { print(c.name, c.estimate, c.standardError ?? .nan) }
    // intercept ≈ 1.056 ± 0.114, x ≈ 1.994 ± 0.027
    print(cauchy.weights[5])   // ≈ 2e-4: the outlier hardly counts

    let adaptive = try Regression(loss: .adaptive).fit(design, response: y)
    print(adaptive.shape.alpha ?? .nan, adaptive.shape)   // 0.0 estimated in 0.0...2.0, on a bound
    print(adaptive)   // loss, coefficients ± standard errors, scales, α, negative log-likelihood

    #expect(cauchy.names == ["intercept", "x"])
    let estimates = cauchy.estimates, standardErrors = try #require(cauchy.standardErrors)
    #expect(isAbout(estimates[0], 1.056, within: 5e-4) && isAbout(estimates[1], 1.994, within: 5e-4), "\(estimates)")
    #expect(isAbout(standardErrors[0], 0.114, within: 5e-4) && isAbout(standardErrors[1], 0.027, within: 5e-4),
            "\(standardErrors)")
    #expect(isAbout(cauchy.weights[5], 2e-4, within: 0.5e-4), "\(cauchy.weights[5])")
    #expect(adaptive.shape.alpha == 0)
    #expect("\(adaptive.shape)" == "estimated in 0.0...2.0, on a bound")
    let report = "\(adaptive)"
    #expect(report.hasPrefix("adaptive(alpha: 0.0...2.0) fit"), "\(report)")
    #expect(report.contains("intercept: ") && report.contains(" ± ") && report.contains("loss scale c = ")
            && report.contains("α = 0.0") && report.contains("negative log-likelihood = "), "\(report)")
  }
}
