import Testing
@testable import RobustRegression

/// The Swift example of README.md ("From Swift") and of `Regression`'s doc comment, as written there,
/// with the numbers their comments claim.
@Suite("The README's Swift example")
struct ReadmeExampleTests {
  @Test("One gross outlier: Cauchy ignores it (weight ≈ 2e-4), the adaptive fit learns α and c")
  func readmeExample() throws {
    let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
    let y: [Double] = [1.1, 2.9, 5.2, 7.1, 8.8, 40, 13.1, 15.0]   // one gross outlier
    let design = try DesignMatrix(predictors: [x], names: ["x"])
    let cauchy = try Regression(loss: .cauchy).fit(design, response: y)
    #expect(abs(cauchy.estimates[0] - 1.06) < 0.01 && abs(cauchy.estimates[1] - 1.99) < 0.01,
            "\(cauchy.estimates)")
    #expect(cauchy.weights[5] < 1e-3 && cauchy.weights[5] > 1e-4, "\(cauchy.weights[5])")
    #expect(cauchy.standardErrors?.count == 2)
    let adaptive = try Regression(loss: .adaptive).fit(design, response: y)
    #expect((0...2).contains(adaptive.shape.alpha!))
    #expect(adaptive.lossScale > 0 && adaptive.objective.value.isFinite)
    #expect(adaptive.outliers[5])
  }
}
