/// Chooses the numeric range an axis shows.
enum AxisRange {
  /// Magnitude beyond which data are clamped before layout, so that spans and pixel positions stay finite.
  static let limit = 1e300

  /// Fraction of the data span added on each side of an automatic range, so that points are not drawn on the
  /// frame.
  static let padding = 0.05

  /// The smallest span an axis may have: relative to the values shown (below about 1e-10 of the magnitude
  /// adjacent ticks would no longer be distinct in Double and in print), and absolute (1e-200, far from
  /// subnormals).
  static func minimumSpan(around center: Double) -> Double {
    max(abs(center) * 1e-10, 1e-200)
  }

  /// `value` clamped to ±`limit` (finite input only).
  static func clampToLimit(_ value: Double) -> Double {
    min(max(value, -limit), limit)
  }

  /// The axis range: `fixed` when it is finite and non-degenerate; otherwise the finite `data` padded by
  /// `padding` on each side; a degenerate range (one value, or a span below `minimumSpan`) is widened
  /// symmetrically; no data gives [0, 1].
  static func resolve(fixed: ClosedRange<Double>?, data: [Double]) -> (lower: Double, upper: Double) {
    if let fixed, fixed.lowerBound.isFinite, fixed.upperBound.isFinite {
      return widen(clampToLimit(fixed.lowerBound), clampToLimit(fixed.upperBound), pad: 0)
    }
    var lo = Double.infinity
    var hi = -Double.infinity
    for v in data where v.isFinite {
      lo = min(lo, v)
      hi = max(hi, v)
    }
    guard lo <= hi else { return (0, 1) }
    return widen(clampToLimit(lo), clampToLimit(hi), pad: padding)
  }

  /// [lo, hi] padded by `pad` of its span each side, or widened to the minimum span when degenerate.
  private static func widen(_ lo: Double, _ hi: Double, pad: Double) -> (lower: Double, upper: Double) {
    // Midpoint and half-span computed from halves so that ±1e300 cannot overflow.
    let center = lo / 2 + hi / 2
    var half = hi / 2 - lo / 2
    let minimumHalf = minimumSpan(around: center) / 2
    if half < minimumHalf {
      // A single value: show ±10 % of it (±1 around zero), at least the minimum span.
      half = center == 0 || abs(center) < 1e-200 ? 1 : max(abs(center) * 0.1, minimumHalf)
      return (center - half, center + half)
    }
    half *= 1 + 2 * pad
    return (center - half, center + half)
  }
}
