import Foundation

/// A chart's computed layout: where the plot area sits in the figure, the axis ranges it shows and the ticks.
/// Data point (x, y) is drawn at (`pixelX(x)`, `pixelY(y)`); y grows upward in data, downward in pixels.
public struct PlotFrame: Sendable, Equatable {
  /// Figure width in pixels.
  public var figureWidth: Double
  /// Figure height in pixels.
  public var figureHeight: Double
  /// Left edge of the plot area (pixels from the figure's left edge).
  public var left: Double
  /// Top edge of the plot area (pixels from the figure's top edge).
  public var top: Double
  /// Width of the plot area.
  public var width: Double
  /// Height of the plot area.
  public var height: Double
  /// x value at the plot area's left edge.
  public var xLower: Double
  /// x value at the plot area's right edge.
  public var xUpper: Double
  /// y value at the plot area's bottom edge.
  public var yLower: Double
  /// y value at the plot area's top edge.
  public var yUpper: Double
  /// Ticks of the x axis.
  public var xTicks: TickSet
  /// Ticks of the y axis.
  public var yTicks: TickSet

  /// Horizontal pixel position of data value x.
  public func pixelX(_ x: Double) -> Double {
    left + (x - xLower) / (xUpper - xLower) * width
  }

  /// Vertical pixel position of data value y.
  public func pixelY(_ y: Double) -> Double {
    top + (yUpper - y) / (yUpper - yLower) * height
  }

  /// Right edge of the plot area.
  public var right: Double { left + width }
  /// Bottom edge of the plot area.
  public var bottom: Double { top + height }

  /// Lays out a chart: margins from its title, axis labels and tick labels, then ticks that fit;
  /// `reservedRight` pixels right of the plot area are kept free (for a legend placed outside).
  static func make(for chart: Chart, reservedRight: Double = 0) -> PlotFrame {
    let s = ChartStyle.self
    let (xLo, xHi) = AxisRange.resolve(fixed: chart.xRange, data: chart.xData)
    let (yLo, yHi) = AxisRange.resolve(fixed: chart.yRange, data: chart.yData(xLower: xLo, xUpper: xHi))
    let w = max(chart.width, 2 * s.minimumPlotSide)
    let h = max(chart.height, 2 * s.minimumPlotSide)

    let titleBand = chart.title.isEmpty ? 0 : chart.titleFontSize + s.gap
    let top = s.outerMargin + titleBand + s.tickFontSize / 2
    let xLabelBand = chart.xLabel.isEmpty ? 0 : s.labelFontSize + s.gap
    let bottom = s.tickLength + s.gap + s.tickFontSize + xLabelBand + s.outerMargin + 2
    let plotHeight = max(h - top - bottom, s.minimumPlotSide)

    // y ticks: about one per 70 px, labels must not collide vertically.
    let yTicks = fitTicks(lower: yLo, upper: yHi, length: plotHeight, pixelsPerTick: 70) { _ in
      s.tickFontSize * 1.4
    }
    let yLabelWidth = yTicks.labels.map { SVGText.width($0, fontSize: s.tickFontSize) }.max() ?? 0
    let yLabelBand = chart.yLabel.isEmpty ? 0 : s.labelFontSize + s.gap
    let left = s.outerMargin + yLabelBand + yLabelWidth + s.gap + s.tickLength
    var right = s.outerMargin + max(12, reservedRight)
    var plotWidth = max(w - left - right, s.minimumPlotSide)

    // x ticks: about one per 110 px, adjacent labels at least a character apart.
    let xTicks = fitTicks(lower: xLo, upper: xHi, length: plotWidth, pixelsPerTick: 110) { label in
      SVGText.width(label, fontSize: s.tickFontSize) + s.tickFontSize
    }
    // Keep the last x label inside the figure.
    if let last = xTicks.values.last, let text = xTicks.labels.last {
      let x = left + (last - xLo) / (xHi - xLo) * plotWidth
      let overshoot = x + SVGText.width(text, fontSize: s.tickFontSize) / 2 - (w - s.outerMargin / 2)
      if overshoot > 0 {
        right += overshoot
        plotWidth = max(w - left - right, s.minimumPlotSide)
      }
    }
    return PlotFrame(figureWidth: w, figureHeight: h, left: left, top: top, width: plotWidth, height: plotHeight,
                     xLower: xLo, xUpper: xHi, yLower: yLo, yUpper: yHi, xTicks: xTicks, yTicks: yTicks)
  }

  /// Nice ticks for an axis of `length` pixels, about one per `pixelsPerTick`; when adjacent labels would need
  /// more room than the tick spacing (`room(label)` pixels each), the next coarser step that fits is used.
  private static func fitTicks(lower: Double, upper: Double, length: Double, pixelsPerTick: Double,
                               room: (String) -> Double) -> TickSet {
    let target = Int((length / pixelsPerTick).rounded()) + 1
    let preferred = TickSet.nice(lower: lower, upper: upper, targetCount: target)
    func fits(_ t: TickSet) -> Bool {
      guard t.values.count > 1 else { return true }
      let spacing = t.step / (upper - lower) * length
      return t.labels.allSatisfy { room($0) <= spacing }
    }
    if fits(preferred) { return preferred }
    let coarser = TickSet.candidates(lower: lower, upper: upper)
      .filter { $0.step > preferred.step && !$0.values.isEmpty && !$0.isQuarterStep }
    return coarser.first(where: { $0.values.count >= 2 && fits($0) }) ?? coarser.last ?? preferred
  }
}
