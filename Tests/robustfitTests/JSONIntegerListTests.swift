// The JSON report's integer lists (the outliers' observation numbers), written as bytes: the same text
// as Swift's own integer descriptions joined by ", ".

import Testing
@testable import robustfit

@Suite("JSON integer lists")
struct JSONIntegerListTests {
  @Test("equal to the descriptions joined", arguments: [
    [], [0], [7], [-1], [10, 99, 100, 101], [Int.max, Int.min, -Int.max, 1_000_000_000_000_000_000],
    Array(1...2_000), (0..<500).map { $0 * 1_000_003 - 250_000_000 },
  ] as [[Int]])
  func equalsDescriptions(_ values: [Int]) {
    let expected = "[" + values.map(String.init).joined(separator: ", ") + "]"
    #expect(JSONValue.integerList(values) == expected)
    #expect(JSONValue.integers(values).render() == expected)
  }
}
