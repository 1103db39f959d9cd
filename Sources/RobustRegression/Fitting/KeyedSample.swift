/// The adaptive likelihood's sample of rows in memory: the rows a distributed fit's driver draws from its
/// host (``DriverSample/sample(host:predictors:intercept:weighted:size:names:slack:)``: the m rows of
/// smallest key, in the canonical order), drawn by the same function over a host whose batches are the
/// rows in memory. A fit in memory and a distributed fit of the same rows then start from the same
/// sample, and differ only in the order their sums over all rows are added (Docs/scaling.md).
extension FitProblem {
  /// Rows of one batch of ``rowsHost()``.
  static let keyedSampleBatchRows = 1 << 16

  /// The m = `count` rows of smallest key (``DriverSample/key(_:)``; rows of positive weight) in the
  /// canonical order as a problem with this one's options, units and column magnitudes; the problem
  /// itself when it has at most `count` rows, or when the sample cannot be prepared (e.g. its columns are
  /// collinear: a distributed fit refuses there).
  func likelihoodSample(rows count: Int) -> FitProblem {
    guard design.rows > count else { return self }
    let predictors = design.columns - (design.hasIntercept ? 1 : 0)
    guard let sample = try? DriverSample.sample(host: rowsHost(), predictors: predictors,
                                                intercept: design.hasIntercept, weighted: caseWeights != nil,
                                                size: count, names: design.names)
    else { return self }
    return (try? FitProblem(design: sample.design, response: sample.response, caseWeights: sample.weights,
                            options: options, responseUnit: responseUnit, columnMagnitudes: columnMagnitudes))
      ?? self
  }

  /// A host over the rows in memory for the passes that read only the rows' values (`keyHistogram`,
  /// `sampleRows`, `rows`): ``BatchPass`` on batches of ``keyedSampleBatchRows`` rows, on all cores, the
  /// batches' answers merged in batch order by the request's rule.
  func rowsHost() -> PassHost {
    let design = self.design, response = self.response, weights = caseWeights
    return { request in
      let n = design.rows, batchRows = Self.keyedSampleBatchRows
      let batches = (n + batchRows - 1) / batchRows
      // Each batch's answer, or its failure.
      var answers = [Result<[Double], BatchPass.Failure>](repeating: .success([]), count: batches)
      design.values.withUnsafeBufferPointer { values in
        response.withUnsafeBufferPointer { y in
          (weights ?? []).withUnsafeBufferPointer { w in
            nonisolated(unsafe) let x = values.baseAddress!, yBase = y.baseAddress!, wBase = w.baseAddress
            let first = design.hasIntercept ? 1 : 0
            answers.withUnsafeMutableBufferPointer { slots in
              nonisolated(unsafe) let out = slots
              ParallelChunks.perform(min(batches, ParallelChunks.maximum)) { chunk in
                for batch in ParallelChunks.rows(of: chunk, chunks: min(batches, ParallelChunks.maximum),
                                                 total: batches) {
                  let start = batch * batchRows, m = min(batchRows, n - start)
                  let columns = (first..<design.columns).map { UnsafePointer(x + $0 * n + start) }
                  var output = [Double](repeating: 0, count: request.batchCapacity(rows: m))
                  out[batch] = Result { () throws(BatchPass.Failure) -> [Double] in
                    let written = try output.withUnsafeMutableBufferPointer { (buffer) throws(BatchPass.Failure) in
                      try BatchPass.evaluate(request, x: columns, y: yBase + start,
                                             weights: weights == nil ? nil : wBase! + start, rows: m, output: buffer)
                    }
                    output.removeLast(output.count - written)
                    return output
                  }
                }
              }
            }
          }
        }
      }
      var merged: [Double] = []
      for (batch, result) in answers.enumerated() {
        switch result {
        case .failure(let failure): throw DistributedFitError.host(failure.description)
        case .success(let answer):
          if request.merge == .concatenate || batch == 0 { merged += answer } else {
            for k in merged.indices { merged[k] += answer[k] }
          }
        }
      }
      return merged
    }
  }
}
