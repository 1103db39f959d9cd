import ArgumentParser
import Foundation

/// `robustfit figures DIR`: writes the loss-family figures of Docs/ into a directory.
struct FiguresCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "figures",
    abstract: "Write the figures of the loss family and Barron's distribution as SVG files.",
    discussion: """
      Writes loss-family.svg (ρ and the IRLS weight for α = 2, 1, 0, −2, −∞ and Huber), \
      log-partition.svg (log Z(α) for α in [0, 8] and its limit at ∞) and barron-nll.svg (the negative \
      log-likelihood and the density of Barron's distribution for several α) into DIR, creating it if \
      needed, and prints one line per file. `robustfit figures Docs/figures` remakes the committed ones.
      """
  )

  @Argument(help: ArgumentHelp("The directory to write the SVG files into.", valueName: "dir"))
  var directory: String

  func validate() throws {
    if directory.isEmpty { throw ValidationError("the directory name is empty") }
  }

  func run() throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
      if !isDirectory.boolValue { throw CLIError.usage("\(directory): is a file, not a directory") }
    } else {
      do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw CLIError(.failure, "\(directory): cannot create the directory: \(error.localizedDescription)")
      }
    }
    for figure in LossFigures.all() {
      let path = (directory as NSString).appendingPathComponent(figure.fileName)
      try OutputPaths.write(figure.svg, to: path)
      print("\(path): \(figure.caption)")
    }
  }
}
