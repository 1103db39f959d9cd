/// A chart's plot frame together with its legend and where the legend goes. The legend is decided first
/// because a legend placed outside the plot area narrows it.
struct ChartLayout {
  /// The final plot frame.
  var frame: PlotFrame
  /// The legend box, or `nil` when there is none.
  var legend: Legend?
  /// Top-left corner of the legend box in figure pixels.
  var legendOrigin: (x: Double, y: Double) = (0, 0)

  /// Smallest fraction of its width the plot area may keep when `.auto` moves the legend outside.
  static let minimumWidthFractionWithOutsideLegend = 0.6

  /// Lays out `chart` as documented on `LegendPosition`.
  static func make(for chart: Chart) -> ChartLayout {
    let inner = PlotFrame.make(for: chart)
    let entries = Legend.entries(for: chart, colors: chart.resolvedColors())
    guard chart.legend != .none, !entries.isEmpty else { return ChartLayout(frame: inner, legend: nil) }
    let box = Legend(entries: entries)
    let reserve = box.width + Legend.outsideGap
    func outside() -> ChartLayout {
      let f = PlotFrame.make(for: chart, reservedRight: reserve)
      return ChartLayout(frame: f, legend: box, legendOrigin: box.origin(.outsideRight, in: f))
    }
    switch chart.legend {
    case .outsideRight:
      return outside()
    case .auto:
      let drawn = ChartRenderer(chart: chart, layout: ChartLayout(frame: inner, legend: nil), idPrefix: "")
        .drawnPoints()
      let (position, covered) = box.bestPlace(avoiding: drawn, in: inner)
      // Outside only when the best place would hide a marker or more than ~10 px of line.
      if covered >= DrawnPoint.markerCost {
        let f = PlotFrame.make(for: chart, reservedRight: reserve)
        if f.width >= minimumWidthFractionWithOutsideLegend * inner.width { return outside() }
      }
      return ChartLayout(frame: inner, legend: box, legendOrigin: box.origin(position, in: inner))
    default:
      return ChartLayout(frame: inner, legend: box, legendOrigin: box.origin(chart.legend, in: inner))
    }
  }
}
