import RobustRegression

/// The eight points of the README's and GettingStarted.md's examples (y ≈ 1 + 2x, with y = 40 at
/// x = 5), for the tests of the examples that continue the first one. The first example's test checks
/// that its own data are these.
enum LineWithOutlier {
  static let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
  static let y: [Double] = [1.1, 2.9, 5.2, 7.1, 8.8, 40, 13.1, 15.0]

  static func design() throws -> DesignMatrix {
    try DesignMatrix(predictors: [x], names: ["x"])
  }

  /// The first example's Cauchy fit.
  static func cauchyFit() throws -> RegressionFit {
    try Regression(loss: .cauchy).fit(design(), response: y)
  }
}

/// Whether `value` rounds to the `claimed` figure the page quotes: |value − claimed| ≤ `tolerance`
/// (half a unit of the last quoted digit).
func isAbout(_ value: Double, _ claimed: Double, within tolerance: Double) -> Bool {
  abs(value - claimed) <= tolerance
}
