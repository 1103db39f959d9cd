import ArgumentParser
import RobustRegression

/// A comma-separated list of losses (`compare --losses`, `replicates --losses`).
enum LossList {
  /// The requests of a comma-separated list: loss names, general:ALPHA, adaptive:CRITERION; each once.
  /// `absoluteStandardErrors` applies to l1 (`compare --se`).
  static func requests(_ list: String, option: String, alphaRange: ClosedRange<Double>?, scale: ScaleOptions,
                       solver: SolverOptions, seed: UInt64,
                       absoluteStandardErrors: AbsoluteStandardErrors = .iid) throws -> [FitRequest] {
    let entries = list.split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    var requests: [FitRequest] = []
    for entry in entries {
      let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
      guard let name = parts.first, let choice = LossChoice(argument: name) else {
        throw ValidationError("unknown loss '\(entry)' in \(option) (choose from "
          + LossChoice.allCases.map(\.rawValue).joined(separator: ", ") + ")")
      }
      var alpha: Double?
      var criterion = AdaptiveCriterion.likelihood
      if parts.count == 2 {
        switch choice {
        case .general: alpha = try parseAlpha(parts[1])
        case .adaptive:
          guard let given = CriterionChoice(argument: parts[1]) else {
            throw ValidationError("'\(entry)' in \(option): the adaptive criterion is nll or variance (adaptive:variance)")
          }
          criterion = given.criterion
        default:
          throw ValidationError("'\(entry)' in \(option): only general takes an α (general:ALPHA) and adaptive a criterion (adaptive:variance)")
        }
      } else if choice == .general {
        throw ValidationError("'general' in \(option) needs its α: general:ALPHA (e.g. general:0.5)")
      }
      // --alpha-range applies to the likelihood's range; the variance searches its own default.
      let request = try FitRequest(choice: choice, alpha: alpha,
                                   alphaRange: criterion == .likelihood ? alphaRange : nil, criterion: criterion,
                                   absoluteStandardErrors: absoluteStandardErrors, scale: scale, solver: solver, seed: seed)
      if requests.contains(where: { $0.label == request.label }) {
        throw ValidationError("'\(entry)' appears twice in \(option)")
      }
      requests.append(request)
    }
    return requests
  }
}
