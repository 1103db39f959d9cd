/// One thing drawn in a chart's plot area: points, a curve, or a straight line.
///
/// Build series with the static constructors (`scatter`, `curve`, `line`, `horizontalLine`, `verticalLine`).
/// Non-finite values (NaN, ±∞) are skipped; a curve is broken at them. When `x` and `y` differ in length the
/// extra values of the longer array are ignored.
public struct Series: Sendable {
  /// What a series draws.
  public enum Kind: Sendable {
    /// Points at (x[i], y[i]). `shade[i]` in [0, 1] sets the fill: 1 = solid, 0 = hollow (outline only).
    case scatter(x: [Double], y: [Double], shade: [Double]?)
    /// A polyline through (x[i], y[i]) in the given order.
    case curve(x: [Double], y: [Double])
    /// The line y = intercept + slope · x across the whole x-range, clipped to the plot area.
    case line(intercept: Double, slope: Double)
    /// The horizontal line y = value across the plot area (e.g. y = 0 in a residual plot).
    case horizontal(y: Double)
    /// The vertical line x = value across the plot area.
    case vertical(x: Double)
  }

  /// The data and its kind.
  public var kind: Kind
  /// Legend text; `nil` or empty means the series has no legend entry.
  public var label: String?
  /// Explains the shading of a shaded scatter in the legend (e.g. "IRLS weight 0 … 1"); ignored otherwise.
  public var shadeLabel: String?
  /// Colour; `nil` picks one automatically (see `Chart`).
  public var color: Color?
  /// Stroke width in pixels for lines and curves; marker outline width is fixed.
  public var lineWidth: Double
  /// Stroke pattern for lines and curves.
  public var dash: LineDash
  /// Marker radius in pixels for scatter points.
  public var markerRadius: Double

  /// A series from all its parts; prefer the static constructors.
  public init(kind: Kind, label: String? = nil, shadeLabel: String? = nil, color: Color? = nil,
              lineWidth: Double = 2, dash: LineDash = .solid, markerRadius: Double = 3.5) {
    self.kind = kind
    self.label = label
    self.shadeLabel = shadeLabel
    self.color = color
    self.lineWidth = lineWidth
    self.dash = dash
    self.markerRadius = markerRadius
  }

  /// Scatter points. `shade`, when given, holds one value per point in [0, 1] (clamped; NaN counts as 0): the
  /// marker's fill opacity, so 1 draws a solid dark point and 0 a hollow one — made for IRLS weights.
  /// `shadeLabel` adds a legend row with a hollow-to-solid marker ramp explaining the shading.
  /// Without a colour, points are dark grey and do not use up a palette colour.
  public static func scatter(x: [Double], y: [Double], shade: [Double]? = nil, label: String? = nil,
                             shadeLabel: String? = nil, color: Color? = nil, radius: Double = 3.5) -> Series {
    Series(kind: .scatter(x: x, y: y, shade: shade), label: label, shadeLabel: shadeLabel, color: color,
           markerRadius: radius)
  }

  /// A polyline (for example a function sampled on a grid). Without a colour it takes the next palette colour.
  public static func curve(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                           width: Double = 2, dash: LineDash = .solid) -> Series {
    Series(kind: .curve(x: x, y: y), label: label, color: color, lineWidth: width, dash: dash)
  }

  /// The straight line y = intercept + slope · x drawn across the plot, clipped to the plot rectangle.
  /// Without a colour it takes the next palette colour. It does not widen the automatic y-range unless the
  /// chart has no other y data.
  public static func line(intercept: Double, slope: Double, label: String? = nil, color: Color? = nil,
                          width: Double = 2, dash: LineDash = .solid) -> Series {
    Series(kind: .line(intercept: intercept, slope: slope), label: label, color: color, lineWidth: width,
           dash: dash)
  }

  /// A horizontal reference line at y (included in the automatic y-range). Defaults: grey, width 1, dashed,
  /// no palette colour used.
  public static func horizontalLine(y: Double, label: String? = nil, color: Color? = nil, width: Double = 1,
                                    dash: LineDash = .dashed) -> Series {
    Series(kind: .horizontal(y: y), label: label, color: color, lineWidth: width, dash: dash)
  }

  /// A vertical reference line at x (included in the automatic x-range). Defaults: grey, width 1, dashed,
  /// no palette colour used.
  public static func verticalLine(x: Double, label: String? = nil, color: Color? = nil, width: Double = 1,
                                  dash: LineDash = .dashed) -> Series {
    Series(kind: .vertical(x: x), label: label, color: color, lineWidth: width, dash: dash)
  }

  /// The series' finite (x, y) pairs, values clamped to ±`AxisRange.limit`, with their shade if any.
  /// Curves need their gaps, so they use `curvePoints` instead.
  var finitePoints: [(x: Double, y: Double, shade: Double)] {
    switch kind {
    case let .scatter(x, y, shade):
      var out: [(x: Double, y: Double, shade: Double)] = []
      for i in 0..<min(x.count, y.count) where x[i].isFinite && y[i].isFinite {
        var s = 1.0
        if let shade, i < shade.count { s = shade[i].isNaN ? 0 : min(max(shade[i], 0), 1) }
        out.append((AxisRange.clampToLimit(x[i]), AxisRange.clampToLimit(y[i]), s))
      }
      return out
    case let .curve(x, y):
      return curvePoints(x: x, y: y).compactMap { $0 }.map { ($0.x, $0.y, 1) }
    case .line, .horizontal, .vertical:
      return []
    }
  }

  /// Curve vertices with `nil` marking a gap (a non-finite value), values clamped to ±`AxisRange.limit`.
  func curvePoints(x: [Double], y: [Double]) -> [(x: Double, y: Double)?] {
    (0..<min(x.count, y.count)).map { i in
      guard x[i].isFinite, y[i].isFinite else { return nil }
      return (AxisRange.clampToLimit(x[i]), AxisRange.clampToLimit(y[i]))
    }
  }
}
