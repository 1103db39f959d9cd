// The unweighted residual quantiles of the reports, found by selection: equal to R's type-7 quantile
// computed from the sorted residuals.

import Testing
@testable import robustfit

@Suite("Residual quantiles by selection")
struct ResidualQuantileSelectionTests {
  /// R's type 7 from the sorted values, the definition.
  static func bySorting(_ values: [Double]) -> [Double] {
    let sorted = values.sorted()
    guard sorted.count > 1 else { return sorted.isEmpty ? [] : Array(repeating: sorted[0], count: 5) }
    return [0, 0.25, 0.5, 0.75, 1].map { q in
      let h = Double(sorted.count - 1) * q
      let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
      return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
  }

  @Test("random samples, with ties, signed zeros and every small n", arguments: [1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 100, 1001, 65_537])
  func equalsSorting(_ n: Int) {
    var state: UInt64 = 0xABCD &+ UInt64(n)
    for kind in 0..<4 {
      let values: [Double] = (0..<n).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let u = Double(state >> 11) / Double(1 << 53)
        switch kind {
        case 0: return u - 0.5
        case 1: return Double(Int(u * 4)) - 1  // many ties
        case 2: return u < 0.5 ? -0.0 : 0.0  // signed zeros only
        default: return (u - 0.5) * 1e300  // wide range
        }
      }
      let got = ResidualSummary.unweightedQuantiles(values)
      let expected = Self.bySorting(values)
      // == (not bit patterns): among equal values the sort may pick -0 or +0, so no order is "the" one.
      #expect(got == expected, "n \(n), kind \(kind): \(got) vs \(expected)")
    }
  }

  @Test("sorted and reversed inputs")
  func ordered() {
    let up = (0..<10_001).map(Double.init)
    #expect(ResidualSummary.unweightedQuantiles(up) == [0, 2500, 5000, 7500, 10_000])
    #expect(ResidualSummary.unweightedQuantiles(Array(up.reversed())) == [0, 2500, 5000, 7500, 10_000])
    #expect(ResidualSummary.unweightedQuantiles([]) == [])
  }
}
