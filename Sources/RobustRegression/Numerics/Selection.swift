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
  /// where the cumulative weight first reaches W/2, or, where it reaches W/2 within 1e-12·W, the midpoint
  /// of that value and the next one with positive weight (``weightedMedianWalk(_:from:total:next:valuesAbove:)``).
  /// Rows of weight 0 count for nothing; NaN with no positive weight.
  ///
  /// In expected O(n) without moving the values: a histogram of the weights by the top 16 bits of each
  /// value's order-preserving bit pattern finds the bucket where the cumulative weight crosses
  /// W/2 − 1e-12·W, whose rows (a few percent of n) are histogrammed again by the next 16 bits, until at
  /// most ``walkedRows`` remain; those are sorted and walked from the weight below them, with the smallest
  /// value above them as a tie's partner. Only the rounding of the cumulative sums differs from a walk over
  /// all rows sorted (which a NaN value, or a crossing that rounding leaves outside the last bucket, still
  /// takes).
  package static func weightedMedian(values: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>) -> Double {
    precondition(values.count == weights.count, "one weight per value")
    var total = 0.0, positive = 0, finite = true
    for i in values.indices where weights[i] > 0 {
      total += weights[i]
      positive += 1
      finite = finite && !values[i].isNaN
    }
    guard positive > 0 else { return .nan }
    guard finite, positive > sortedRows else { return weightedMedianBySorting(values: values, weights: weights, total: total) }
    let level = crossingRows(values: values, weights: weights, threshold: total / 2 - 1e-12 * total, strictly: false)
    if let middle = weightedMedianWalk(level.pairs, from: level.below, total: total, next: level.next,
                                       valuesAbove: level.next != nil) {
      return middle
    }
    return weightedMedianBySorting(values: values, weights: weights, total: total)
  }

  /// The value of the first row, in increasing value, at which the cumulative weight of the rows of
  /// positive weight exceeds `position` (with whole weights: the order statistic of 0-based rank
  /// `position` of the rows repeated wᵢ times); NaN when no weight is positive or `position` ≥ Σw. By the
  /// histogram levels of ``weightedMedian(values:weights:)``; values must not be NaN.
  package static func weightedOrderStatistic(values: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>,
                                             exceeding position: Double) -> Double {
    precondition(values.count == weights.count, "one weight per value")
    if values.count > sortedRows {
      let level = crossingRows(values: values, weights: weights, threshold: position, strictly: true)
      var running = level.below
      for pair in level.pairs {
        running += pair.weight
        if running > position { return pair.value }
      }
    }
    // Few rows, or rounding left the crossing above the last bucket (or there is none): the walk over all
    // rows, sorted.
    var running = 0.0
    let pairs = values.indices.filter { weights[$0] > 0 }.map { (value: values[$0], weight: weights[$0]) }
      .sorted { $0.value < $1.value }
    for pair in pairs {
      running += pair.weight
      if running > position { return pair.value }
    }
    return .nan
  }

  /// The histogram levels' descent to at most ``walkedRows`` rows (or rows of one value), sorted: the
  /// rows of the bucket where the cumulative weight reaches `threshold` (`strictly`: exceeds it), the
  /// weight below them and the smallest value above them (nil if none).
  private static func crossingRows(values: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>,
                                   threshold: Double, strictly: Bool)
    -> (pairs: [(value: Double, weight: Double)], below: Double, next: Double?)
  {
    var shift = 64 - bucketBits
    var level = crossingBucket(values: values, weights: weights, shift: shift, below: 0, threshold: threshold,
                               strictly: strictly, next: nil)
    while level.values.count > walkedRows && shift > 0 {
      shift -= bucketBits
      let rows = level
      level = rows.values.withUnsafeBufferPointer { v in
        rows.weights.withUnsafeBufferPointer { w in
          crossingBucket(values: v, weights: w, shift: shift, below: rows.below, threshold: threshold,
                         strictly: strictly, next: rows.next)
        }
      }
    }
    let pairs = zip(level.values, level.weights).map { (value: $0, weight: $1) }.sorted { $0.value < $1.value }
    return (pairs, level.below, level.next)
  }

  /// At most this many rows are sorted and walked by ``weightedMedian(values:weights:)`` after its
  /// histogram levels; up to ``sortedRows`` rows it sorts them all (a histogram of 2¹⁶ buckets costs more).
  static let walkedRows = 256, sortedRows = 4096

  /// The weighted median by sorting every row of positive weight and walking them all (W = `total`).
  private static func weightedMedianBySorting(values: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>,
                                              total: Double) -> Double {
    let pairs = values.indices.filter { weights[$0] > 0 }.map { (value: values[$0], weight: weights[$0]) }
      .sorted { $0.value < $1.value }
    return weightedMedianWalk(pairs, from: 0, total: total, valuesAbove: false) ?? .nan
  }

  /// The walk that defines the weighted median, over `pairs` in increasing value from the weight `below`
  /// them (W = `total`): the first value whose cumulative weight exceeds W/2, or, where it is within
  /// 1e-12·W of W/2 (a relative tolerance, so that fractional weights that should sum to W/2 do), the
  /// midpoint of that value and the next: the next pair, else `next` (the smallest value above the pairs,
  /// when known). Nil when the answer needs a value above the pairs that `next` does not give
  /// (`valuesAbove`): the crossing, or a tie's partner, lies there.
  package static func weightedMedianWalk(_ pairs: [(value: Double, weight: Double)], from below: Double, total: Double,
                                         next: Double? = nil, valuesAbove: Bool) -> Double? {
    let half = total / 2
    var running = below
    for (k, pair) in pairs.enumerated() {
      running += pair.weight
      if abs(running - half) <= 1e-12 * total {
        if k + 1 < pairs.count { return midpoint(pair.value, pairs[k + 1].value) }
        if let next { return midpoint(pair.value, next) }
        if valuesAbove { return nil }
      }
      if running > half { return pair.value }
    }
    return valuesAbove ? nil : pairs.last?.value
  }

  /// A double's bit pattern made to order as the doubles do (negatives reversed below the positives; −0
  /// as +0), for finite and infinite values.
  @inline(__always)
  static func orderedKey(_ v: Double) -> UInt64 {
    let bits = (v == 0 ? 0.0 : v).bitPattern
    return bits >> 63 == 0 ? bits | (1 << 63) : ~bits
  }

  /// The double whose ``orderedKey(_:)`` is `key` (+0 for the key of ±0).
  package static func value(ofOrderedKey key: UInt64) -> Double {
    key >> 63 == 1 ? Double(bitPattern: key & ~(1 << 63)) : Double(bitPattern: ~key)
  }

  /// One level of ``weightedMedian(values:weights:)``: the rows of positive weight whose keys' 16 bits
  /// above `shift` fall in the first bucket where `below` plus the cumulative weight reaches `threshold`
  /// (`strictly`: exceeds it)
  /// (the last bucket with weight if rounding keeps it below), the weight below that bucket, and the
  /// smallest value above it (`next` if there is none among these rows). The rows given share their bits
  /// above `shift + 16` (one bucket of the level before).
  private static func crossingBucket(values: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>,
                                     shift: UInt64, below: Double, threshold: Double, strictly: Bool = false,
                                     next: Double?)
    -> (values: [Double], weights: [Double], below: Double, next: Double?)
  {
    let buckets = 1 << bucketBits, mask = UInt64(buckets - 1)
    // Per bucket: the weight, the smallest value and the count of the rows of positive weight.
    let slots = UnsafeMutablePointer<Double>.allocate(capacity: 3 * buckets)
    defer { slots.deallocate() }
    for b in 0..<buckets {
      slots[3 * b] = 0
      slots[3 * b + 1] = .infinity
      slots[3 * b + 2] = 0
    }
    let v = values.baseAddress!, w = weights.baseAddress!, n = values.count
    for i in 0..<n {
      let b = Int((orderedKey(v[i]) &>> shift) & mask), positive = w[i] > 0
      slots[3 * b] += w[i]  // rows of weight 0 add nothing (and are skipped below)
      slots[3 * b + 1] = min(slots[3 * b + 1], positive ? v[i] : .infinity)
      slots[3 * b + 2] += positive ? 1 : 0
    }
    // The first bucket that reaches the threshold, else (rounding) the last one with weight.
    var running = below, crossing = -1, belowCrossing = below
    for b in 0..<buckets where slots[3 * b] > 0 {
      crossing = b
      belowCrossing = running
      running += slots[3 * b]
      if strictly ? running > threshold : running >= threshold { break }
    }
    var smallestAbove = Double.infinity, anyAbove = false
    for b in (crossing + 1)..<buckets where slots[3 * b] > 0 {
      anyAbove = true
      smallestAbove = min(smallestAbove, slots[3 * b + 1])
    }
    // The crossing bucket's rows by a branch-free compaction: every row is written, the position advances
    // only for the bucket's rows of positive weight (so it never passes their count: count + 1 slots).
    let count = crossing < 0 ? 0 : Int(slots[3 * crossing + 2])
    var kept = [Double](repeating: 0, count: count + 1), keptWeights = [Double](repeating: 0, count: count + 1)
    kept.withUnsafeMutableBufferPointer { kv in
      keptWeights.withUnsafeMutableBufferPointer { kw in
        var c = 0
        for i in 0..<n {
          let member = Int((orderedKey(v[i]) &>> shift) & mask) == crossing && w[i] > 0
          kv[c] = v[i] == 0 ? 0 : v[i]
          kw[c] = w[i]
          c &+= member ? 1 : 0
        }
      }
    }
    kept.removeLast()
    keptWeights.removeLast()
    return (kept, keptWeights, belowCrossing, anyAbove ? smallestAbove : next)
  }


  /// The bits of the key each level of ``weightedMedian(values:weights:)`` buckets by.
  private static let bucketBits: UInt64 = 16


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
