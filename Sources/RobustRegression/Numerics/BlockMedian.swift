import CKernels

/// ``Selection/madScale(of:scratch:)`` for the few hundred residuals of a block of fast-S's candidate
/// search, in about half the instructions: the median is a value of the data (or the midpoint of two),
/// so any selection that finds the same order statistics gives the same double, and this one selects
/// among a window of the values instead of all of them.
///
/// The window comes from a sample: the |rᵢ| of ``sampleSize`` evenly spaced rows, sorted, and the sample
/// values ``sampleReach`` places either side of its middle as bounds. `rf_window_median_absolute`
/// (CKernels) counts the values below the window and packs those inside it in one pass; when the middle
/// order statistics fall inside (most of the time for residuals in random order) it selects them among
/// the packed values, otherwise, and when a residual is NaN (where a selection's answer depends on its
/// algorithm), the plain ``Selection/madScale(of:scratch:)`` decides. ``Selection`` itself is left as it is: the Huber fit's MAD
/// uses it.
enum BlockMedian {
  /// Sample rows, and how far either side of the sample's middle the window's bounds are: the window
  /// holds about 2·12/32 of the rows and misses the median for a few percent of random residuals.
  static let sampleSize = 31, sampleReach = 6

  /// median|r| / Φ⁻¹(3/4), bit for bit ``Selection/madScale(of:scratch:)``; `scratch` holds at least
  /// `residuals.count` values.
  static func madScale(of residuals: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>) -> Double {
    let n = residuals.count
    // Few rows gain nothing; from 2¹⁵ rows on Selection's own histogram route applies.
    guard n >= 4 * sampleSize, n < 1 << 15, let middle = windowedMedianAbsolute(residuals, scratch: scratch) else {
      return Selection.madScale(of: residuals, scratch: scratch)
    }
    return middle / Selection.madConsistency
  }

  /// median|r| by the sample's window, or nil when the window missed it or a residual is NaN.
  static func windowedMedianAbsolute(_ residuals: UnsafeBufferPointer<Double>,
                                     scratch: UnsafeMutableBufferPointer<Double>) -> Double? {
    let n = residuals.count, r = residuals.baseAddress!, target = scratch.baseAddress!
    let bounds: (Double, Double)? = withUnsafeTemporaryAllocation(of: Double.self, capacity: sampleSize) { sample in
      for k in 0..<sampleSize { sample[k] = abs(r[(2 * k + 1) * n / (2 * sampleSize)]) }
      guard !sample.contains(where: \.isNaN) else { return nil }
      // Insertion sort: for 31 values a fifth of the instructions of the standard library's sort.
      for k in 1..<sampleSize {
        let value = sample[k]
        var j = k
        while j > 0, sample[j - 1] > value {
          sample[j] = sample[j - 1]
          j -= 1
        }
        sample[j] = value
      }
      return (sample[sampleSize / 2 - sampleReach], sample[sampleSize / 2 + sampleReach])
    }
    guard let (lower, upper) = bounds else { return nil }
    var middle = 0.0
    return rf_window_median_absolute(r, n, lower, upper, target, &middle) == 1 ? middle : nil
  }
}
