import Testing
@testable import RobustRegression

/// The distributed fit (``DistributedFit`` on a ``DistributedPass``) with an in-process host that splits
/// the rows into batches and runs ``BatchPass`` on each — what Spark does per partition — against the
/// fit in memory: the same IRLS loop, so the same estimate up to the order of the additions.
@Suite("Distributed fit through batches against the fit in memory")
struct DistributedFitTests {
  /// An intercept and `predictors` columns with outliers in y (``WeightedPassTests/problem``).
  static func data(rows n: Int, predictors: Int, seed: UInt64) throws -> (DesignMatrix, [Double]) {
    let (design, y, _) = try WeightedPassTests.problem(rows: n, columns: predictors + 1, seed: seed)
    return (design, y)
  }

  /// A host over `batches` row ranges of the data, merged in batch order.
  static func host(_ design: DesignMatrix, _ y: [Double], batches: Int) -> PassHost {
    let n = design.rows, predictors = design.columns - 1
    return { request in
      var merged: [Double]? = nil
      for b in 0..<batches {
        let range = (b * n / batches)..<((b + 1) * n / batches)
        let xs = (0..<predictors).map { j in Array(design.values[((j + 1) * n + range.lowerBound)..<((j + 1) * n + range.upperBound)]) }
        let ys = Array(y[range])
        var out = [Double](repeating: 0, count: request.batchCapacity(rows: range.count))
        let written = try xs.withUnsafeBufferPointers { pointers in
          try ys.withUnsafeBufferPointer { yb in
            try out.withUnsafeMutableBufferPointer {
              try BatchPass.evaluate(request, x: pointers, y: yb.baseAddress!, rows: range.count, output: $0)
            }
          }
        }
        let answer = Array(out[0..<written])
        if request.merge == .concatenate { merged = (merged ?? []) + answer } else {
          merged = merged.map { zip($0, answer).map(+) } ?? answer
        }
      }
      return merged ?? []
    }
  }

  @Test("l2, Huber and Barron at α = 1.5: coefficients, c, σ̂ and standard errors to 1e-10",
        arguments: [("l2", nil), ("huber", nil), ("general", 1.5)] as [(String, Double?)], [1, 7])
  func matchesFitInMemory(loss: (name: String, alpha: Double?), batches: Int) throws {
    let (name, alpha) = loss
    let (design, y) = try Self.data(rows: 3001, predictors: 3, seed: 17)
    let single = try Regression(loss: Loss(name: name, alpha: alpha)!).fit(design, response: y)
    let fit = try DistributedFit(lossName: name, alpha: alpha, tuning: nil, fixedScale: nil, predictors: 3,
                                 intercept: true, tolerance: 1e-10, maxIterations: 500)
    let distributed = try fit.run(names: design.names, host: Self.host(design, y, batches: batches))
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-10 * max(abs(a), abs(b)) }
    #expect(zip(distributed.coefficients, single.estimates).allSatisfy(close))
    #expect(zip(distributed.standardErrors!, single.standardErrors!).allSatisfy(close))
    #expect(close(distributed.scale, single.lossScale))
    #expect(close(distributed.sigma, single.residualScale))
    // σ̂ at most steps from the window pass alone (one pass instead of a histogram and a values pass).
    if name != "l2" { #expect(distributed.passes["window", default: 0] > distributed.passes["histogram", default: 0]) }
  }

  @Test("The exact MAD of the histogram passes equals the selection over all residuals, odd and even n")
  func exactMedian() throws {
    for n in [2000, 2001] {
      let (design, y) = try Self.data(rows: n, predictors: 2, seed: 5)
      let pass = DistributedPass(predictors: 2, intercept: true, rows: n, responseMagnitude: 1,
                                 host: Self.host(design, y, batches: 3))
      let beta = [0.1, -0.2, 0.3]
      // The residuals of the pass in memory (the same row code, so the same doubles).
      let memory = WeightedPass(design: design, response: y)
      memory.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
      let residuals = Array(memory.residuals)
      #expect(try pass.medianAbsoluteResidual(at: beta) / Selection.madConsistency == Selection.madScale(of: residuals))
    }
  }

  @Test("Losses without a distributed start are refused")
  func refusesOtherLosses() {
    #expect(throws: DistributedFitError.self) {
      _ = try DistributedFit(lossName: "cauchy", alpha: nil, tuning: nil, fixedScale: nil, predictors: 1,
                             intercept: true, tolerance: 1e-10, maxIterations: 10)
    }
  }
}

extension Array where Element == [Double] {
  /// Pointers to each inner array's storage for the duration of `body`.
  func withUnsafeBufferPointers<R>(_ body: ([UnsafePointer<Double>]) throws -> R) rethrows -> R {
    func go(_ index: Int, _ acc: [UnsafePointer<Double>]) throws -> R {
      if index == count { return try body(acc) }
      return try self[index].withUnsafeBufferPointer { try go(index + 1, acc + [$0.baseAddress!]) }
    }
    return try go(0, [])
  }
}
