import Testing
@testable import RobustRegression

/// The distributed fit on data that need a change of units or origin (``DataConditioning``): the rule
/// decided from the range passes is the fit in memory's, and every route's numbers are the fit in
/// memory's of the same data.
@Suite("Distributed fit on data that need a change of units or origin")
struct DistributedConditioningTests {
  /// The leverage data (``DistributedFitTests/leverageData(rows:outliers:seed:)``) changed as real
  /// tables are: x₁ an epoch timestamp (1.7e9 s + 1e4·x₁: a band of 2e5 s, narrower than 2⁻¹⁰ of its
  /// size), y + 1e15, y·1e-200.
  static let changes = ["timestamp", "offset", "tiny"]

  static func data(_ change: String, rows n: Int, seed: UInt64 = 5) throws -> (DesignMatrix, [Double]) {
    let (design, y) = DistributedFitTests.leverageData(rows: n, outliers: 0.2, seed: seed)
    switch change {
    case "timestamp":
      let x1 = (0..<n).map { 1.7e9 + 1e4 * design[$0, 1] }, x2 = (0..<n).map { design[$0, 2] }
      return (try DesignMatrix(predictors: [x1, x2], rows: n), y)
    case "offset": return (design, y.map { $0 + 1e15 })
    default: return (design, y.map { $0 * 1e-200 })
    }
  }

  static func relative(_ a: Double, _ b: Double) -> Double { a == b ? 0 : abs(a - b) / max(abs(a), abs(b)) }

  static func worst(_ d: DistributedFit.Result, _ single: RegressionFit) throws -> Double {
    let se = try #require(d.standardErrors), reference = try #require(single.standardErrors)
    return (Array(zip(d.coefficients, single.estimates)) + Array(zip(se, reference))
            + [(d.scale, single.lossScale), (d.sigma, single.residualScale), (d.objective, single.objective.value)])
      .map { relative($0.0, $0.1) }.max()!
  }

  @Test("The rule from the passes is the fit in memory's: shifts, powers of two, the median's binade",
        arguments: [
          // Each row: y then one predictor column (rows of equal count).
          ([1, 2, 3, 4], [1.7e9, 1.7e9 + 1, 1.7e9 + 5, 1.7e9 + 3]),
          ([1e15 + 1, 1e15 + 2, 1e15 + 9, 1e15 - 4], [1, 0, 2, 3]),
          ([0.75, 0.99, 1.01, 3].map { $0 * 0x1p-300 }, [1, 2, 3, 4]),
          ([0.5, 0.9, 1.01, 3].map { $0 * 0x1p-300 }, [1, 2, 3, 4]),
          ([0x1p100, 0x1p100, 0x1p100, 0x1p-120], [1, 2, 3, 4]),
          ([0x1p100, 0x1p100, 0x1.8p100, 0x1p-120], [1, 2, 3, 4]),
          ([1, 2, 3, 4], [0, 0x1p-1074, 0x1p-1073, 0x1.8p-1066]),
          ([1, 2, 3, 4, 5], [1e250, 0, 3e200, -2e240, 7e180]),
        ] as [([Double], [Double])])
  func sameRule(y: [Double], x: [Double]) throws {
    let design = try DesignMatrix(predictors: [x], rows: y.count)
    let expected = DataConditioning(design: design, response: y)
    // (2¹⁰⁰ as the median is in the window: the identity, from the magnitudes.)
    #expect(!expected.isIdentity || y[0] == 0x1p100)
    for batches in [1, 3] {
      let fit = try DistributedFit(lossName: "l2", alpha: nil, tuning: nil, fixedScale: nil, predictors: 1,
                                   intercept: true, tolerance: 1e-10, maxIterations: 50)
      let host = DistributedFitTests.host(design, y, batches: batches)
      let conditioning = try fit.decideConditioning(try fit.checkRange(host: host), host: host)
      #expect(conditioning == expected, "\(batches) batches: \(conditioning) against \(expected)")
    }
  }

  @Test("Data in range take one range pass and no conditioning")
  func inRange() throws {
    let (design, y) = DistributedFitTests.leverageData(rows: 3001, outliers: 0.2, seed: 5)
    let fit = try DistributedFit(lossName: "huber", alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    let host = DistributedFitTests.host(design, y, batches: 3)
    var requests: [PassRequest] = []
    _ = try fit.run(names: design.names, host: { requests.append($0); return try host($0) })
    #expect(requests.filter { $0.kind == .range }.count == 1 && requests.allSatisfy(\.conditioning.isEmpty))
  }

  @Test("A request with a conditioning reads back as it was written; a wrong length is refused")
  func requestLayout() throws {
    var request = PassRequest(kind: .run, predictors: 2, intercept: true)
    request.beta = [1, 2, 3]
    request.conditioning = [1e15, 1, 0, 0x1p-60, 2, 1]
    let decoded = request.encoded.withUnsafeBufferPointer { PassRequest(decoding: $0) }
    #expect(decoded == request)
    var range = PassRequest(kind: .range, predictors: 2, intercept: true)
    range.conditioning = [0, 1, 1.7e9, 1, 0, 1]
    #expect(range.encoded.withUnsafeBufferPointer { PassRequest(decoding: $0) } == range)
    #expect(range.rangeStride == 1 + 4 * 3 + 3 * PassRequest.magnitudeSection)
    let short = Array(request.encoded.dropLast())
    #expect(short.withUnsafeBufferPointer { PassRequest(decoding: $0) } == nil)
  }

  @Test("Sums (l2, Huber, Barron α = 1.5): the fit in memory's numbers to 1e-10, whatever the batching",
        arguments: changes, [("l2", nil), ("huber", nil), ("general", 1.5)] as [(String, Double?)])
  func sums(change: String, loss: (name: String, alpha: Double?)) throws {
    let (design, y) = try Self.data(change, rows: 3001)
    let single = try Regression(loss: Loss(name: loss.name, alpha: loss.alpha)!).fit(design, response: y)
    let fit = try DistributedFit(lossName: loss.name, alpha: loss.alpha, tuning: nil, fixedScale: nil, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    for (count, shuffle) in [(1, false), (7, true)] {
      let host = DistributedFitTests.host(design, y, batches: count,
                                          order: shuffle ? DistributedFitTests.shuffled(design.rows, seed: 3) : nil)
      var ranges = 0
      let distributed = try fit.run(names: design.names, host: { ranges += $0.kind == .range ? 1 : 0; return try host($0) })
      #expect(try Self.worst(distributed, single) <= 1e-10, "\(change) \(loss.name) \(count) batches")
      // One more range pass, for the magnitudes (the median of none of these straddles two binades).
      #expect(ranges == 2)
      #expect(distributed.iterations == single.iterations)
    }
  }

  @Test("A fixed c is in the units of y: Huber at c = 1.5 units on conditioned y (1e-10)", arguments: changes)
  func fixedScale(change: String) throws {
    let (design, y) = try Self.data(change, rows: 3001)
    let c = change == "tiny" ? 1.5e-200 : 1.5
    let single = try Regression(loss: .huber, scale: .fixed(c)).fit(design, response: y)
    let fit = try DistributedFit(lossName: "huber", alpha: nil, tuning: nil, fixedScale: c, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    let distributed = try fit.run(names: design.names, host: DistributedFitTests.host(design, y, batches: 5))
    #expect(try Self.worst(distributed, single) <= 1e-10, "\(change)")
    #expect(distributed.scale == c)
  }

  @Test("With case weights: Huber and MM on conditioned data, the weighted fit in memory's numbers", arguments: changes)
  func weighted(change: String) throws {
    let (design, y) = try Self.data(change, rows: 6000, seed: 9)
    let weights = DistributedFitTests.caseWeights("integer", rows: design.rows, seed: 3)
    // MM starts from another S-estimate than the fit in memory's (the keyed sample against its random rows)
    // and stops at the IRLS tolerance from there: on these 6000 weighted rows left in their units the two
    // differ by 1.4e-9 (measured), on the conditioned ones by up to 8e-9.
    for (name, tolerance) in [("huber", 1e-10), ("mm", 1e-8)] {
      let single = try Regression(loss: Loss(name: name)!).fit(design, response: y, weights: weights)
      let fit = try DistributedFit(lossName: name, alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                   intercept: true, weighted: true, tolerance: 1e-10, maxIterations: 500)
      let host = DistributedFitTests.host(design, y, weights: weights, batches: 4,
                                          order: DistributedFitTests.shuffled(design.rows, seed: 6))
      let distributed = try fit.run(names: design.names, host: host)
      let worst = try Self.worst(distributed, single)
      #expect(worst <= tolerance, "\(change) \(name): \(worst)")
      #expect(distributed.totalWeight == weights.reduce(0, +))
    }
  }

  @Test("Above the driver's limit (MM, Cauchy, Tukey, adaptive): the fit in memory's numbers, whatever the batching",
        arguments: changes, ["mm", "s", "cauchy", "tukey", "adaptive"])
  func aboveLimit(change: String, name: String) throws {
    let (design, y) = try Self.data(change, rows: 12_000)
    #expect(design.rows > DriverSample.limit(columns: 3))
    let single = try Regression(loss: Loss(name: name)!).fit(design, response: y)
    let fit = try DistributedFit(lossName: name, alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    // S and MM start from fast-S on the keyed sample, the fit in memory from its own random rows: S agrees
    // to its refinement's tolerance (1e-6 with a margin), MM to 1e-9 (as in
    // DistributedFitTests.highBreakdownAboveLimit); the others draw the same sample as the fit in memory.
    let tolerance = name == "mm" ? 1e-9 : name == "s" ? 1e-6 : 1e-10
    var first: DistributedFit.Result?
    for (count, shuffle) in [(1, false), (7, true)] {
      let host = DistributedFitTests.host(design, y, batches: count,
                                          order: shuffle ? DistributedFitTests.shuffled(design.rows, seed: 4) : nil)
      let distributed = try fit.run(names: design.names, host: host)
      #expect(try Self.worst(distributed, single) <= tolerance, "\(change) \(name) \(count) batches")
      if name == "adaptive" {
        #expect(abs(try #require(distributed.alpha) - single.shape.alpha!) <= 1e-10)
        try DistributedAdaptiveTests.expectSame(distributed, single, tolerance: 1e-10, "\(change) \(count) batches")
      }
      if let first {
        #expect(DistributedAdaptiveTests.relative(distributed.coefficients, first.coefficients) <= 1e-10)
        #expect(DistributedAdaptiveTests.relative(distributed.standardErrors!, first.standardErrors!) <= 1e-10)
      } else {
        first = distributed
      }
    }
  }
}
