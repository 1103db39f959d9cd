/// R's default `quantile` (type 7) at the five levels a residual summary prints (min, 1Q, median, 3Q,
/// max) over N observations: at level q, h = (N − 1)q, and the quantile interpolates linearly between the
/// order statistics of 0-based positions ⌊h⌋ and min(⌊h⌋ + 1, N − 1). N may be a sum of case weights (the
/// rows repeated); with N ≤ 1 every position is 0. The fit in memory's report and the distributed
/// summary both use it, so the two cannot drift apart.
package enum TypeSevenQuantiles {
  /// Min, 1Q, median, 3Q, max.
  package static let levels = [0, 0.25, 0.5, 0.75, 1.0]

  /// Per level: h and the positions of the two order statistics it interpolates.
  package static func positions(observations total: Double) -> [(h: Double, low: Double, high: Double)] {
    levels.map { q in
      guard total > 1 else { return (0, 0, 0) }
      let h = (total - 1) * q
      let k = h.rounded(.down)
      return (h, k, min(k + 1, total - 1))
    }
  }

  /// The quantiles from the order statistic at each position (`orderStatistic(position)`).
  package static func interpolate(_ positions: [(h: Double, low: Double, high: Double)],
                                  _ orderStatistic: (Double) -> Double) -> [Double] {
    positions.map { position in
      let lower = orderStatistic(position.low), upper = orderStatistic(position.high)
      return lower + (position.h - position.low) * (upper - lower)
    }
  }
}
