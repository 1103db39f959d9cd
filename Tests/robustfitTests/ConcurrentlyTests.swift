// The report's two parts at once: both results, each from its own closure, whatever their sizes.

import Testing
@testable import robustfit

@Suite("Concurrently")
struct ConcurrentlyTests {
  @Test("both results, in order", arguments: [(0, 0), (1, 100_000), (100_000, 1), (50_000, 50_000)])
  func bothResults(_ sizes: (Int, Int)) {
    let (first, second) = concurrently({ (0..<sizes.0).reduce(0, +) }, { String(repeating: "x", count: sizes.1) })
    #expect(first == sizes.0 * (sizes.0 - 1) / 2 || sizes.0 == 0)
    #expect(second.count == sizes.1)
  }

  @Test("repeated calls")
  func repeated() {
    for k in 0..<200 {
      let (a, b) = concurrently({ [k] }, { k * 2 })
      #expect(a == [k] && b == 2 * k)
    }
  }
}
