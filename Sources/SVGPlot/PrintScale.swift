/// How a figure's user units (the coordinates of the drawing, its `viewBox`) map to the size it prints at,
/// written into the SVG's `width` and `height` attributes.
///
/// The drawing is always laid out in user units with the fixed sizes of `ChartStyle` (tick text 12 units,
/// axis labels 14, titles 16). `.pixels` writes `width`/`height` without a unit, which SVG reads as CSS
/// pixels (96 per inch): a 720 × 480 figure is 7.5 × 5 in and its 12-unit text 9 pt at that size.
/// `.points(perUnit:)` writes them in points (1/72 in): with `perUnit` = `ChartStyle.printPointsPerUnit`
/// (2/3) the 12-unit text prints at exactly 8 pt when the figure is printed at its stated size.
public enum PrintScale: Sendable, Hashable {
  /// `width="720"`: user units are CSS pixels.
  case pixels
  /// `width="…pt"`: one user unit is `perUnit` points.
  case points(perUnit: Double)

  /// The print scale at which the smallest text (`ChartStyle.tickFontSize`) is `ChartStyle.minimumPrintFontSize`.
  public static let print = PrintScale.points(perUnit: ChartStyle.printPointsPerUnit)

  /// The user-unit length that prints as `points` points (unchanged for `.pixels`).
  public func units(forPoints points: Double) -> Double {
    switch self {
    case .pixels: return points
    case .points(let perUnit): return points / perUnit
    }
  }

  /// The `width`/`height` attribute value for a length of `units` user units.
  func attribute(_ units: Double) -> String {
    switch self {
    case .pixels: return SVGText.number(units)
    case .points(let perUnit): return SVGText.number(units * perUnit) + "pt"
    }
  }
}
