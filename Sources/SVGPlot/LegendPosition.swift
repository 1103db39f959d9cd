/// Where a chart's legend goes. The legend always sits inside the plot area, inset from a corner.
public enum LegendPosition: String, Sendable, Hashable, CaseIterable {
  /// The place whose legend box would cover the fewest drawn points (scatter markers and samples along lines),
  /// among the four corners and the four edge midpoints; ties go in the order top-right, top-left, bottom-right,
  /// bottom-left, top-centre, bottom-centre, centre-right, centre-left. When every such place would hide a
  /// scatter marker or more than about 10 px of line, the legend goes `outsideRight` instead — unless that would leave the plot area less than 60 %
  /// of its width (small panels keep the legend inside).
  case auto
  /// Top-right corner.
  case topRight
  /// Top-left corner.
  case topLeft
  /// Bottom-right corner.
  case bottomRight
  /// Bottom-left corner.
  case bottomLeft
  /// Middle of the top edge.
  case topCenter
  /// Middle of the bottom edge.
  case bottomCenter
  /// Middle of the left edge.
  case centerLeft
  /// Middle of the right edge.
  case centerRight
  /// Right of the plot area, top-aligned with it; the plot area narrows to make room.
  case outsideRight
  /// No legend.
  case none
}
