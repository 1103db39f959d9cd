import Foundation

/// Tick positions and labels for one axis: multiples of a "nice" step 1, 2 or 5 × 10^k (2.5 × 10^k only when
/// none of those gives 4–8 ticks), all inside the axis range.
public struct TickSet: Sendable, Equatable {
  /// Tick values in increasing order, each an integer multiple of `step`, within the range asked for.
  public var values: [Double]
  /// Distance between adjacent ticks.
  public var step: Double
  /// Power of ten of the step's last significant digit (−1 for 0.5, 1 for 20, −2 for 0.25): labels show
  /// digits down to this position and no further.
  public var digitExponent: Int
  /// Label text for each value: the fewest decimals the step needs ("0.3", never "0.30000000000000004");
  /// scientific notation with one shared exponent ("1.5e9", "0.2e-9") when the largest |value| is ≥ 1e6 or
  /// below 1e-3.
  public var labels: [String]

  /// Preferred tick counts; `nice` returns a count in this range whenever the range is non-degenerate.
  public static let preferredCounts = 4...8

  /// Ticks for [lower, upper] with about `targetCount` ticks (clamped to `preferredCounts`).
  /// Among 1-2-5 steps giving 4–8 ticks inside the range the one closest to the target wins (ties: the larger
  /// step); if none does, steps of 2.5 × 10^k are tried, which always succeed. Degenerate input (non-finite,
  /// or upper ≤ lower) gives the single tick `lower` when it is finite, else no ticks.
  public static func nice(lower: Double, upper: Double, targetCount: Int = 6) -> TickSet {
    guard lower.isFinite, upper.isFinite, upper > lower else {
      let v = lower.isFinite ? [lower] : []
      return TickSet(values: v, step: 0, digitExponent: 0, labels: v.map { format($0, digitExponent: 0) })
    }
    let target = min(max(targetCount, preferredCounts.lowerBound), preferredCounts.upperBound)
    let all = candidates(lower: lower, upper: upper)
    func best(_ pool: [TickSet]) -> TickSet? {
      pool.filter { preferredCounts.contains($0.values.count) }
        .min { a, b in
          let da = abs(a.values.count - target)
          let db = abs(b.values.count - target)
          return da != db ? da < db : a.step > b.step
        }
    }
    if let t = best(all.filter { !$0.isQuarterStep }) { return t }
    if let t = best(all) { return t }
    // Unreachable for finite spans (the quarter steps close the gaps); keep a sane answer regardless.
    return all.min { abs($0.values.count - target) < abs($1.values.count - target) }
      ?? TickSet(values: [lower, upper], step: upper - lower, digitExponent: 0,
                 labels: [format(lower, digitExponent: 0), format(upper, digitExponent: 0)])
  }

  /// Every candidate tick set for [lower, upper] (steps 1, 2, 2.5, 5 × 10^k around the span's magnitude), in
  /// increasing step order. Used by `nice` and by the layout when labels would collide and a coarser step is
  /// needed.
  static func candidates(lower: Double, upper: Double) -> [TickSet] {
    let span = upper - lower
    guard span > 0, span.isFinite else { return [] }
    let k0 = Int(floor(log10(span)))
    var out: [TickSet] = []
    for k in (k0 - 2)...(k0 + 1) {
      for (mantissa, digitShift) in [(1.0, 0), (2.0, 0), (2.5, -1), (5.0, 0)] {
        // m / 10^-k is closer to the decimal value than m * 10^k for negative k (0.1 rather than 1 * 0.1…).
        let step = k < 0 ? mantissa / pow(10, Double(-k)) : mantissa * pow(10, Double(k))
        guard step > 0, step.isFinite else { continue }
        // Tolerance so that an end point lying on a tick (0.3 / 0.1 = 2.9999999999999996) counts as one.
        let first = ceil(lower / step - 1e-9)
        let last = floor(upper / step + 1e-9)
        guard last >= first, last - first < 1000 else { continue }
        let values = stride(from: first, through: last, by: 1).map { $0 == 0 ? 0 : $0 * step }
        let digits = k + digitShift
        out.append(TickSet(values: values, step: step, digitExponent: digits,
                           labels: labels(values, digitExponent: digits)))
      }
    }
    return out.sorted { $0.step < $1.step }
  }

  /// Whether the step is 2.5 × 10^k (a fallback step).
  var isQuarterStep: Bool {
    guard step > 0 else { return false }
    let m = step / pow(10, floor(log10(step)))
    return abs(m - 2.5) < 1e-6
  }

  /// Labels for `values` showing digits down to 10^digitExponent, fixed or scientific as documented on `labels`.
  static func labels(_ values: [Double], digitExponent: Int) -> [String] {
    let maxAbs = values.map(abs).max() ?? 0
    guard maxAbs > 0, maxAbs >= 1e6 || maxAbs < 1e-3 else {
      return values.map { format($0, digitExponent: digitExponent) }
    }
    var e = Int(floor(log10(maxAbs)))
    if maxAbs / pow(10, Double(e)) >= 10 { e += 1 }
    if maxAbs / pow(10, Double(e)) < 1 { e -= 1 }
    let decimals = max(0, e - digitExponent)
    // A tick is 0 exactly (index 0 times the step) or at least one step away from it.
    return values.map { v in
      if v == 0 { return "0" }
      let mantissa = e >= 0 ? v / pow(10, Double(e)) : v * pow(10, Double(-e))
      return fixed(mantissa, decimals: decimals) + "e" + String(e)
    }
  }

  /// `value` in fixed notation with the decimals needed for digits down to 10^digitExponent.
  static func format(_ value: Double, digitExponent: Int) -> String {
    fixed(value, decimals: max(0, -digitExponent))
  }

  /// `value` with exactly `decimals` decimals, never "-0".
  static func fixed(_ value: Double, decimals: Int) -> String {
    var s = String(format: "%.\(decimals)f", value)
    if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
    return s
  }
}
