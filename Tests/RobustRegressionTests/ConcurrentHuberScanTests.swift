import Testing
@testable import RobustRegression

/// The adaptive start on the likelihood's sample with the Huber start's scan on a second thread
/// (``ConcurrentHuberScan``): the same doubles as the sequential order (S scan, then the Huber scan),
/// whichever thread runs first.
@Suite("The adaptive start's Huber scan on a second thread")
struct ConcurrentHuberScanTests {
  /// Clean data (the Huber start's basin near α = 2 holds the lower NLL), 10 % and 30 % outliers in x and
  /// y (the S start's), with case weights, and with c held.
  static let cases: [(outliers: Double, weighted: Bool, fixedScale: Double?)] = [
    (0, false, nil), (0.1, false, nil), (0.3, false, nil), (0.1, true, nil), (0.1, false, 1.2),
  ]

  @Test("The start on the sample is the sequential start, bit for bit, in every run", arguments: cases.indices)
  func sameAsSequential(index: Int) throws {
    let (outliers, weighted, fixedScale) = Self.cases[index]
    let (design, y) = DistributedFitTests.leverageData(rows: 12_000, outliers: outliers, seed: 40 + UInt64(index))
    let weights = weighted ? DistributedFitTests.caseWeights("integer", rows: design.rows, seed: 9) : nil
    let options = FitOptions(scale: fixedScale.map { .fixed($0) } ?? .mad)
    let problem = try FitProblem(design: design, response: y, caseWeights: weights, options: options,
                                 columnMagnitudes: [1, 1, 1])
    let fitter = AdaptiveFitter(fitProblem: problem, alphaRange: 0...2)
    let sample = problem.likelihoodSample(rows: AdaptiveFitter.likelihoodScanRows(columns: design.columns))
    #expect(sample.design.rows < design.rows)
    let sequential = try fitter.startOnSample(sample, subsampled: true, concurrently: false)
    #expect(sequential.nll.isFinite && sequential.scanned.count >= 5)
    for _ in 0..<4 {
      let concurrent = try fitter.startOnSample(sample, subsampled: true)
      #expect(concurrent.beta == sequential.beta && concurrent.alpha == sequential.alpha)
      #expect(concurrent.scale == sequential.scale && concurrent.nll == sequential.nll)
      #expect(concurrent.scaleFloor == sequential.scaleFloor && concurrent.fixedScale == sequential.fixedScale)
      let a = concurrent.scanned.sorted { $0.alpha < $1.alpha }, b = sequential.scanned.sorted { $0.alpha < $1.alpha }
      #expect(a.map(\.alpha) == b.map(\.alpha) && a.map(\.nll) == b.map(\.nll))
      #expect(a.map(\.beta) == b.map(\.beta) && a.map(\.scale) == b.map(\.scale))
    }
  }
}
