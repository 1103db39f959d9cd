import ArgumentParser
import Foundation
import RobustRegression
import TabularIO

/// The model file of `fit --save-fit`: the tool's version, where the fit came from, and the library's
/// ``FittedModel`` (coefficients, covariance, the error scale of a new observation, names).
struct ModelFile: Codable {
  /// The robustfit version that wrote it.
  let robustfit: String
  /// The data file and the response's name.
  let file: String
  let y: String
  let model: FittedModel

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                   nan: "nan")
    return encoder
  }()

  static let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                     nan: "nan")
    return decoder
  }()

  /// The JSON text of the model file.
  func text() throws -> String {
    String(decoding: try Self.encoder.encode(self), as: UTF8.self) + "\n"
  }

  /// Reads a model file; a missing, unreadable or malformed file is exit 65 naming it.
  static func read(_ path: String) throws -> ModelFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError(.dataError, "\(path): cannot read the model file")
    }
    do {
      return try decoder.decode(ModelFile.self, from: data)
    } catch {
      throw CLIError(.dataError, "\(path): not a model file written by robustfit fit --save-fit")
    }
  }
}

/// `robustfit predict MODEL.json DATA.csv`: fitted values with confidence and prediction intervals.
struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Apply a saved fit (fit --save-fit) to new rows: fitted values with confidence and prediction intervals.",
    discussion: """
      The new file needs the fit's predictor columns by name (other columns are ignored). For each row: \
      the fitted value, its standard error, the confidence interval of the mean and the prediction \
      interval of a new observation (least squares: s; robust fits: the robust scale sigma; Docs/prediction.md).
      """
  )

  @Argument(help: ArgumentHelp("The model file written by fit --save-fit.", valueName: "model.json"))
  var model: String

  @Argument(help: ArgumentHelp("The CSV file of new rows ('-' reads standard input).", valueName: "file"))
  var file: String

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "The coverage of the intervals (default: the fit's, 0.95).", valueName: "level"))
  var level: Double?

  @Option(help: ArgumentHelp("Write the CSV to this file instead of standard output.", valueName: "path"))
  var output: String?

  func validate() throws {
    if let level, !(level > 0 && level < 1) {
      throw ValidationError("--level must lie strictly between 0 and 1, not \(level)")
    }
  }

  func run() throws {
    if let output {
      try OutputPaths.check(output, option: "--output", input: file)
      try OutputPaths.check(output, option: "--output", input: model)
    }
    let saved = try ModelFile.read(model)
    let names = saved.model.predictorNames
    let options = CSVReadOptions(chooseColumns: { layout in try names.map { try layout.column(for: $0) } })
    let table: NumericTable
    do {
      table = try readNumericCSV(path: file, options: options)
    } catch let error as CSVError {
      throw CLIError(error)
    }
    let design: DesignMatrix
    let predictions: [Prediction]
    do {
      design = try DesignMatrix(predictors: table.columns, names: names, intercept: saved.model.hasIntercept,
                                rows: table.rowCount)
      predictions = try saved.model.predictions(for: design, level: level)
    } catch {
      throw CLIError(.dataError, "\(table.fileName): \(error)")
    }
    var lines = ["observation," + names.map(RowsCSV.csvField).joined(separator: ",")
      + ",fitted,standard_error,mean_lower,mean_upper,prediction_lower,prediction_upper"]
    for (i, p) in predictions.enumerated() {
      let x = table.columns.map { NumberText.full($0[i]) }
      let fields = [p.fitted, p.standardError, p.confidenceInterval?.lowerBound, p.confidenceInterval?.upperBound,
                    p.predictionInterval?.lowerBound, p.predictionInterval?.upperBound].map { $0.map(NumberText.full) ?? "" }
      lines.append(([String(table.observation(ofRow: i))] + x + fields).joined(separator: ","))
    }
    let text = lines.joined(separator: "\n") + "\n"
    if let output { try OutputPaths.write(text, to: output) } else { print(text, terminator: "") }
  }

}
