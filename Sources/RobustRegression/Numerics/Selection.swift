/// Order statistics without sorting: the median and the MAD scale.
package enum Selection {
  /// The consistency factor of the MAD at the Gaussian: Φ⁻¹(3/4).
  package static let madConsistency = 0.6744897501960817

  /// The median of `values` (the mean of the two middle values for even n), in expected O(n).
  /// `values` is reordered. Returns NaN only for an empty input.
  package static func median(reordering values: UnsafeMutableBufferPointer<Double>) -> Double {
    let n = values.count
    guard n > 0 else { return .nan }
    return middle(of: values, upperRank: n / 2, even: n % 2 == 0)
  }

  /// The median from the ranks of the middle order statistics within `values` (reordered): the value
  /// of rank `upperRank` (the upper middle), or with `even` its midpoint with the lower middle, the
  /// value of rank `upperRank − 1`. After the selection of the upper middle everything left of it is
  /// ≤ it, so the lower middle is the maximum of `values[0..<upperRank]` (≥ 1 value when `even`).
  static func middle(of values: UnsafeMutableBufferPointer<Double>, upperRank: Int, even: Bool) -> Double {
    let upper = select(values, rank: upperRank)
    guard even else { return upper }
    var lower = values[0]
    for i in 1..<upperRank where values[i] > lower { lower = values[i] }
    return midpoint(lower, upper)
  }

  /// The robust residual scale σ̂ = median(|r|)/Φ⁻¹(3/4) (MAD centred at 0, as statsmodels and MASS).
  /// `scratch` must hold at least `residuals.count` values.
  package static func madScale(of residuals: UnsafeBufferPointer<Double>,
                              scratch: UnsafeMutableBufferPointer<Double>) -> Double {
    let n = residuals.count
    if n >= 1 << 15, n < Int(UInt32.max), let middle = bucketedMedianAbsolute(residuals, scratch: scratch) {
      return middle / madConsistency
    }
    for i in 0..<n { scratch[i] = abs(residuals[i]) }
    let view = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
    return median(reordering: view) / madConsistency
  }

  /// median(|r|) in two streaming passes and a small selection: a non-negative double orders like its
  /// bit pattern, so a histogram of the top 13 bits (exponent and two mantissa bits: quarter binades,
  /// 32 KB of 32-bit counters, so n < 2³²) locates the bucket(s) holding the middle order statistics;
  /// their values are copied to `scratch` and selected there (a few percent of n instead of all of it:
  /// 2.8 ms against 10.5–11.8 ms for quickselect over all 1e6 |rᵢ|). Nil when a residual is NaN (left
  /// to the plain selection).
  static func bucketedMedianAbsolute(_ residuals: UnsafeBufferPointer<Double>,
                                     scratch: UnsafeMutableBufferPointer<Double>) -> Double? {
    let n = residuals.count
    let shift: UInt64 = 50
    let buckets = 1 << 13
    let counts = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: buckets)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0)
    var largest: UInt64 = 0
    for r in residuals {
      let bits = abs(r).bitPattern
      counts[Int(bits >> shift)] &+= 1
      largest = max(largest, bits)
    }
    // Every NaN's bit pattern lies above +∞'s.
    if largest > Double.infinity.bitPattern { return nil }
    let upperRank = n / 2, lowerRank = n % 2 == 0 ? n / 2 - 1 : n / 2
    var below = 0, key = 0
    while below + Int(counts[key]) <= lowerRank {
      below += Int(counts[key])
      key += 1
    }
    var last = key, through = below + Int(counts[key])
    while through <= upperRank {
      last += 1
      through += Int(counts[last])
    }
    var count = 0
    let low = UInt64(key) << shift, high = UInt64(last + 1) << shift
    // Branch-free compaction: every value is stored, the position advances only for those inside
    // [low, high) (one unsigned comparison; the position never passes the row, so n values suffice).
    let target = scratch.baseAddress!
    for r in residuals {
      let a = abs(r)
      target[count] = a
      count &+= a.bitPattern &- low < high &- low ? 1 : 0
    }
    guard count == through - below else { return nil }
    let values = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
    return middle(of: values, upperRank: upperRank - below, even: lowerRank != upperRank)
  }

  /// (a + b)/2 for a ≤ b without overflow, and a when a = b (also for ±∞, where b − a is NaN).
  static func midpoint(_ a: Double, _ b: Double) -> Double {
    a == b ? a : a + (b - a) / 2
  }

  /// The weighted median of `values` with non-negative `weights` (W = Σw > 0), defined so that integer
  /// weights give the median of the data with each value repeated wᵢ times: sorted by value, the value
  /// where the cumulative weight first reaches W/2, or, where it reaches W/2 exactly, the midpoint of that
  /// value and the next one with positive weight. Rows of weight 0 count for nothing. O(n log n).
  package static func weightedMedian(values: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>) -> Double {
    precondition(values.count == weights.count, "one weight per value")
    let order = values.indices.filter { weights[$0] > 0 }.sorted { values[$0] < values[$1] }
    guard !order.isEmpty else { return .nan }
    let total = order.reduce(0.0) { $0 + weights[$1] }
    let half = total / 2
    var cumulative = 0.0
    for (k, i) in order.enumerated() {
      cumulative += weights[i]
      // A relative tolerance makes sums of fractional weights that should equal W/2 do so.
      if abs(cumulative - half) <= 1e-12 * total, k + 1 < order.count {
        return midpoint(values[i], values[order[k + 1]])
      }
      if cumulative > half { return values[i] }
    }
    return values[order.last!]
  }

  /// σ̂ of an array of residuals.
  package static func madScale(of residuals: [Double]) -> Double {
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: residuals.count)
    defer { scratch.deallocate() }
    return residuals.withUnsafeBufferPointer { madScale(of: $0, scratch: scratch) }
  }

  /// The k-th smallest value (0-based) by quickselect with median-of-three pivots and a branch-free
  /// partition (Lomuto's, with the swap done whatever the comparison: no mispredicted branch per value);
  /// falls back to a sort of the remaining range if partitioning degenerates (many equal values), so
  /// the worst case stays O(n log n). On
  /// return every value left of rank k is ≤ it and every value right of it is ≥ it.
  package static func select(_ a: UnsafeMutableBufferPointer<Double>, rank k: Int) -> Double {
    var lo = 0, hi = a.count - 1
    var budget = 2 * (Int.bitWidth - a.count.leadingZeroBitCount) + 8
    let base = a.baseAddress!
    while hi > lo {
      if budget == 0 {
        var rest = UnsafeMutableBufferPointer(rebasing: a[lo...hi])
        rest.sort()
        return a[k]
      }
      budget -= 1
      let mid = lo + (hi - lo) / 2
      // Median of three into a[hi], the pivot's place during the partition.
      if a[mid] < a[lo] { a.swapAt(mid, lo) }
      if a[hi] < a[lo] { a.swapAt(hi, lo) }
      if a[mid] < a[hi] { a.swapAt(hi, mid) }
      let pivot = base[hi]
      // [lo, j) ≤ pivot ≤ [j, i).
      var j = lo
      for i in lo..<hi {
        let v = base[i]
        base[i] = base[j]
        base[j] = v
        // +1 when v < pivot, from the sign bit of v − pivot (exact for finite values; a comparison
        // here compiles to a branch). Values equal to the pivot may go either way: the left part
        // stays ≤ pivot ≤ the right part, all the selection needs.
        j &+= Int(truncatingIfNeeded: (v - pivot).bitPattern >> 63)
      }
      base[hi] = base[j]
      base[j] = pivot
      if k == j { return pivot }
      if k < j { hi = j - 1 } else { lo = j + 1 }
    }
    return a[k]
  }
}
