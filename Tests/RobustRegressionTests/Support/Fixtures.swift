import Foundation
@testable import RobustRegression

/// Locates and reads the committed fixtures (Fixtures/ at the repository root).
enum Fixtures {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func url(_ relative: String) -> URL { root.appendingPathComponent("Fixtures/" + relative) }

  static func text(_ relative: String) throws -> String {
    try String(contentsOf: url(relative), encoding: .utf8)
  }

  /// A simple comma-separated table with a header row (fixtures only: no quotes).
  static func table(_ relative: String) throws -> (header: [String], rows: [[String]]) {
    let lines = try text(relative).split(whereSeparator: \.isNewline).map(String.init)
      .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    return (header, Array(rows))
  }

  /// Reads a data fixture: predictors are all columns but the last, y the last.
  static func regressionData(_ name: String) throws -> (design: DesignMatrix, y: [Double]) {
    let (header, rows) = try table(name)
    let values = rows.map { $0.map { Double($0)! } }
    let p = header.count - 1
    let predictors = (0..<p).map { j in values.map { $0[j] } }
    return (try DesignMatrix(predictors: predictors, names: Array(header.prefix(p))), values.map { $0[p] })
  }

  static func json(_ relative: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative)))
  }

  /// Parses a number as the reference scripts write it (`inf`, `-inf` allowed).
  static func number(_ text: String) -> Double {
    switch text.trimmingCharacters(in: .whitespaces) {
    case "inf", "+inf", "Infinity": .infinity
    case "-inf", "-Infinity": -.infinity
    case let t: Double(t)!
    }
  }
}
