import Testing
@testable import RobustRegression

/// The adaptive loss above the distributed fit's driver limit (``DistributedFit/adaptiveFit``): the start
/// on the keyed sample, the descent, the observed information and the α interval as passes over all
/// rows, against the fit in memory (whose likelihood sample is the same keyed sample).
@Suite("Distributed adaptive fit above the driver's limit")
struct DistributedAdaptiveTests {
  /// |a − b| / max(|a|, |b|), 0 when both are 0.
  static func relative(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
  }

  static func relative(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { relative($0, $1) }.max() ?? 0
  }

  /// The fit in memory's numbers to `tolerance` relative: coefficients, standard errors, c, σ̂, α, their
  /// standard errors, the NLL, the interval's ends, and the iterations; se(α) to `alphaStandardErrorTolerance`
  /// when given.
  static func expectSame(_ d: DistributedFit.Result, _ single: RegressionFit, tolerance: Double,
                         alphaStandardErrorTolerance: Double? = nil, _ label: String) throws {
    #expect(relative(d.coefficients, single.estimates) <= tolerance, "\(label) β \(d.coefficients) \(single.estimates)")
    let se = try #require(d.standardErrors), reference = try #require(single.standardErrors)
    #expect(relative(se, reference) <= tolerance, "\(label) se")
    #expect(relative(d.scale, single.lossScale) <= tolerance, "\(label) c")
    #expect(relative(d.sigma, single.residualScale) <= tolerance, "\(label) σ̂")
    #expect(relative(d.objective, single.objective.value) <= tolerance, "\(label) NLL")
    guard case .estimated(let alpha, let alphaSE, let onBound, _) = single.shape else {
      Issue.record("\(label): the fit in memory estimated no α")
      return
    }
    let dAlpha = abs(try #require(d.alpha) - alpha)
    #expect(dAlpha <= tolerance * max(1, abs(alpha)), "\(label) α \(d.alpha ?? .nan) \(alpha)")
    #expect(d.alphaOnBound == onBound)
    if let alphaSE {
      #expect(relative(try #require(d.alphaStandardError), alphaSE) <= alphaStandardErrorTolerance ?? tolerance,
              "\(label) se(α)")
    }
    if case .estimated(let scaleSE?, _) = single.lossScaleSource {
      #expect(relative(try #require(d.scaleStandardError), scaleSE) <= tolerance, "\(label) se(c)")
    }
    #expect(d.iterations == single.iterations, "\(label) iterations \(d.iterations) \(single.iterations)")
    let interval = try #require(d.shapeSelection?.alphaInterval), expected = try #require(single.shapeSelection?.alphaInterval)
    // The ends are found to 5e-4 in α by the same search; the same profiled fits give them to the fits' digits.
    #expect(abs(interval.lower - expected.lower) <= max(1e-8, tolerance) && abs(interval.upper - expected.upper) <= max(1e-8, tolerance),
            "\(label) interval \(interval) \(expected)")
    #expect(interval.lowerOnBound == expected.lowerOnBound && interval.upperOnBound == expected.upperOnBound)
  }

  @Test("The fit in memory's likelihood sample is the distributed driver's keyed sample, row for row")
  func sameSample() throws {
    let (design, y) = DistributedFitTests.leverageData(rows: 9_000, outliers: 0.1, seed: 3)
    let m = DriverSample.limit(columns: 3)
    let problem = try FitProblem(design: design, response: y, options: FitOptions(), columnMagnitudes: [1, 1, 1])
    let inMemory = problem.likelihoodSample(rows: m)
    let host = DistributedFitTests.host(design, y, batches: 5, order: DistributedFitTests.shuffled(design.rows, seed: 8))
    let sample = try DriverSample.sample(host: host, predictors: 2, intercept: true, weighted: false, size: m,
                                         names: design.names)
    #expect(inMemory.design.rows == m)
    #expect(inMemory.design.values == sample.design.values && inMemory.response == sample.response)
  }

  @Test("Adaptive above the limit: the fit in memory's numbers to 1e-10, whatever the batching")
  func matchesFitInMemory() throws {
    let (design, y) = DistributedFitTests.leverageData(rows: 20_000, outliers: 0.1, seed: 11)
    let n = design.rows
    #expect(n > DriverSample.limit(columns: 3))
    let single = try Regression(loss: .adaptive).fit(design, response: y)
    let fit = try DistributedFit(lossName: "adaptive", alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    var first: DistributedFit.Result?
    for (count, shuffle) in DistributedFitTests.batchings {
      let host = DistributedFitTests.host(design, y, batches: count,
                                          order: shuffle ? DistributedFitTests.shuffled(n, seed: UInt64(count)) : nil)
      let distributed = try fit.run(names: design.names, host: host)
      try Self.expectSame(distributed, single, tolerance: 1e-10, "\(count) batches")
      #expect(distributed.passes["sampleRows"] == 1 && distributed.passes["information"] == 1, "\(distributed.passes)")
      if let first {
        #expect(Self.relative(distributed.coefficients, first.coefficients) <= 1e-12)
        #expect(Self.relative(distributed.standardErrors!, first.standardErrors!) <= 1e-12)
      } else {
        first = distributed
      }
    }
  }

  /// With c held (`--scale`) the fit in memory steps α by golden section on the NLL to 1e-10 in α, below
  /// the resolution of comparing two NLLs that differ by the summation order's rounding: α is found to about
  /// 1e-8 (absolute) either way, and the distributed fit agrees with it to that. se(α) inherits α's error
  /// times d log se(α)/dα, which is 6.8 here: measured over the four batchings against the fit in memory
  /// on two chunks and on eight (``ParallelChunks/barronPass(rows:)``, now eight), α differed by −9e-9 to
  /// 2.7e-8 (the NLLs by 2e-11 to 7e-11 of 45 754, their rounding) and se(α) by 6.8 times that relative, up
  /// to 1.9e-7; so se(α) is compared to 1e-6, five times that, and the rest to 1e-7.
  @Test("Adaptive above the limit with case weights (1e-10), and with c held (1e-7): the fit in memory's numbers",
        arguments: [false, true])
  func weightedAndFixedScale(fixedScale: Bool) throws {
    let (design, y) = DistributedFitTests.leverageData(rows: 12_000, outliers: 0.1, seed: 21)
    let n = design.rows
    let weights = DistributedFitTests.caseWeights("integer", rows: n, seed: 5)
    let c = fixedScale ? 1.2 : nil
    let single = try Regression(loss: .adaptive, scale: c.map { .fixed($0) } ?? .mad)
      .fit(design, response: y, weights: weights)
    let fit = try DistributedFit(lossName: "adaptive", alpha: nil, tuning: nil, fixedScale: c, predictors: 2,
                                 intercept: true, weighted: true, tolerance: 1e-10, maxIterations: 500)
    for (count, shuffle) in DistributedFitTests.batchings.prefix(2) {
      let host = DistributedFitTests.host(design, y, weights: weights, batches: count,
                                          order: shuffle ? DistributedFitTests.shuffled(n, seed: UInt64(count)) : nil)
      let distributed = try fit.run(names: design.names, host: host)
      try Self.expectSame(distributed, single, tolerance: fixedScale ? 1e-7 : 1e-10,
                          alphaStandardErrorTolerance: fixedScale ? 1e-6 : nil,
                          "weighted \(count) batches, c \(c ?? .nan)")
      #expect(distributed.totalWeight == weights.reduce(0, +))
    }
  }
}
