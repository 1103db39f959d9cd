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

/// The story over replicates (issue 14): one data set can be carried by its noise, 40 replicates per
/// kind cannot. The distance is the RMS over the rows of X of X(β̂ − β₀), averaged over replicates as a
/// root mean square.
@Suite("The video's story over 40 replicates per noise kind")
struct ReplicateStoryTests {
  static let replicates = 40
  static let fixed: [Loss] = [.squared, .absolute, .huber, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .tukey]

  /// RMS distance per estimator name over the replicates of `kind` (fits in parallel, one replicate each).
  static func distances(_ kind: VideoReplicates) throws -> [String: Double] {
    // The likelihood-adaptive fit is judged on the gross outliers only (and costs the most).
    let estimators: [(String, Regression)] = fixed.map { ($0.name, Regression(loss: $0)) }
      + [("adaptive-variance", Regression(loss: .adaptive(criterion: .variance)))]
      + (kind == .grossOneSided ? [("adaptive", Regression(loss: .adaptive))] : [])
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: replicates * estimators.count)
    defer { results.deallocate() }
    results.initialize(repeating: .nan)
    DispatchQueue.concurrentPerform(iterations: replicates) { r in
      guard let (design, y) = try? kind.draw(r) else { return }
      for (e, estimator) in estimators.enumerated() {
        if let fit = try? estimator.1.fit(design, response: y) {
          results[r * estimators.count + e] = design.rmsDistance(fit.estimates, VideoReplicates.truth)
        }
      }
    }
    var out: [String: Double] = [:]
    for (e, estimator) in estimators.enumerated() {
      let values = (0..<replicates).map { results[$0 * estimators.count + e] }
      out[estimator.0] = (values.reduce(0) { $0 + $1 * $1 } / Double(replicates)).squareRoot()
    }
    return out
  }

  @Test("the variance-adaptive fit is within 10 % of the best fixed loss on every kind",
        arguments: VideoReplicates.allCases)
  func varianceAdaptiveNearBest(kind: VideoReplicates) throws {
    let d = try Self.distances(kind)
    let allFinite = d.values.allSatisfy { $0.isFinite }
    #expect(allFinite, "a fit failed: \(d)")
    let best = try #require(Self.fixed.compactMap { d[$0.name] }.min())
    let adaptive = try #require(d["adaptive-variance"])
    #expect(adaptive <= 1.1 * best, "\(kind): variance-adaptive \(adaptive) vs best fixed \(best); all \(d)")
    if kind == .grossOneSided {
      // Least squares is the worst; the likelihood-adaptive fit beats L1, Huber and pseudo-Huber.
      let l2 = try #require(d["l2"])
      for (name, value) in d where name != "l2" { #expect(value < l2, "\(name) \(value) vs l2 \(l2)") }
      let likelihood = try #require(d["adaptive"])
      for name in ["l1", "huber", "pseudo-huber"] {
        #expect(likelihood < d[name]!, "adaptive (nll) \(likelihood) vs \(name) \(d[name]!)")
      }
    }
  }
}
