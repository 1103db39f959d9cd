/// A short text beside a data point of a chart (`Chart.pointLabels`), e.g. the observation number of an
/// outlier.
public struct PointLabel: Sendable, Hashable {
  /// The point's x, in data units.
  public var x: Double
  /// The point's y, in data units.
  public var y: Double
  /// The text.
  public var text: String

  /// A label `text` for the point (x, y).
  public init(x: Double, y: Double, text: String) {
    self.x = x
    self.y = y
    self.text = text
  }
}
