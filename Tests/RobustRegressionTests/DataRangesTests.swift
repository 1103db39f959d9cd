import Testing
@testable import RobustRegression

/// A fit given the ranges of its data (``DataRanges``, as the CLI's reader takes them) decides the same
/// change of units and origin, and gives the same fit bit for bit, as one that reads them itself.
@Suite("Fits given the ranges of their data")
struct DataRangesTests {
  @Test("The same conditioning and the same fit, in range or not, with an intercept or without",
        arguments: DistributedConditioningTests.changes + ["none"], [true, false])
  func sameFit(_ change: String, intercept: Bool) throws {
    var (design, y) = change == "none" ? DistributedFitTests.leverageData(rows: 400, outliers: 0.2, seed: 5)
      : try DistributedConditioningTests.data(change, rows: 400)
    if !intercept {
      let n = design.rows
      design = try DesignMatrix(predictors: (1..<design.columns).map { j in (0..<n).map { design[$0, j] } },
                                intercept: false, rows: n)
    }
    let ranges = try #require(DataRanges(design: design, response: y))
    #expect(DataConditioning(design: design, response: y, ranges: ranges) == DataConditioning(design: design, response: y))
    for loss in [Loss.huber, .absolute, .squared] {
      let fit = try Regression(loss: loss).fit(design, response: y)
      let given = try Regression(loss: loss).fit(design, response: y, weights: nil, ranges: ranges)
      #expect(given.estimates == fit.estimates && given.residuals == fit.residuals && given.lossScale == fit.lossScale)
    }
  }

  @Test("No ranges for data holding NaN or ±∞")
  func notFinite() throws {
    let design = try DesignMatrix(predictors: [[1, 2, 3, 4]])
    #expect(DataRanges(design: design, response: [1, .nan, 2, 3]) == nil)
    #expect(DataRanges(design: try DesignMatrix(predictors: [[1, .infinity, 3, 4]]), response: [1, 2, 3, 4]) == nil)
    #expect(DataRanges(design: design, response: [4, 1, 2, 3]) == DataRanges(response: 1...4, columns: [1...1, 1...4]))
  }

  @Test("Ranges of the wrong width are not used: the fit reads its own, and NaN in y is still found")
  func wrongWidth() throws {
    let design = try DesignMatrix(predictors: [[1, 2, 3, 4, 5]])
    let narrow = DataRanges(response: 1...5, columns: [1...1])
    let y = [1.0, 2.5, 2.9, 4.2, 5.1]
    let given = try Regression(loss: .huber).fit(design, response: y, weights: nil, ranges: narrow)
    #expect(given.estimates == (try Regression(loss: .huber).fit(design, response: y)).estimates)
    #expect(throws: RegressionError.self) {
      try Regression(loss: .huber).fit(design, response: [1, .nan, 3, 4, 5], weights: nil, ranges: narrow)
    }
  }
}
