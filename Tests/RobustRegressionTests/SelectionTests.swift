import Foundation
import Testing
@testable import RobustRegression

/// The quickselect median and the MAD scale against sorting.
@Suite("Median and MAD by selection")
struct SelectionTests {
  static func median(_ values: [Double]) -> Double {
    var copy = values
    return copy.withUnsafeMutableBufferPointer { Selection.median(reordering: $0) }
  }

  /// The median by sorting: the middle value, or the mean of the two middle values.
  static func sortedMedian(_ values: [Double]) -> Double {
    let s = values.sorted(), n = s.count
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
  }

  /// Odd n: exactly the middle value. Even n: the midpoint of the two middle values a ≤ b, to one ulp
  /// of max(|a|, |b|) (the library forms a + (b − a)/2, which cannot overflow but rounds twice; the
  /// sorted reference (a + b)/2 rounds once).
  static func expectMedian(_ values: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    let got = Self.median(values), s = values.sorted(), n = s.count
    if n % 2 == 1 {
      #expect(got == s[n / 2], "n = \(n)", sourceLocation: sourceLocation)
    } else {
      let a = s[n / 2 - 1], b = s[n / 2]
      #expect(abs(got - (a + b) / 2) <= max(abs(a), abs(b)).ulp, "n = \(n): \(got) vs \((a + b) / 2)",
              sourceLocation: sourceLocation)
      #expect(a <= got && got <= b, sourceLocation: sourceLocation)
    }
  }

  @Test("Random arrays of every size 1…300 (with ties) give the sorted median")
  func randomArrays() {
    var random = TestRandom(state: 31)
    for n in 1...300 {
      for ties in [false, true] {
        Self.expectMedian((0..<n).map { _ in ties ? Double(random.next() % 7) : random.normal() })
      }
    }
  }

  @Test("Adversarial orders: sorted, reversed, constant, organ pipe, many duplicates of the median")
  func adversarialOrders() {
    for n in [1, 2, 3, 4, 5, 10, 11, 1000, 1001, 4096, 4097] {
      let sorted = (0..<n).map(Double.init)
      let organ = (0..<n).map { Double(min($0, n - 1 - $0)) }
      let constant = [Double](repeating: 2.5, count: n)
      let mostlySame = (0..<n).map { $0 % 10 == 0 ? Double($0) : 3 }
      for values in [sorted, Array(sorted.reversed()), organ, constant, mostlySame] {
        Self.expectMedian(values)
      }
    }
  }

  @Test("Small known cases; the empty array gives NaN")
  func knownCases() {
    #expect(Self.median([3]) == 3)
    #expect(Self.median([4, 1]) == 2.5)
    #expect(Self.median([5, -1, 3]) == 3)
    #expect(Self.median([1, 2, 3, 100]) == 2.5)
    #expect(Self.median([-.infinity, 1, 2]) == 1)
    #expect(Self.median([1e308, 1.5e308]) == 1.25e308)  // no overflow in the mean of the middle pair
    #expect(Self.median([]).isNaN)
  }

  @Test("MAD scale = median(|r|)/Φ⁻¹(3/4), and Φ⁻¹(3/4) is right")
  func madScale() {
    let m = Selection.madConsistency
    #expect(abs(0.5 * (1 + erf(m / 2.0.squareRoot())) - 0.75) <= 1e-16)
    #expect(Selection.madScale(of: [-3, 1, 2]) == 2 / m)
    #expect(Selection.madScale(of: [-4, 4, -1, 1]) == 2.5 / m)
    #expect(Selection.madScale(of: [0, 0, 0, 5]) == 0)
    var random = TestRandom(state: 8)
    let residuals = (0..<501).map { _ in 3 * random.normal() }
    var scratch = [Double](repeating: 0, count: residuals.count)
    let viaScratch = residuals.withUnsafeBufferPointer { r in
      scratch.withUnsafeMutableBufferPointer { Selection.madScale(of: r, scratch: $0) }
    }
    let expected = Self.sortedMedian(residuals.map(abs)) / m
    #expect(viaScratch == expected)
    #expect(Selection.madScale(of: residuals) == expected)
    // For Gaussian data with σ = 3 the MAD scale estimates σ (n = 501: within ~10 %).
    #expect(abs(expected / 3 - 1) < 0.15)
  }

  /// Large inputs: the bucketed median of |r| (histogram of the bit patterns, then a selection in the
  /// middle buckets) against sorting, for odd and even n, heavy ties, exact zeros, values spread over
  /// many binades, infinities, and the NaN case it must decline.
  @Test("The bucketed median of |r| equals the sorted one", arguments: [32_768, 32_769, 100_000, 100_001])
  func bucketedMedian(n: Int) {
    var random = TestRandom(state: UInt64(n))
    let sets: [[Double]] = [
      (0..<n).map { _ in random.normal() },
      (0..<n).map { _ in Double(Int(random.normal() * 3)) },  // few distinct values, many ties
      (0..<n).map { i in i % 3 == 0 ? 0 : random.normal() * 1e-300 },
      (0..<n).map { _ in exp(random.normal() * 200) * (random.normal() < 0 ? -1 : 1) },
      (0..<n).map { i in i % 5 == 0 ? -.infinity : (i % 7 == 0 ? .infinity : random.normal()) },
      (0..<n).map { i in i < n / 2 ? 0 : 1 },  // even n: the two middle values lie in different buckets
    ]
    for values in sets {
      var scratch = [Double](repeating: 0, count: n)
      let got = values.withUnsafeBufferPointer { r in
        scratch.withUnsafeMutableBufferPointer { Selection.bucketedMedianAbsolute(r, scratch: $0) }
      }
      let s = values.map(abs).sorted()
      let a = s[(n - 1) / 2], b = s[n / 2]
      guard let got else {
        Issue.record("declined a NaN-free input, n = \(n)")
        continue
      }
      if n % 2 == 1 { #expect(got == b) } else {
        #expect(a <= got && got <= b)
        #expect(a == b ? got == a : abs(got - (a + b) / 2) <= max(abs(a), abs(b)).ulp)
      }
    }
    var withNaN = (0..<n).map { _ in random.normal() }
    withNaN[n / 3] = .nan
    var scratch = [Double](repeating: 0, count: n)
    let declined = withNaN.withUnsafeBufferPointer { r in
      scratch.withUnsafeMutableBufferPointer { Selection.bucketedMedianAbsolute(r, scratch: $0) }
    }
    #expect(declined == nil)
  }

  /// The weighted median by its definition, independently: each value repeated wᵢ times (integer weights),
  /// then the plain sorted median.
  static func repeatedMedian(_ values: [Double], _ weights: [Double]) -> Double {
    var repeated: [Double] = []
    for (v, w) in zip(values, weights) { repeated += Array(repeating: v, count: Int(w)) }
    return sortedMedian(repeated)
  }

  static func weightedMedian(_ values: [Double], _ weights: [Double]) -> Double {
    values.withUnsafeBufferPointer { v in weights.withUnsafeBufferPointer { Selection.weightedMedian(values: v, weights: $0) } }
  }

  /// Integer weights against repetition (the median and order statistics), on sizes below and well above the rows the histogram levels walk
  /// (256), on data that put the crossing deep in the levels: a narrow band of consecutive doubles, few
  /// distinct values with an even total (ties at W/2), negatives and zeros of both signs, infinities, and
  /// rows of weight 0.
  @Test("The weighted median and order statistics with integer weights are those of the repeated values",
        arguments: [1, 2, 7, 256, 257, 1_000, 20_000, 100_001])
  func weightedMedianByRepetition(n: Int) {
    var random = TestRandom(state: UInt64(n) &* 7 &+ 3)
    let band = 1.0
    let sets: [[Double]] = [
      (0..<n).map { _ in random.normal() },
      (0..<n).map { _ in Double(Int(random.normal() * 2)) },
      (0..<n).map { _ in band + Double(random.next() % 600) * band.ulp },
      (0..<n).map { i in i % 4 == 0 ? (i % 8 == 0 ? -0.0 : 0.0) : -abs(random.normal()) * 1e-300 },
      (0..<n).map { i in i % 5 == 0 ? -.infinity : (i % 7 == 0 ? .infinity : random.normal() * 1e200) },
    ]
    for (k, values) in sets.enumerated() {
      for zeros in [false, true] {
        let weights = (0..<n).map { i in zeros && i % 3 == 1 && n > 2 ? 0.0 : Double(1 + random.next() % 4) }
        let got = Self.weightedMedian(values, weights), expected = Self.repeatedMedian(values, weights)
        // The library's midpoint a + (b − a)/2 rounds twice, the reference's (a + b)/2 once; infinities and
        // equal values are exact.
        let close = got == expected || abs(got - expected) <= max(abs(got), abs(expected)).ulp
        #expect(close, "set \(k), n = \(n), zeros \(zeros): \(got) vs \(expected)")
        // Order statistics of the repeated values, at the ends, the quartiles and around the middle.
        var repeated: [Double] = []
        for (v, w) in zip(values, weights) { repeated += Array(repeating: v, count: Int(w)) }
        repeated.sort()
        let m = repeated.count
        for t in Set([0, m / 4, m / 2 - 1, m / 2, (3 * m) / 4, m - 1]) where t >= 0 {
          let statistic = values.withUnsafeBufferPointer { v in
            weights.withUnsafeBufferPointer { Selection.weightedOrderStatistic(values: v, weights: $0, exceeding: Double(t)) }
          }
          #expect(statistic == repeated[t] || (statistic == 0 && repeated[t] == 0), "set \(k), n = \(n), rank \(t)")
        }
      }
    }
  }

  /// Fractional weights summing to exactly W/2 at a value: the midpoint with the next value of positive
  /// weight (a zero-weight value between them does not count), including when that next value lies in
  /// another bucket of the histogram than the crossing, and when the rows are many.
  @Test("A cumulative weight of exactly W/2 gives the midpoint with the next value of positive weight",
        arguments: [4, 1_000, 50_000])
  func weightedMedianTies(n: Int) {
    // Half the weight on values in [0, 1), half on values in [1e6, 2e6): the median is the midpoint of the
    // largest low value and the smallest high one of positive weight.
    var random = TestRandom(state: UInt64(n))
    var values: [Double] = [], weights: [Double] = []
    for i in 0..<n {
      values.append(i < n / 2 ? random.uniform() : 1e6 * (1 + random.uniform()))
      weights.append(0.25)
    }
    values.append(5e5)  // between the halves, weight 0
    weights.append(0)
    let low = values[0..<(n / 2)].max()!, high = values[(n / 2)..<n].min()!
    #expect(Self.weightedMedian(values, weights) == low + (high - low) / 2)
    // One more quarter on the high side moves the median to its smallest value.
    values.append(3e6)
    weights.append(0.25)
    #expect(Self.weightedMedian(values, weights) == high)
  }

  @Test("The weighted median: NaN only when no weight is positive; a NaN value is left to the sorted walk")
  func weightedMedianEdges() {
    #expect(Self.weightedMedian([], []).isNaN)
    #expect(Self.weightedMedian([1, 2], [0, 0]).isNaN)
    #expect(Self.weightedMedian([3], [0.5]) == 3)
    var values = (0..<1000).map(Double.init), weights = [Double](repeating: 1, count: 1000)
    #expect(Self.weightedMedian(values, weights) == 499.5)
    values[10] = .nan
    weights[10] = 0
    #expect(Self.weightedMedian(values, weights) == 500)
  }
}
