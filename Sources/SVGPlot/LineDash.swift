/// How a line is stroked.
public enum LineDash: String, Sendable, Hashable, CaseIterable {
  /// A continuous line.
  case solid
  /// Long dashes.
  case dashed
  /// Dots.
  case dotted
  /// Alternating dash and dot.
  case dashDot

  /// The SVG `stroke-dasharray` value for a line of the given width, or `nil` for a solid line.
  /// Dash lengths scale with the width so thick dashed lines keep their rhythm.
  func dashArray(width: Double) -> String? {
    let w = max(width, 1)
    switch self {
    case .solid: return nil
    case .dashed: return "\(SVGText.number(6 * w)) \(SVGText.number(4 * w))"
    case .dotted: return "\(SVGText.number(1 * w)) \(SVGText.number(2.5 * w))"
    case .dashDot:
      return "\(SVGText.number(6 * w)) \(SVGText.number(3 * w)) \(SVGText.number(1 * w)) \(SVGText.number(3 * w))"
    }
  }
}
