// Cells that are not numbers but look like numbers written another way: a decimal comma, or several
// numbers separated by spaces. They explain a failure better than "non-numeric" alone.

/// A cell that is not a number as the reader parses them, but looks like one or more numbers.
public enum NumberLookalike: Sendable, Equatable {
  /// `0,5`, `-12,75`, `1,5e3`: a number with a comma as its decimal separator (or, as `1,234`, a
  /// thousands separator), as R's `write.csv2` and spreadsheets in many locales write them.
  case decimalComma
  /// `1 2`, `0.5  3.25`: numbers separated by spaces, as in a space-separated file (R's `write.table`
  /// default), which the reader sees as one field per line.
  case spaceSeparated

  /// What `text` (a cell, spaces around it ignored) looks like, or nil when it looks like neither.
  public static func classify(_ text: String) -> NumberLookalike? {
    let t = text.trimmingSpaces()
    if t.isEmpty || DecimalParser.parse(t) != nil { return nil }
    let commas = t.filter { $0 == "," }.count
    if commas == 1, !t.contains("."), !t.contains(" "), let comma = t.firstIndex(of: ",") {
      let before = t[t.startIndex..<comma], after = t[t.index(after: comma)...]
      if before.last?.isASCII == true && before.last!.isNumber && after.first?.isASCII == true && after.first!.isNumber,
         DecimalParser.parse(String(before) + "." + String(after)) != nil {
        return .decimalComma
      }
    }
    let pieces = t.split(whereSeparator: { $0 == " " || $0 == "\t" })
    if pieces.count > 1, pieces.allSatisfy({ DecimalParser.parse(String($0)) != nil }) { return .spaceSeparated }
    return nil
  }
}
