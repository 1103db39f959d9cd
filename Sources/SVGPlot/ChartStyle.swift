/// Fixed sizes (pixels) shared by every chart.
public enum ChartStyle {
  /// Font size of tick labels.
  public static let tickFontSize = 12.0
  /// Font size of axis labels.
  public static let labelFontSize = 14.0
  /// Font size of the title (shrunk, not below `tickFontSize`, when the title is wider than the figure).
  public static let titleFontSize = 16.0
  /// Font size of legend text.
  public static let legendFontSize = 12.0
  /// Length of tick marks, drawn outward from the frame.
  public static let tickLength = 5.0
  /// Blank border around the figure.
  public static let outerMargin = 8.0
  /// Gap between tick marks and tick labels, and between tick labels and axis labels.
  public static let gap = 6.0
  /// Smallest plot area side; tiny figures keep at least this much room for data.
  public static let minimumPlotSide = 40.0
  /// Gridline colour (light grey).
  public static let gridColor = Color(red: 0xE3, green: 0xE3, blue: 0xE3)
  /// The smallest text size, in points, of a figure printed at its stated size with `PrintScale.print`.
  public static let minimumPrintFontSize = 8.0
  /// Points per user unit of `PrintScale.print`: the tick font (the smallest text) prints at
  /// `minimumPrintFontSize`.
  public static let printPointsPerUnit = minimumPrintFontSize / tickFontSize
  /// Frame, tick and text colour.
  public static let inkColor = Color(red: 0x22, green: 0x22, blue: 0x22)
}
