import Foundation
import RobustRegression

/// The true coefficients `compare` measures each fit against (`--truth`, or `<data>.truth.json` beside the
/// data file), and the distance it reports.
///
/// The distance of a fit β from the truth β₀ is the root mean square, over the data's rows, of the gap
/// between the fitted and the true values: √(mean((X(β − β₀))²)), in the units of y
/// (`DesignMatrix.rmsDistance`). For a line it is the RMS vertical gap between the two lines at the
/// observed x.
struct Truth {
  /// β₀, in the design's column order (intercept first when there is one).
  let coefficients: [Double]
  /// Where β₀ came from: `--truth` (numbers), or the JSON file's path.
  let source: String
  /// Whether the file was found beside the data rather than named by `--truth`.
  let automatic: Bool

  /// What `--truth` holds: numbers or a path.
  enum Argument {
    /// Comma-separated coefficients, intercept first.
    case coefficients([Double])
    /// A truth JSON file.
    case file(String)

    /// Every comma-separated part a number: coefficients; otherwise a path (write `./2` for a file named `2`).
    init(_ text: String) {
      let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      let numbers = parts.compactMap { Double($0) }
      if !parts.isEmpty && numbers.count == parts.count && !text.contains("/") {
        self = .coefficients(numbers)
      } else {
        self = .file(text)
      }
    }
  }

  /// The file `compare` looks for beside `dataPath` when `--truth` is absent: the data file's name with
  /// its extension replaced by `.truth.json` (`Fixtures/line_outliers.csv` → `Fixtures/line_outliers.truth.json`).
  static func companionPath(of dataPath: String) -> String? {
    guard dataPath != "-" else { return nil }
    let base = (dataPath as NSString).deletingPathExtension
    return base + ".truth.json"
  }

  /// The truth for `data`: from `--truth` when given (errors are fatal: 64 for a wrong count of numbers,
  /// 1 for a missing file, 65 for a file that does not fit the data), else from the companion file when it
  /// exists (a companion that does not fit the data is skipped with a warning).
  static func resolve(argument: Argument?, data: LoadedData, dataPath: String) throws -> Truth? {
    switch argument {
    case .coefficients(let values):
      guard values.count == data.p else {
        throw CLIError.usage("--truth has \(values.count) number\(values.count == 1 ? "" : "s") but the model has "
          + "\(data.p) coefficient\(data.p == 1 ? "" : "s") (\(data.design.names.joined(separator: ", ")))")
      }
      if let bad = values.first(where: { !$0.isFinite }) {
        throw CLIError.usage("--truth: the true coefficients must be finite numbers, not \(bad)")
      }
      return Truth(coefficients: values, source: "--truth", automatic: false)
    case .file(let path):
      return Truth(coefficients: try read(path, names: data.design.names), source: path, automatic: false)
    case nil:
      guard let path = companionPath(of: dataPath), FileManager.default.fileExists(atPath: path) else { return nil }
      do {
        return Truth(coefficients: try read(path, names: data.design.names), source: path, automatic: true)
      } catch let error as CLIError {
        StandardError.warning("not using \(path) (it is beside the data but \(error.message.replacingOccurrences(of: "\(path): ", with: ""))); no distances")
        return nil
      }
    }
  }

  /// Reads a truth JSON: an object whose number-valued top-level keys are the true coefficients, named
  /// like the design's columns (`intercept`, then the x column names); other keys (`generation`, notes)
  /// are ignored. The number keys must be exactly the design's names.
  static func read(_ path: String, names: [String]) throws -> [Double] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CLIError(.failure, "\(path): no such file (--truth takes numbers a,b,... or a truth JSON file)")
    }
    guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
      throw CLIError(.failure, "\(path): cannot read the truth file")
    }
    let fields: [String: TruthField]
    do {
      fields = try JSONDecoder().decode([String: TruthField].self, from: data)
    } catch {
      throw CLIError.data("\(path): expected a JSON object with the true coefficients (e.g. "
        + "{\"intercept\": 2, \"x\": 0.8})")
    }
    var numbers: [String: Double] = [:]
    for (key, field) in fields {
      if case .number(let value) = field { numbers[key] = value }
    }
    let missing = names.filter { numbers[$0] == nil }
    if !missing.isEmpty {
      throw CLIError.data("\(path): no true coefficient for \(missing.map { quoted($0) }.joined(separator: ", "))")
    }
    let extra = numbers.keys.filter { !names.contains($0) }.sorted()
    if !extra.isEmpty {
      throw CLIError.data("\(path): true coefficients \(extra.map { quoted($0) }.joined(separator: ", ")) are "
        + "not in the model (\(names.joined(separator: ", ")))")
    }
    let values = names.map { numbers[$0]! }
    if let j = values.firstIndex(where: { !$0.isFinite }) {
      throw CLIError.data("\(path): the true coefficient \(quoted(names[j])) is not a finite number")
    }
    return values
  }

  /// The RMS distance of `fit` from the truth over the design's rows.
  func distance(of fit: RegressionFit, design: DesignMatrix) -> Double {
    design.rmsDistance(fit.estimates, coefficients)
  }
}

/// A top-level value of a truth file: a number (a true coefficient) or anything else (ignored).
private enum TruthField: Decodable {
  case number(Double)
  case other

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let value = try? container.decode(Double.self) { self = .number(value) } else { self = .other }
  }
}
