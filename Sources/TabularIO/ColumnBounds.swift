// A column's smallest and largest value, and whether every value is finite, taken block by block as
// the reader stores the rows (each block is then in cache: no pass over the column afterwards).

/// The bounds of the rows of one column added so far (``add(_:count:)``).
public struct ColumnBounds: Sendable, Equatable {
  private(set) var low = Double.infinity
  private(set) var high = -Double.infinity
  private(set) var finite = true

  public init() {}

  /// min ... max of the values added, when every one is finite; nil for a column holding NaN or ±∞
  /// (whose reader must then look at the values themselves), or no value.
  public var range: ClosedRange<Double>? { finite && low <= high ? low...high : nil }

  /// Adds `count` values: four lanes of compare-and-select (packed min and max), and v − v, which is
  /// 0 for a finite v and NaN for NaN and ±∞, summed as the finiteness test.
  mutating func add(_ values: UnsafePointer<Double>, count: Int) {
    var lo = (low, low, low, low), hi = (high, high, high, high), zero = (0.0, 0.0, 0.0, 0.0)
    let whole = count / 4 * 4
    var i = 0
    while i < whole {
      let a = values[i], b = values[i + 1], c = values[i + 2], d = values[i + 3]
      lo = (a < lo.0 ? a : lo.0, b < lo.1 ? b : lo.1, c < lo.2 ? c : lo.2, d < lo.3 ? d : lo.3)
      hi = (a > hi.0 ? a : hi.0, b > hi.1 ? b : hi.1, c > hi.2 ? c : hi.2, d > hi.3 ? d : hi.3)
      zero = (zero.0 + (a - a), zero.1 + (b - b), zero.2 + (c - c), zero.3 + (d - d))
      i += 4
    }
    low = min(min(lo.0, lo.1), min(lo.2, lo.3))
    high = max(max(hi.0, hi.1), max(hi.2, hi.3))
    var sum = (zero.0 + zero.1) + (zero.2 + zero.3)
    while i < count {
      let v = values[i]
      if v < low { low = v }
      if v > high { high = v }
      sum += v - v
      i += 1
    }
    if sum != 0 { finite = false }  // NaN
  }
}
