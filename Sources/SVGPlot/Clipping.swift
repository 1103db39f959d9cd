/// Line clipping against an axis-aligned rectangle (Liang–Barsky), done in data coordinates so that far-away
/// points never turn into huge pixel values.
enum Clipping {
  /// The part of the segment (x0, y0)–(x1, y1) inside [xmin, xmax] × [ymin, ymax], or `nil` when none is.
  /// `startClipped`/`endClipped` say whether an end point was moved.
  static func segment(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double,
                      xmin: Double, xmax: Double, ymin: Double, ymax: Double)
    -> (x0: Double, y0: Double, x1: Double, y1: Double, startClipped: Bool, endClipped: Bool)?
  {
    let dx = x1 - x0
    let dy = y1 - y0
    var t0 = 0.0
    var t1 = 1.0
    // Each edge: p · t ≤ q keeps the point inside.
    let edges = [(-dx, x0 - xmin), (dx, xmax - x0), (-dy, y0 - ymin), (dy, ymax - y0)]
    for (p, q) in edges {
      if p == 0 {
        if q < 0 { return nil }
        continue
      }
      let r = q / p
      if p < 0 {
        if r > t1 { return nil }
        if r > t0 { t0 = r }
      } else {
        if r < t0 { return nil }
        if r < t1 { t1 = r }
      }
    }
    guard t0.isFinite, t1.isFinite else { return nil }
    let sx = t0 == 0 ? x0 : x0 + t0 * dx
    let sy = t0 == 0 ? y0 : y0 + t0 * dy
    let ex = t1 == 1 ? x1 : x0 + t1 * dx
    let ey = t1 == 1 ? y1 : y0 + t1 * dy
    return (min(max(sx, xmin), xmax), min(max(sy, ymin), ymax),
            min(max(ex, xmin), xmax), min(max(ey, ymin), ymax), t0 > 0, t1 < 1)
  }
}
