// Column names in messages: the list of a file's columns, and the one closest to a misspelt name.

enum ColumnNames {
  /// The names shown when a column is not found: at most `limit`, then how many there are in all. A
  /// name with a comma or a quote in it is quoted, so the list reads unambiguously.
  static func list(_ names: [String], limit: Int = 20) -> String {
    let shown = names.prefix(limit).map { name in
      name.contains(where: { $0 == "," || $0 == "\"" }) ? CSVError.quoted(name) : name
    }.joined(separator: ", ")
    return names.count > limit ? shown + ", ... (\(names.count) columns)" : shown
  }

  /// The name closest to `selector` when one is close enough to be a misspelling: at most 2 edits
  /// (insertions, deletions, substitutions or swaps of neighbours, case ignored) and fewer than half
  /// the selector's length, and strictly closer than every other name. Nil otherwise.
  static func suggestion(for selector: String, among names: [String]) -> String? {
    let target = Array(selector.lowercased())
    guard !target.isEmpty, !selector.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    var best: (name: String, distance: Int)?
    var tie = false
    for name in Set(names) where name != selector {
      let d = distance(target, Array(name.lowercased()), cap: 2)
      guard d <= 2, 2 * d < target.count else { continue }
      if let b = best, d > b.distance { continue }
      tie = best?.distance == d
      best = (name, d)
    }
    return tie ? nil : best?.name
  }

  /// The optimal-string-alignment distance between `a` and `b`, or `cap + 1` when it exceeds `cap`.
  static func distance(_ a: [Character], _ b: [Character], cap: Int) -> Int {
    if abs(a.count - b.count) > cap { return cap + 1 }
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = min(d, previous2[j - 2] + 1) }
        current[j] = d
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return min(previous[b.count], cap + 1)
  }
}
