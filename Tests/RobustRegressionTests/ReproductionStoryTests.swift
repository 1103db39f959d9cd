import Foundation
import Testing
@testable import RobustRegression

/// The motivating video's story on the committed line-with-outliers fixture, judged against the
/// fixture's recorded true line (Fixtures/line_outliers.truth.json, written by the generator), not
/// against any earlier run.
@Suite("The video's outlier comparison holds on the fixture")
struct ReproductionStoryTests {
  struct Case {
    let design: DesignMatrix
    let y: [Double]
    let truth: [Double]
  }

  static func load() throws -> Case {
    let (design, y) = try Fixtures.regressionData("line_outliers.csv")
    let json = try #require(try Fixtures.json("line_outliers.truth.json") as? [String: Any])
    let intercept = try #require(json["intercept"] as? Double)
    let slope = try #require((json["slope"] ?? json["x"]) as? Double)
    return Case(design: design, y: y, truth: [intercept, slope])
  }

  @Test("L2 is farthest, redescending losses beat L1, adaptive is within 10 % of the best fixed loss")
  func storyHolds() throws {
    let data = try Self.load()
    var distance: [String: Double] = [:]
    for loss in [Loss.squared, .absolute, .pseudoHuber, .welsch, .gemanMcClure, .cauchy] {
      let fit = try Regression(loss: loss).fit(data.design, response: data.y)
      distance[loss.name] = data.design.rmsDistance(fit.estimates, data.truth)
    }
    let adaptive = try Regression(loss: .adaptive).fit(data.design, response: data.y)
    let adaptiveDistance = data.design.rmsDistance(adaptive.estimates, data.truth)
    let l2 = try #require(distance["l2"]), l1 = try #require(distance["l1"])
    for (name, d) in distance where name != "l2" { #expect(d < l2, "\(name): \(d) vs l2 \(l2)") }
    #expect(adaptiveDistance < l2)
    for name in ["welsch", "geman-mcclure", "cauchy"] {
      let d = try #require(distance[name])
      #expect(d < l1, "\(name): \(d) vs l1 \(l1)")
    }
    let best = try #require(distance.values.min())
    #expect(adaptiveDistance <= 1.1 * best, "adaptive \(adaptiveDistance) vs best fixed \(best)")
  }
}
