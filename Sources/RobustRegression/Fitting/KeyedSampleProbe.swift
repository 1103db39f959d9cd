/// The adaptive fit's keyed likelihood sample on its own, for `robustfit-bench --keyed-sample`: the data's
/// problem prepared once (the data as given: the sample's cost does not depend on the values' range),
/// then ``FitProblem/likelihoodSample(rows:)`` on demand, so that the sample alone can be timed and its
/// output compared between builds.
package struct KeyedSampleProbe {
  private let problem: FitProblem

  /// The rows of the adaptive fit's sample at this design's width (``AdaptiveFitter/likelihoodScanRows(columns:)``).
  package var size: Int { AdaptiveFitter.likelihoodScanRows(columns: problem.design.columns) }

  package init(design: DesignMatrix, response: [Double], caseWeights: [Double]? = nil) throws {
    problem = try FitProblem(design: design, response: response, caseWeights: caseWeights, options: FitOptions(),
                             columnMagnitudes: [Double](repeating: 1, count: design.columns))
  }

  /// The sample of `size` rows (``FitProblem/likelihoodSample(rows:)``, all of it: the selection and the
  /// sample's own problem).
  package func sample(rows size: Int) -> Sample { Sample(problem: problem.likelihoodSample(rows: size)) }

  /// A drawn sample.
  package struct Sample {
    fileprivate let problem: FitProblem

    /// Its rows.
    package var rows: Int { problem.design.rows }

    /// A 64-bit digest of its y, X and case weights (every bit, in order; ``DriverSample/mix(_:_:)``
    /// chained, −0 and +0 apart), equal between two builds exactly when they draw the same sample.
    package var digest: UInt64 {
      var digest: UInt64 = 0
      for values in [problem.response, problem.design.values, problem.caseWeights ?? []] {
        // The bit pattern turned (mix reads −0 as +0; the turned patterns of ±0 are neither zero).
        for v in values { digest = DriverSample.mix(digest, Double(bitPattern: v.bitPattern ^ 0x5555_5555_5555_5555)) }
        digest = DriverSample.mix(digest, Double(values.count))
      }
      return digest
    }
  }
}
