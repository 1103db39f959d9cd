import ArgumentParser
import Dispatch
import Foundation
import RobustRegression

/// `robustfit replicates`: the video's comparison over replicate data sets drawn from fixed seeds, so
/// that the story is judged over many data sets rather than one (Docs/reproduction.md).
struct ReplicatesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replicates",
    abstract: "The video's comparison over replicate data sets: RMS distance to the true line per loss and noise kind.",
    discussion: """
      Each replicate is y = 1 + 2x + e with x ~ U(0, 10) and n = 200, drawn from a fixed seed (the same \
      numbers on every machine). Noise kinds: gross (N(0, 0.5^2), then 20 % of the points moved up by \
      U(10, 40)); two-sided (the same 20 %, 70 % of them up and 30 % down); t(1.5) (0.5 x Student t with \
      1.5 df); gaussian (N(0, 0.5^2)). A fit's distance is the RMS over the rows of X(b - b0); the table \
      gives its root mean square over the replicates, and each loss's ratio to the best fixed loss.
      """
  )

  @Option(parsing: .unconditional, help: ArgumentHelp("Replicates per noise kind.", valueName: "n"))
  var replicates = 40

  @Option(help: ArgumentHelp("Comma-separated losses, as for compare (default: the named losses and adaptive by both criteria).",
                             valueName: "list"))
  var losses: String?

  @OptionGroup(title: "Solver") var solver: SolverOptions

  func validate() throws {
    guard replicates >= 1 && replicates <= 100_000 else {
      throw ValidationError("--replicates must lie in 1...100000, not \(replicates)")
    }
    _ = try requests()
  }

  func requests() throws -> [FitRequest] {
    try LossList.requests(losses ?? CompareCommand.defaultLosses, option: "--losses", alphaRange: nil,
                          scale: ScaleOptions(), solver: solver, seed: 1)
  }

  func run() throws {
    let requests = try self.requests()
    let kinds = VideoReplicates.allCases
    var table = TextTable(header: ["loss"] + kinds.map(\.label) + kinds.map { "ratio " + $0.label })
    var rms: [[Double]] = []  // [loss][kind]
    for (index, kind) in kinds.enumerated() {
      ProgressLine.shared.set("fitting \(replicates) replicates of \(kind.label) (\(index + 1) of \(kinds.count))")
      rms.append(Self.rmsDistances(kind, requests: requests, replicates: replicates))
    }
    ProgressLine.shared.finish()
    // The best fixed loss per kind: not adaptive (which chooses among them).
    let fixed = requests.indices.filter { requests[$0].regression.loss.adaptiveCriterion == nil }
    let best = kinds.indices.map { k in fixed.map { rms[k][$0] }.min() ?? .nan }
    for (i, request) in requests.enumerated() {
      table.rows.append([request.label] + kinds.indices.map { NumberText.significant(rms[$0][i], 4) }
                        + kinds.indices.map { String(format: "%.3f", rms[$0][i] / best[$0]) })
    }
    let bestNames = kinds.indices.map { k in fixed.first { rms[k][$0] == best[k] }.map { requests[$0].label } ?? "—" }
    print("The video's comparison over \(replicates) replicates per noise kind: y = 1 + 2x + e, x ~ U(0, 10), n = 200")
    print("")
    print(table.render())
    print("")
    print("RMS over the replicates of each fit's distance to the true line (RMS over the rows of X(b - b0)).")
    print("ratio: to the best fixed loss of the kind (" + zip(kinds, bestNames).map { "\($0.label): \($1)" }
      .joined(separator: ", ") + "). A failed fit counts as infinitely far.")
  }

  /// The RMS over the replicates of each request's distance, the replicates fitted in parallel.
  static func rmsDistances(_ kind: VideoReplicates, requests: [FitRequest], replicates: Int) -> [Double] {
    let count = requests.count
    let squares = UnsafeMutableBufferPointer<Double>.allocate(capacity: replicates * count)
    defer { squares.deallocate() }
    squares.initialize(repeating: .infinity)
    nonisolated(unsafe) let shared = squares
    DispatchQueue.concurrentPerform(iterations: replicates) { r in
      guard let (design, y) = try? kind.draw(r) else { return }
      for (i, request) in requests.enumerated() {
        guard let fit = try? request.regression.fit(design, response: y) else { continue }
        let d = design.rmsDistance(fit.estimates, VideoReplicates.truth)
        shared[r * count + i] = d * d
      }
    }
    return (0..<count).map { i in
      ((0..<replicates).reduce(0) { $0 + squares[$1 * count + i] } / Double(replicates)).squareRoot()
    }
  }
}
