import Testing
@testable import RobustRegression

/// The residual summary of a distributed fit (``DistributedResidualSummary``) through batches against the
/// residuals at the same β̂ in memory: the quantiles of a sort (type 7), of the rows repeated by their
/// whole weights, exactly; the outlier count exactly; R² against the two-pass sums to 1e-12.
@Suite("Distributed residual summary against the residuals in memory")
struct DistributedResidualSummaryTests {
  /// R's type 7 of `values` by sorting.
  static func typeSeven(_ values: [Double]) -> [Double] {
    let sorted = values.sorted(), n = sorted.count
    return [0, 0.25, 0.5, 0.75, 1].map { q in
      let h = Double(n - 1) * q, lo = Int(h.rounded(.down)), hi = min(lo + 1, n - 1)
      return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
  }

  /// The residuals at `beta` as the fit in memory computes them (``WeightedPass``).
  static func residuals(_ design: DesignMatrix, _ y: [Double], beta: [Double]) -> [Double] {
    let pass = WeightedPass(design: design, response: y)
    pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
    return Array(pass.residuals)
  }

  static func fit(_ name: String, design: DesignMatrix, y: [Double], weights: [Double]? = nil, batches: Int,
                  valueLimit: Int? = nil) throws -> DistributedFit.Result {
    let fit = try DistributedFit(lossName: name, alpha: nil, tuning: nil, fixedScale: nil,
                                 predictors: design.columns - 1, intercept: true, weighted: weights != nil,
                                 tolerance: 1e-10, maxIterations: 500)
    fit.summarizes = true
    if let valueLimit { fit.valueLimit = valueLimit }
    return try fit.run(names: design.names, host: DistributedFitTests.host(design, y, weights: weights, batches: batches))
  }

  /// Expects `result`'s summary to be that of `r` repeated by `weights` (whole numbers).
  static func expectSummary(_ result: DistributedFit.Result, residuals r: [Double], y: [Double], weights: [Double]?,
                            l2: Bool, _ label: String) throws {
    let summary = try #require(result.residualSummary, "\(label)")
    let w = weights ?? Array(repeating: 1, count: r.count)
    let repeated = r.indices.flatMap { Array(repeating: r[$0], count: Int(w[$0])) }
    #expect(summary.quantiles == typeSeven(repeated), "\(label): \(summary.quantiles) vs \(typeSeven(repeated))")
    let outliers = r.filter { abs($0) / result.sigma > 2.5 }.count
    #expect(summary.outlierCount == outliers && summary.outlierThreshold == 2.5 && !summary.robustWeightRule, "\(label)")
    guard l2 else {
      #expect(summary.rSquared == nil, "\(label)")
      return
    }
    let total = w.reduce(0, +)
    let mean = zip(w, y).reduce(0) { $0 + $1.0 * $1.1 } / total
    let tss = zip(w, y).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
    let rss = zip(w, r).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
    let r2 = 1 - rss / tss, p = Double(result.coefficients.count)
    let adjusted = 1 - (1 - r2) * (total - 1) / (total - p)
    let value = try #require(summary.rSquared), adjustedValue = try #require(summary.adjustedRSquared)
    #expect(abs(value - r2) <= 1e-12 * abs(r2) && abs(adjustedValue - adjusted) <= 1e-12 * abs(adjusted),
            "\(label): \(value) vs \(r2)")
  }

  @Test("l2, huber and Barron at α = 1.5, odd and even n, one batch and seven",
        arguments: ["l2", "huber", "pseudo-huber"], [(3001, 1), (3000, 7)])
  func unweighted(loss: String, shape: (rows: Int, batches: Int)) throws {
    let (design, y) = try DistributedFitTests.data(rows: shape.rows, predictors: 3, seed: 23)
    let result = try Self.fit(loss, design: design, y: y, batches: shape.batches)
    let r = Self.residuals(design, y, beta: result.coefficients)
    try Self.expectSummary(result, residuals: r, y: y, weights: nil, l2: loss == "l2", "\(loss) \(shape)")
    #expect(result.passes["residualHistogram"] == 1 && result.passes["residualValues"] == 1, "\(result.passes)")
  }

  @Test("case weights 0–3: the quantiles of the rows repeated, the outliers of every row", arguments: ["l2", "huber"], [1, 5])
  func weighted(loss: String, batches: Int) throws {
    let (design, y) = try DistributedFitTests.data(rows: 2001, predictors: 2, seed: 5)
    let weights = (0..<2001).map { Double([1, 2, 3, 0][$0 % 4]) }
    let result = try Self.fit(loss, design: design, y: y, weights: weights, batches: batches)
    let r = Self.residuals(design, y, beta: result.coefficients)
    try Self.expectSummary(result, residuals: r, y: y, weights: weights, l2: loss == "l2", "\(loss) weighted \(batches)")
  }

  @Test("buckets above the value limit are histogrammed again; the limit bounds the values collected",
        arguments: [1, 4], [false, true])
  func refinement(batches: Int, weighted: Bool) throws {
    let (design, y) = try DistributedFitTests.data(rows: 40_000, predictors: 2, seed: 9)
    let weights = weighted ? (0..<40_000).map { Double($0 % 3) } : nil
    let result = try Self.fit("huber", design: design, y: y, weights: weights, batches: batches, valueLimit: 256)
    let r = Self.residuals(design, y, beta: result.coefficients)
    try Self.expectSummary(result, residuals: r, y: y, weights: weights, l2: false, "refined \(batches) \(weighted)")
    #expect(result.passes["residualHistogram", default: 0] > 1 && result.passes["residualValues"] == 1, "\(result.passes)")
  }

  /// y = 2 + x + e with x and e each taking three values: nine distinct residuals, each shared by
  /// thousands of rows, so that the buckets of the order statistics are refined down to one key each and
  /// the values read off their keys.
  /// (Unweighted: the distributed fit's weighted σ̂ does not end on such ties with a value limit this small.)
  @Test("ties: buckets of one value are read off their key")
  func ties() throws {
    let weighted = false
    let n = 30_000
    let x = (0..<n).map { Double($0 % 3) }
    let design = try DesignMatrix(predictors: [x], rows: n)
    let y = (0..<n).map { 2 + x[$0] + [-0.5, 0, 1.25][($0 / 3) % 3] }
    let weights = weighted ? (0..<n).map { Double(1 + $0 % 2) } : nil
    let result = try Self.fit("l2", design: design, y: y, weights: weights, batches: 3, valueLimit: 1024)
    let r = Self.residuals(design, y, beta: result.coefficients)
    try Self.expectSummary(result, residuals: r, y: y, weights: weights, l2: true, "ties \(weighted)")
    #expect(result.passes["residualHistogram", default: 0] >= 4, "\(result.passes)")
  }

  @Test("a key decodes to its double, both signs, zeros, subnormals and infinities")
  func keys() {
    for v in [0.0, 1, -1, 0x1p-1074, -0x1p-1074, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity,
              -.infinity, 3.75, -1e-300] {
      #expect(Selection.value(ofOrderedKey: Selection.orderedKey(v)) == v)
    }
    #expect(Selection.value(ofOrderedKey: Selection.orderedKey(-0.0)).sign == .plus)
  }

  @Test("a residual values request with key ranges survives its encoding, with and without a conditioning")
  func encoding() throws {
    var request = PassRequest(kind: .residualValues, predictors: 2, intercept: true)
    request.beta = [1, 2, 3]
    request.ranges = [5...9, (1 << 63)...(UInt64.max - 3)]
    request.shift = 2
    request.meanSlope = 0.5
    request.alpha = -0.25
    for conditioning in [[], [0, 1, 10, 0.5, 0, 2]] as [[Double]] {
      request.conditioning = conditioning
      let decoded = request.encoded.withUnsafeBufferPointer { PassRequest(decoding: $0) }
      #expect(decoded == request)
    }
  }
}
