import Testing
@testable import RobustRegression

/// The keyed sample on data with repeated rows (``DriverSample/smallest(_:stride:size:predictors:intercept:weighted:names:)``):
/// the m distinct rows of smallest key, each weighted by its count, the same from the fit in memory
/// (``FitProblem/likelihoodSample(rows:)``) and from a host's batches whatever their count and order, and
/// equal to the selection made here by brute force over all rows.
@Suite("The keyed sample on repeated rows")
struct KeyedSampleTests {
  /// Data of `distinct` rows (y on a line with noise, two predictors, every 7th row an outlier), row i
  /// repeated `copies(i)` times, the copies shuffled; with `weighted`, case weights 0–3 (a row's copies
  /// share its weight; every 5th distinct row also appears once more with another weight).
  static func repeated(distinct: Int, seed: UInt64, weighted: Bool, copies: (Int, inout SplitMix64) -> Int)
    -> (design: DesignMatrix, y: [Double], weights: [Double]?) {
    var generator = SplitMix64(seed: seed)
    func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
    var x1 = [Double](), x2 = [Double](), y = [Double](), w = [Double]()
    for i in 0..<distinct {
      let a = uniform() * 10 - 5, b = (uniform() * 8).rounded() / 2
      let value = i % 7 == 0 ? 30 + uniform() : 1 + 2 * a - b + uniform() - 0.5
      let weight = Double(generator.next() % 4)
      let count = copies(i, &generator)
      for _ in 0..<count {
        x1.append(a)
        x2.append(b)
        y.append(value)
        w.append(weight)
      }
      if weighted, i % 5 == 0 {
        x1.append(a)
        x2.append(b)
        y.append(value)
        w.append(weight + 1)
      }
    }
    let order = DistributedFitTests.shuffled(y.count, seed: seed &+ 1)
    let design = try! DesignMatrix(predictors: [order.map { x1[$0] }, order.map { x2[$0] }])
    return (design, order.map { y[$0] }, weighted ? order.map { w[$0] } : nil)
  }

  /// The sample by brute force: the rows of positive weight grouped by value, the m groups of smallest
  /// key, their rows in the canonical order and their counts (times the weight when weighted).
  /// The in-memory likelihood sample of `size` rows equals the brute-force one (rows, order, weights).
  @discardableResult
  static func expectBruteForceSample(_ design: DesignMatrix, _ y: [Double], _ weights: [Double]?, size m: Int,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws -> FitProblem {
    let problem = try FitProblem(design: design, response: y, caseWeights: weights, options: FitOptions(),
                                 columnMagnitudes: [1, 1, 1])
    let inMemory = problem.likelihoodSample(rows: m)
    let expected = bruteForce(design, y, weights, size: m)
    #expect(rows(inMemory.design, inMemory.response) == expected.rows, sourceLocation: sourceLocation)
    #expect(inMemory.caseWeights == expected.weights, sourceLocation: sourceLocation)
    return inMemory
  }

  static func bruteForce(_ design: DesignMatrix, _ y: [Double], _ weights: [Double]?, size m: Int)
    -> (rows: [[Double]], weights: [Double]?) {
    var counts: [[Double]: Int] = [:]
    for i in 0..<design.rows where (weights?[i] ?? 1) > 0 {
      let row = [y[i], design[i, 1], design[i, 2]] + (weights.map { [$0[i]] } ?? [])
      counts[row, default: 0] += 1
    }
    let lexicographic = { (a: [Double], b: [Double]) -> Bool in
      for t in a.indices where a[t] != b[t] { return a[t] < b[t] }
      return false
    }
    let byKey = counts.keys.sorted { a, b in
      let ka = DriverSample.key(a[...]), kb = DriverSample.key(b[...])
      return ka != kb ? ka < kb : lexicographic(a, b)
    }
    let kept = byKey.prefix(m).sorted(by: lexicographic)
    let caseWeights = kept.map { row in Double(counts[row]!) * (weights == nil ? 1 : row[3]) }
    let anyWeights = weights != nil || caseWeights.contains { $0 != 1 }
    return (kept.map { Array($0.prefix(3)) }, anyWeights ? caseWeights : nil)
  }

  static func rows(_ design: DesignMatrix, _ y: [Double]) -> [[Double]] {
    (0..<design.rows).map { [y[$0], design[$0, 1], design[$0, 2]] }
  }

  /// The sample in memory is cut into ``ParallelChunks/keyedSample(rows:)`` chunks (1 below 8192 rows, 2 at
  /// 1e4, 8 at 1e5): the brute-force sample for every count, repeated rows spread over the chunks.
  @Test("The sample in memory is the brute-force sample whatever its chunk count",
        arguments: [(2_600, false), (6_000, false), (6_000, true), (30_000, false)])
  func anyChunkCount(distinct: Int, weighted: Bool) throws {
    let (design, y, weights) = Self.repeated(distinct: distinct, seed: UInt64(distinct), weighted: weighted) { i, g in
      i % 3 == 0 ? 1 + Int(g.next() % 5) : 1
    }
    let chunks = ParallelChunks.keyedSample(rows: design.rows)
    #expect(distinct > 5_000 ? chunks > 1 : chunks == 1, "\(design.rows) rows, \(chunks) chunks")
    let m = DriverSample.limit(columns: 3)
    try Self.expectBruteForceSample(design, y, weights, size: m)
  }

  @Test("Repeated rows across batches: the brute-force sample, from the fit in memory and from any batching",
        arguments: [false, true])
  func duplicatesAcrossBatches(weighted: Bool) throws {
    // 3000 distinct rows, each 1–6 times: about 10 500 rows, m = 2000 distinct of them.
    let (design, y, weights) = Self.repeated(distinct: 3000, seed: 41, weighted: weighted) { _, g in
      1 + Int(g.next() % 6)
    }
    let m = DriverSample.limit(columns: 3)
    let expected = Self.bruteForce(design, y, weights, size: m)
    #expect(expected.rows.count == m)
    let problem = try FitProblem(design: design, response: y, caseWeights: weights, options: FitOptions(),
                                 columnMagnitudes: [1, 1, 1])
    let inMemory = problem.likelihoodSample(rows: m)
    #expect(Self.rows(inMemory.design, inMemory.response) == expected.rows)
    #expect(inMemory.caseWeights == expected.weights)
    for (count, shuffle) in DistributedFitTests.batchings {
      let host = DistributedFitTests.host(design, y, weights: weights, batches: count,
                                          order: shuffle ? DistributedFitTests.shuffled(design.rows, seed: 3) : nil)
      let sample = try DriverSample.sample(host: host, predictors: 2, intercept: true, weighted: weighted, size: m,
                                           names: design.names)
      #expect(sample.design.values == inMemory.design.values && sample.response == inMemory.response,
              "\(count) batches")
      #expect(sample.weights == inMemory.caseWeights, "\(count) batches")
      // The histograms count copies, so the first fetch holds fewer than m distinct rows: the next
      // widens by their density, and one more suffices.
      #expect(sample.passes["sampleRows"] == 2, "\(sample.passes)")
    }
  }

  @Test("Random data with random repetition: the driver's sample is the fit in memory's, row, order and weight",
        arguments: [(1, false), (2, true), (3, false), (4, true), (5, false), (6, true)] as [(UInt64, Bool)])
  func property(seed: UInt64, weighted: Bool) throws {
    var generator = SplitMix64(seed: seed)
    // From all distinct (a sample of rows) to a few rows copied hundreds of times (the whole data).
    let distinct = [400, 1500, 2500, 6000][Int(generator.next() % 4)]
    let most = [1, 2, 8, 300][Int(generator.next() % 4)]
    let (design, y, weights) = Self.repeated(distinct: distinct, seed: seed &* 97, weighted: weighted) { _, g in
      1 + Int(g.next() % UInt64(most))
    }
    let m = DriverSample.limit(columns: 3)
    guard design.rows > m else { return }
    let inMemory = try Self.expectBruteForceSample(design, y, weights, size: m)
    let batches = 1 + Int(generator.next() % 12)
    let host = DistributedFitTests.host(design, y, weights: weights, batches: batches,
                                        order: DistributedFitTests.shuffled(design.rows, seed: seed))
    let sample = try DriverSample.sample(host: host, predictors: 2, intercept: true, weighted: weighted, size: m,
                                         names: design.names)
    #expect(sample.design.values == inMemory.design.values && sample.response == inMemory.response)
    #expect(sample.weights == inMemory.caseWeights)
    #expect(sample.passes["sampleRows"]! <= DriverSample.sampleFetches)
  }

  @Test("A fixture repeated exactly: its sample is the fixture itself, every row weighted by the copies")
  func exactRepeats() throws {
    let (design, y) = try Fixtures.regressionData("seventy_thirty.csv")
    let n = design.rows, k = 31
    let x = (1..<design.columns).map { j in
      Array([[Double]](repeating: Array(design.values[(j * n)..<((j + 1) * n)]), count: k).joined())
    }
    let repeated = try DesignMatrix(predictors: x, names: Array(design.names.dropFirst()))
    let yRepeated = Array([[Double]](repeating: y, count: k).joined())
    let m = DriverSample.limit(columns: design.columns)
    #expect(n * k > m)
    let problem = try FitProblem(design: repeated, response: yRepeated, options: FitOptions(),
                                 columnMagnitudes: [Double](repeating: 1, count: design.columns))
    let sample = problem.likelihoodSample(rows: m)
    #expect(sample.design.rows == n)
    #expect(sample.caseWeights == [Double](repeating: Double(k), count: n))
    let host = DistributedFitTests.host(repeated, yRepeated, batches: 7,
                                        order: DistributedFitTests.shuffled(n * k, seed: 5))
    let driver = try DriverSample.sample(host: host, predictors: design.columns - 1, intercept: true, weighted: false,
                                         size: m, names: repeated.names)
    #expect(driver.design.values == sample.design.values && driver.response == sample.response)
    #expect(driver.weights == sample.caseWeights)
  }

  @Test("A batch sends each distinct row once, with its count")
  func batchCollapses() throws {
    let n = 50_000
    let x = [Double](repeating: 2.5, count: n), y = (0..<n).map { $0 % 2 == 0 ? -0.0 : 0.0 }
    var request = PassRequest(kind: .sampleRows, predictors: 1, intercept: true)
    request.high = .max
    var out = [Double](repeating: .nan, count: request.batchCapacity(rows: n))
    let written = try x.withUnsafeBufferPointer { xb in
      try y.withUnsafeBufferPointer { yb in
        try out.withUnsafeMutableBufferPointer { output in
          try BatchPass.evaluate(request, x: [xb.baseAddress!], y: yb.baseAddress!, rows: n, output: output)
        }
      }
    }
    // −0 and +0 are one row (one key, equal in the canonical order), sent as +0.
    #expect(Array(out[0..<written]) == [0, 2.5, Double(n)])
    #expect(out[0].sign == .plus)
  }

  /// Data of repeated rows above the driver's limit: leverage data of `distinct` rows, each 1–`most` times,
  /// shuffled.
  static func repeatedLeverage(distinct: Int, most: Int, seed: UInt64) -> (DesignMatrix, [Double]) {
    let (design, y) = DistributedFitTests.leverageData(rows: distinct, outliers: 0.1, seed: seed)
    var generator = SplitMix64(seed: seed)
    let copies = (0..<distinct).flatMap { i in [Int](repeating: i, count: 1 + Int(generator.next() % UInt64(most))) }
    let order = DistributedFitTests.shuffled(copies.count, seed: seed &+ 7).map { copies[$0] }
    let x = (1..<design.columns).map { j in order.map { design[$0, j] } }
    return (try! DesignMatrix(predictors: x), order.map { y[$0] })
  }

  @Test("Repeated rows above the limit: the distributed adaptive fit is the fit in memory's to 1e-10, MM to its bounds",
        arguments: [(1500, 4), (4000, 3)])
  func distributedOnRepeats(distinct: Int, most: Int) throws {
    // 1500 distinct rows: the sample is all of them, weighted; 4000: 2000 of them, weighted.
    let (design, y) = Self.repeatedLeverage(distinct: distinct, most: most, seed: UInt64(distinct))
    let n = design.rows
    #expect(n > DriverSample.limit(columns: 3))
    let single = try Regression(loss: .adaptive).fit(design, response: y)
    let fit = try DistributedFit(lossName: "adaptive", alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    let mmSingle = try Regression(loss: Loss(name: "mm")!).fit(design, response: y)
    let mm = try DistributedFit(lossName: "mm", alpha: nil, tuning: nil, fixedScale: nil, predictors: 2,
                                intercept: true, tolerance: 1e-10, maxIterations: 500)
    for (count, shuffle) in DistributedFitTests.batchings.prefix(3) {
      let host = DistributedFitTests.host(design, y, batches: count,
                                          order: shuffle ? DistributedFitTests.shuffled(n, seed: UInt64(count)) : nil)
      let distributed = try fit.run(names: design.names, host: host)
      try DistributedAdaptiveTests.expectSame(distributed, single, tolerance: 1e-10, "\(count) batches")
      // MM: the start differs (fast-S on the weighted keyed sample against the fit in memory's own rows);
      // both iterate to the fixed point, β to DistributedFitTests' bound. The covariance also takes the S
      // residuals, and S agrees to its refinement's tolerance (1e-7 in the step): measured 1.8e-9 relative
      // on these standard errors, so 1e-8.
      let d = try mm.run(names: design.names, host: host)
      #expect(DistributedAdaptiveTests.relative(d.coefficients, mmSingle.estimates) <= 1e-9, "MM \(count) batches")
      #expect(DistributedAdaptiveTests.relative(try #require(d.standardErrors), try #require(mmSingle.standardErrors)) <= 1e-8)
      #expect(abs(d.sigma - mmSingle.residualScale) <= 1e-12 * mmSingle.residualScale)
    }
  }
}
