/// The smallest and largest value of y and of each design column, for a caller that has them from
/// reading the data (the CLI takes them while it parses, each block still in cache): given to
/// ``Regression/fit(_:response:weights:ranges:)``, they spare the fit its two passes over X before the
/// first iteration, the finiteness check and ``DataConditioning``'s range (10–20 ms at n = 10⁶, p = 10).
///
/// They must be exactly those of the values fitted, every value finite: the fit decides its change of
/// units from them and checks no value for NaN. A debug build compares them with the values. Package
/// access only: a caller outside the package could hand over ranges the data do not have, and the fit,
/// trusting them, would condition wrongly or meet a NaN it did not check for.
package struct DataRanges: Sendable, Hashable {
  /// min y ... max y.
  package var response: ClosedRange<Double>
  /// One per design column, the intercept's `1...1` included.
  package var columns: [ClosedRange<Double>]

  package init(response: ClosedRange<Double>, columns: [ClosedRange<Double>]) {
    self.response = response
    self.columns = columns
  }

  /// The ranges read from the values; nil when one of them is NaN or infinite.
  init?(design: DesignMatrix, response: [Double]) {
    func range(_ values: UnsafeBufferPointer<Double>) -> ClosedRange<Double>? {
      guard values.allSatisfy(\.isFinite), let low = values.min(), let high = values.max() else { return nil }
      return low...high
    }
    guard let y = response.withUnsafeBufferPointer(range) else { return nil }
    let n = design.rows
    var columns: [ClosedRange<Double>] = []
    for j in 0..<design.columns {
      let column = design.values.withUnsafeBufferPointer { range(UnsafeBufferPointer(rebasing: $0[(j * n)..<((j + 1) * n)])) }
      guard let column else { return nil }
      columns.append(column)
    }
    self.init(response: y, columns: columns)
  }
}
