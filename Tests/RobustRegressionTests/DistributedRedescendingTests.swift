import Testing
@testable import RobustRegression

/// The redescending losses above the driver's limit of rows (``DistributedFit/redescendingFit``): the
/// S-estimate of all rows as the start (fast-S on the keyed sample, the S refinement and M-scale as
/// passes), then IRLS with the loss and c = k·σ̂, against the fit in memory's default (its own S start).
extension DistributedFitTests {
  /// Every coefficient, c, σ̂ and standard error of `distributed` against `single` to `tolerance` relative,
  /// and the same iteration count and termination.
  static func expectSame(_ distributed: DistributedFit.Result, _ single: RegressionFit, tolerance: Double = 1e-10,
                         _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    func relative(_ a: Double, _ b: Double) -> Double { a == b ? 0 : abs(a - b) / max(abs(a), abs(b)) }
    let se = try #require(distributed.standardErrors, sourceLocation: sourceLocation)
    let reference = try #require(single.standardErrors, sourceLocation: sourceLocation)
    let worst = (Array(zip(distributed.coefficients, single.estimates)) + Array(zip(se, reference))
                 + [(distributed.scale, single.lossScale), (distributed.sigma, single.residualScale)])
      .map { relative($0.0, $0.1) }.max()!
    #expect(worst <= tolerance, "\(label): largest relative difference \(worst)", sourceLocation: sourceLocation)
    #expect(distributed.iterations == single.iterations, "\(label)", sourceLocation: sourceLocation)
    #expect(distributed.termination == DistributedFit.label(single.termination), "\(label)",
            sourceLocation: sourceLocation)
  }

  static let redescendingLosses: [(name: String, alpha: Double?)] = [
    ("cauchy", nil), ("geman-mcclure", nil), ("welsch", nil), ("tukey", nil), ("general", 0.5), ("general", -3),
    ("general", 0), ("general", -.infinity),
  ]

  @Test("Redescending losses above the limit: the fit in memory's coefficients, c, σ̂ and standard errors to 1e-10",
        arguments: redescendingLosses)
  func redescendingAboveLimit(loss: (name: String, alpha: Double?)) throws {
    let (design, y) = Self.leverageData(rows: 20_000, outliers: 0.2, seed: 5)
    #expect(design.rows > DriverSample.limit(columns: 3))
    let single = try Regression(loss: Loss(name: loss.name, alpha: loss.alpha)!).fit(design, response: y)
    let fit = try DistributedFit(lossName: loss.name, alpha: loss.alpha, tuning: nil, fixedScale: nil, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    var kinds: [PassRequest.Kind] = []
    let inner = Self.host(design, y, batches: 7)
    let distributed = try fit.run(names: design.names, host: { kinds.append($0.kind); return try inner($0) })
    let label = "\(loss.name) \(loss.alpha.map { "α = \($0)" } ?? "")"
    try Self.expectSame(distributed, single, label)
    // The route: the rows never come to the driver, only the sample does.
    #expect(!kinds.contains(.rows) && kinds.contains(.sampleRows) && kinds.contains(.sRefinement))
    #expect(distributed.alpha == single.shape.alpha)
    // The losses whose ψ falls fast (α < 0, Tukey) resist the leverage points, as the fit in memory: the
    // slopes within 0.05 of 2 and −1. (Cauchy and α ∈ [0, 1), with ψ ~ u^(α−1), are still pulled by a
    // cluster of 20 % bad leverage points, in memory as here.)
    if loss.name != "cauchy" && (loss.alpha ?? -1) < 0 {
      #expect(abs(distributed.coefficients[1] - 2) < 0.05 && abs(distributed.coefficients[2] + 1) < 0.05, "\(label)")
    }
  }

  @Test("Redescending losses above the limit: the same fit whatever the batching (1e-10)", arguments: ["cauchy", "tukey"])
  func redescendingIndependentOfBatching(name: String) throws {
    let (design, y) = Self.leverageData(rows: 20_000, outliers: 0.2, seed: 5)
    let n = design.rows
    let fit = try DistributedFit(lossName: name, alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    var first: DistributedFit.Result?
    for (count, shuffle) in Self.batchings {
      let host = Self.host(design, y, batches: count, order: shuffle ? Self.shuffled(n, seed: UInt64(count)) : nil)
      let distributed = try fit.run(names: design.names, host: host)
      guard let first else {
        first = distributed
        continue
      }
      func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-10 * max(abs(a), abs(b)) }
      #expect(zip(distributed.coefficients, first.coefficients).allSatisfy(close), "\(count) batches")
      #expect(zip(distributed.standardErrors!, first.standardErrors!).allSatisfy(close), "\(count) batches")
      #expect(close(distributed.sigma, first.sigma) && close(distributed.scale, first.scale), "\(count) batches")
      #expect(distributed.iterations == first.iterations)
    }
  }

  @Test("Redescending losses above the limit: a tuning constant and case weights as the fit in memory (1e-10)")
  func redescendingOptions() throws {
    let (design, y) = Self.leverageData(rows: 12_000, outliers: 0.2, seed: 9)
    let n = design.rows
    // --tuning 3 for Cauchy.
    let tuned = try Regression(loss: .cauchy(k: 3)).fit(design, response: y)
    let tunedFit = try DistributedFit(lossName: "cauchy", alpha: nil, tuning: 3, fixedScale: nil, predictors: 2,
                                      intercept: true, tolerance: 1e-10, maxIterations: 500)
    try Self.expectSame(try tunedFit.run(names: design.names, host: Self.host(design, y, batches: 4)), tuned, "cauchy k = 3")
    // Whole and fractional case weights, Tukey and Welsch, over shuffled batches.
    for (kind, name) in [("integer", "tukey"), ("fractional", "welsch")] {
      let weights = Self.caseWeights(kind, rows: n, seed: 3)
      let single = try Regression(loss: Loss(name: name)!).fit(design, response: y, weights: weights)
      let fit = try DistributedFit(lossName: name, alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                   intercept: true, weighted: true, tolerance: 1e-10, maxIterations: 500)
      let distributed = try fit.run(names: design.names,
                                    host: Self.host(design, y, weights: weights, batches: 5, order: Self.shuffled(n, seed: 8)))
      try Self.expectSame(distributed, single, "\(name), \(kind) weights")
      #expect(abs(distributed.totalWeight! - weights.reduce(0, +)) <= 1e-12 * distributed.totalWeight!)
    }
  }

  @Test("A fixed scale for a redescending loss above the limit is refused after the range pass, saying why")
  func redescendingFixedScaleRefused() throws {
    let (design, y) = Self.leverageData(rows: 3000, outliers: 0.1, seed: 2)
    let fit = try DistributedFit(lossName: "cauchy", alpha: nil, tuning: nil, fixedScale: 1.5, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    let inner = Self.host(design, y, batches: 2)
    var kinds: [PassRequest.Kind] = []
    do {
      _ = try fit.run(names: design.names, host: { kinds.append($0.kind); return try inner($0) })
      Issue.record("a fixed scale above the limit was not refused")
    } catch {
      guard case .unsupported(let message) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(message.contains("fixed scale") && message.contains("L1"))
    }
    #expect(kinds == [.range])
  }
}
