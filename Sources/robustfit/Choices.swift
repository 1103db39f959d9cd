import ArgumentParser
import Foundation
import RobustRegression

/// The losses of `--loss` (Docs/spec.md §2), in the order help lists them.
enum LossChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  case l2
  case l1
  case huber
  case pseudoHuber = "pseudo-huber"
  case cauchy
  case gemanMcClure = "geman-mcclure"
  case welsch
  case tukey
  case general
  case adaptive
  case mm
  case s

  /// Accepts the names and the library's aliases (`squared`, `lorentzian`, `bisquare`, ...), any case.
  init?(argument: String) {
    let lowered = argument.lowercased()
    if let exact = LossChoice(rawValue: lowered) {
      self = exact
    } else if lowered == "barron" {
      self = .general
    } else if let loss = Loss(name: lowered, alpha: 1), let choice = LossChoice(rawValue: loss.name) {
      self = choice
    } else {
      return nil
    }
  }

  /// Whether the loss has a scale c that --scale, --tuning and --fixed-sigma can set.
  var hasSettableScale: Bool { self != .l1 && self != .adaptive && self != .mm && self != .s }
}

/// `--criterion`: how `--loss adaptive` chooses α (``AdaptiveCriterion``).
enum CriterionChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// Barron's negative log-likelihood (the default).
  case nll
  /// The smallest estimated variance of β̂.
  case variance

  /// Accepts `likelihood` for `nll`, any case.
  init?(argument: String) {
    switch argument.lowercased() {
    case "nll", "likelihood": self = .nll
    case "variance": self = .variance
    default: return nil
    }
  }

  var criterion: AdaptiveCriterion { self == .nll ? .likelihood : .variance }
}

/// `--start`: the library's start rules by name.
enum StartChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  case auto, ols, huber, l1

  var rule: StartRule {
    switch self {
    case .auto: .automatic
    case .ols: .ordinaryLeastSquares
    case .huber: .huber
    case .l1: .absolute
    }
  }
}

/// `--method`: the library's L1 algorithms by their names.
extension AbsoluteMethod: ExpressibleByArgument {}

/// `--se`: the L1 standard errors by quantreg's names.
extension AbsoluteStandardErrors: ExpressibleByArgument {}

/// `--scale`, `--tuning` and `--fixed-sigma`, as `fit` and `compare` both take them (each command
/// declares the flags with its own help text), and the rules of how they combine.
struct ScaleOptions {
  var scale: Double?
  var tuning: Double?
  var fixedSigma = false

  /// The combinations that contradict themselves, and values out of their domain.
  func validate() throws {
    if scale != nil && tuning != nil {
      throw ValidationError("--scale fixes c and --tuning sets c = k·σ̂: give one of them")
    }
    if scale != nil && fixedSigma {
      throw ValidationError("--fixed-sigma holds σ̂ in c = k·σ̂, but --scale fixes c without σ̂: give one of them")
    }
  }

  /// The flags given, by name.
  var given: [String] {
    [(scale != nil, "--scale"), (tuning != nil, "--tuning"), (fixedSigma, "--fixed-sigma")].filter(\.0).map(\.1)
  }

  /// The domain checks of the values.
  func validateValues() throws {
    if let scale, !(scale > 0 && scale.isFinite) {
      throw ValidationError("--scale must be a positive number, not \(scale)")
    }
    if let tuning, !(tuning > 0 && tuning.isFinite) {
      throw ValidationError("--tuning must be a positive number, not \(tuning)")
    }
  }
}

/// `--format` of `fit`.
enum FitFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
  case text
  case json
  case csv
}

/// `--format` of `compare`.
enum CompareFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
  case text
  case json
}

/// Parses α: a number, `inf`, `-inf` (also `infinity`); never NaN.
func parseAlpha(_ text: String) throws -> Double {
  let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
  guard let value = Double(trimmed), !value.isNaN else {
    throw ValidationError("expected a number, inf or -inf")
  }
  return value
}

/// Parses `LO,HI` for `--alpha-range`: numbers, inf or -inf, LO ≤ HI. Which range a criterion admits
/// is checked with the criterion (``checkAlphaRange(_:criterion:)``).
func parseAlphaRange(_ text: String) throws -> ClosedRange<Double> {
  let parts = text.split(separator: ",", omittingEmptySubsequences: false)
  guard parts.count == 2, let lo = try? parseAlpha(String(parts[0])), let hi = try? parseAlpha(String(parts[1])) else {
    throw ValidationError("expected LO,HI with numbers, inf or -inf, e.g. 0,2")
  }
  guard lo <= hi else { throw ValidationError("need LO ≤ HI") }
  return lo...hi
}

/// The α range `--criterion` admits: 0 ≤ LO ≤ HI < inf for nll (α < 0 has no distribution), HI ≤ 2 for
/// variance.
func checkAlphaRange(_ range: ClosedRange<Double>, criterion: AdaptiveCriterion) throws {
  switch criterion {
  case .likelihood where !(range.lowerBound >= 0 && range.upperBound.isFinite):
    throw ValidationError("--alpha-range must lie within [0, inf) for --criterion nll (α < 0 has no distribution)")
  case .variance where range.upperBound > 2:
    throw ValidationError("--alpha-range must lie within [-inf, 2] for --criterion variance")
  default: break
  }
}
