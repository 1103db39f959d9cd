/// A legend box: one row per labelled series (plus one for a shaded scatter's shading), sized to its text.
struct Legend {
  /// What the little picture in front of a legend row shows.
  enum Swatch {
    /// A line segment.
    case line(Color, width: Double, dash: LineDash)
    /// A solid marker.
    case marker(Color, radius: Double)
    /// Three markers going from hollow (shade 0) over half to solid (shade 1).
    case shadeRamp(Color, radius: Double)
  }

  /// One legend row.
  struct Entry {
    var swatch: Swatch
    var text: String
  }

  static let fontSize = ChartStyle.legendFontSize
  static let rowHeight = 18.0
  static let padding = 7.0
  static let swatchWidth = 30.0
  static let swatchGap = 6.0
  /// Distance between the box and the plot area's edge.
  static let inset = 8.0
  /// Distance between the plot area's right edge and a legend placed outside.
  static let outsideGap = 12.0

  var entries: [Entry]

  /// Places `LegendPosition.auto` chooses from, in order of preference.
  static let autoCandidates: [LegendPosition] = [
    .topRight, .topLeft, .bottomRight, .bottomLeft, .topCenter, .bottomCenter, .centerRight, .centerLeft,
  ]

  /// Legend rows for `chart` (series drawn with `colors`): one per labelled series, plus a shading ramp for
  /// a shaded scatter with a shade label.
  static func entries(for chart: Chart, colors: [Color]) -> [Entry] {
    var entries: [Entry] = []
    for (s, color) in zip(chart.series, colors) {
      let label = s.label ?? ""
      switch s.kind {
      case .scatter(_, _, let shade):
        if !label.isEmpty { entries.append(.init(swatch: .marker(color, radius: s.markerRadius), text: label)) }
        if shade != nil, let text = s.shadeLabel, !text.isEmpty {
          entries.append(.init(swatch: .shadeRamp(color, radius: s.markerRadius), text: text))
        }
      case .curve, .line, .horizontal, .vertical:
        if !label.isEmpty {
          entries.append(.init(swatch: .line(color, width: s.lineWidth, dash: s.dash), text: label))
        }
      }
    }
    return entries
  }

  /// Box width: padding, swatch, gap, the widest text (estimated), padding.
  var width: Double {
    let text = entries.map { SVGText.width($0.text, fontSize: Self.fontSize) }.max() ?? 0
    return 2 * Self.padding + Self.swatchWidth + Self.swatchGap + text
  }

  /// Box height: one row per entry plus padding.
  var height: Double { 2 * Self.padding + Double(entries.count) * Self.rowHeight }

  /// Top-left corner of the box for a corner of `frame`'s plot area.
  func origin(_ position: LegendPosition, in frame: PlotFrame) -> (x: Double, y: Double) {
    // A box wider or taller than the plot area starts at its left or top edge rather than left of or above it.
    let leftX = frame.left + min(Self.inset, max(frame.width - width, 0))
    let rightX = max(frame.right - Self.inset - width, frame.left)
    let topY = frame.top + min(Self.inset, max(frame.height - height, 0))
    let bottomY = max(frame.bottom - Self.inset - height, frame.top)
    let centerX = max(frame.left + (frame.width - width) / 2, frame.left)
    let centerY = max(frame.top + (frame.height - height) / 2, frame.top)
    switch position {
    case .topLeft: return (leftX, topY)
    case .bottomRight: return (rightX, bottomY)
    case .bottomLeft: return (leftX, bottomY)
    case .topCenter: return (centerX, topY)
    case .bottomCenter: return (centerX, bottomY)
    case .centerLeft: return (leftX, centerY)
    case .centerRight: return (rightX, centerY)
    case .outsideRight: return (frame.right + Self.outsideGap, frame.top)
    case .topRight, .auto, .none: return (rightX, topY)
    }
  }

  /// Where the box covers the least of `points` (drawn data, weighted by cost), and the cost there;
  /// the order of `autoCandidates` breaks ties.
  func bestPlace(avoiding points: [DrawnPoint], in frame: PlotFrame)
    -> (position: LegendPosition, covered: Int)
  {
    let corners = Self.autoCandidates
    let margin = 4.0
    var best = LegendPosition.topRight
    var bestCount = Int.max
    for corner in corners {
      let o = origin(corner, in: frame)
      let count = points.reduce(0) { n, p in
        let inside = p.x >= o.x - margin && p.x <= o.x + width + margin
          && p.y >= o.y - margin && p.y <= o.y + height + margin
        return inside ? n + p.cost : n
      }
      if count < bestCount {
        best = corner
        bestCount = count
      }
    }
    return (best, bestCount)
  }

  /// SVG for the box with its top-left corner at (x, y).
  func svg(x: Double, y: Double) -> String {
    let n = SVGText.number
    var out = "<g class=\"legend\">\n"
    out += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" rx=\"3\" "
      + "fill=\"#ffffff\" fill-opacity=\"0.88\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>\n"
    for (i, entry) in entries.enumerated() {
      let cy = y + Self.padding + (Double(i) + 0.5) * Self.rowHeight
      let sx = x + Self.padding
      switch entry.swatch {
      case let .line(color, width, dash):
        var dashAttr = ""
        if let d = dash.dashArray(width: min(width, 3)) { dashAttr = " stroke-dasharray=\"\(d)\"" }
        out += "<line x1=\"\(n(sx))\" y1=\"\(n(cy))\" x2=\"\(n(sx + Self.swatchWidth))\" y2=\"\(n(cy))\" "
          + "stroke=\"\(color.hex)\" stroke-width=\"\(n(min(width, 4)))\"\(dashAttr)/>\n"
      case let .marker(color, radius):
        out += "<circle cx=\"\(n(sx + Self.swatchWidth / 2))\" cy=\"\(n(cy))\" r=\"\(n(min(radius, 6)))\" "
          + "fill=\"\(color.hex)\" stroke=\"\(color.hex)\" stroke-width=\"1.2\"/>\n"
      case let .shadeRamp(color, radius):
        let r = min(radius, 4.5)
        for (j, shade) in [0.0, 0.5, 1.0].enumerated() {
          let cx = sx + r + 0.5 + Double(j) * (Self.swatchWidth - 2 * r - 1) / 2
          out += "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"\(color.hex)\" "
            + "fill-opacity=\"\(n(shade))\" stroke=\"\(color.hex)\" stroke-width=\"1.2\"/>\n"
        }
      }
      out += "<text x=\"\(n(sx + Self.swatchWidth + Self.swatchGap))\" y=\"\(n(cy))\" dy=\"0.35em\" "
        + "font-size=\"\(n(Self.fontSize))\" fill=\"\(ChartStyle.inkColor.hex)\">\(SVGText.escape(entry.text))</text>\n"
    }
    return out + "</g>\n"
  }
}
