import Foundation
import RobustRegression

/// Numbers for people (the text report rounds; the JSON report never does).
enum NumberText {
  /// Full precision for machine-read output (CSV): the shortest text that reads back as the same double;
  /// `inf`, `-inf` and `nan` for the non-finite values.
  static func full(_ x: Double) -> String {
    x.isFinite ? x.description : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
  }

  /// `digits` significant digits (%g), `inf`/`-inf`/`nan` spelled out.
  static func significant(_ x: Double, _ digits: Int = 6) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    return String(format: "%.\(digits)g", x)
  }

  /// `95 %`, `2.5 %`: a fraction as a percentage.
  static func percent(_ fraction: Double) -> String {
    let percent = fraction * 100
    let text = percent == percent.rounded() ? String(Int(percent)) : String(format: "%g", percent)
    return text + " %"
  }

  /// A p-value with three significant digits; below 1e-16 (where the t tail is not meaningful in
  /// double precision) as `<1e-16`.
  static func pValue(_ p: Double) -> String {
    if p.isNaN { return "nan" }
    if p < 1e-16 { return "<1e-16" }
    return String(format: "%.3g", p)
  }

  /// α: `-inf`, `inf` or six significant digits.
  static func alpha(_ a: Double) -> String {
    a.isInfinite ? Loss.format(alpha: a) : significant(a)
  }

  /// A range [lo, hi] with the ends as α.
  static func range(_ r: ClosedRange<Double>) -> String {
    "[\(alpha(r.lowerBound)), \(alpha(r.upperBound))]"
  }
}

/// A table of text cells printed with aligned columns: the first column left-aligned, the others
/// right-aligned, two spaces between columns.
struct TextTable {
  var header: [String]
  var rows: [[String]] = []

  func render(indent: String = "") -> String {
    let all = [header] + rows
    let count = all.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: count)
    for row in all {
      for (j, cell) in row.enumerated() { widths[j] = max(widths[j], cell.count) }
    }
    return all.map { row in
      var line = indent
      for (j, cell) in row.enumerated() {
        let pad = String(repeating: " ", count: widths[j] - cell.count)
        if j == 0 {
          line += cell + pad
        } else {
          line += "  " + pad + cell
        }
      }
      while line.hasSuffix(" ") { line.removeLast() }
      return line
    }.joined(separator: "\n")
  }
}

extension TextTable {
  /// Rows of a label and a value, the values aligned after the longest label (the report's facts).
  func renderLabelled() -> String {
    let width = rows.map { $0[0].count }.max() ?? 0
    return rows.map { row in
      row[0] + String(repeating: " ", count: width - row[0].count) + "  " + row[1]
    }.joined(separator: "\n")
  }
}
