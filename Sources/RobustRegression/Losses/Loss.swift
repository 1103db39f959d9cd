/// The losses robustfit offers by name (Docs/spec.md §2), with their default tuning constants.
///
/// The named Barron members are fixed points of the general family: pseudo-Huber is α = 1, Cauchy
/// α = 0, Geman-McClure α = −2, Welsch α = −∞ and the squared loss α = 2.
public enum Loss: Sendable, Hashable, CustomStringConvertible {
  /// Least squares, ρ = u²/2 (Barron α = 2). The scale c does not change the fit.
  case squared
  /// Least absolute deviations, ρ = |r| (median regression).
  case absolute
  /// Huber's loss, k = 1.345.
  case huber
  /// Pseudo-Huber / Charbonnier, Barron α = 1, k = 1.2871.
  case pseudoHuber
  /// Cauchy / Lorentzian, Barron α = 0, k = 1.6864.
  case cauchy
  /// Geman-McClure, Barron α = −2, k = 1.8937.
  case gemanMcClure
  /// Welsch / Leclerc, Barron α = −∞, k = 2.1105.
  case welsch
  /// Tukey's biweight, k = 4.685.
  case tukey
  /// Barron's general loss at a given α in [−∞, +∞]; k solves 95 % efficiency for that α.
  case general(alpha: Double)

  /// The named losses, in the order the command line lists them.
  public static let named: [Loss] = [
    .squared, .absolute, .huber, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .tukey,
  ]

  /// The command-line name (Docs/spec.md §2): `l2`, `l1`, `huber`, `pseudo-huber`, `cauchy`,
  /// `geman-mcclure`, `welsch`, `tukey`, `general`.
  public var name: String {
    switch self {
    case .squared: "l2"
    case .absolute: "l1"
    case .huber: "huber"
    case .pseudoHuber: "pseudo-huber"
    case .cauchy: "cauchy"
    case .gemanMcClure: "geman-mcclure"
    case .welsch: "welsch"
    case .tukey: "tukey"
    case .general: "general"
    }
  }

  /// A readable name, with α for the general loss.
  public var description: String {
    if case .general(let alpha) = self { return "general (α = \(formatAlpha(alpha)))" }
    return name
  }

  /// Looks a loss up by its command-line name; `general` needs `alpha`.
  public init?(name: String, alpha: Double? = nil) {
    switch name.lowercased() {
    case "l2", "squared", "ols": self = .squared
    case "l1", "absolute", "lad": self = .absolute
    case "huber": self = .huber
    case "pseudo-huber", "pseudohuber", "charbonnier": self = .pseudoHuber
    case "cauchy", "lorentzian": self = .cauchy
    case "geman-mcclure", "gemanmcclure": self = .gemanMcClure
    case "welsch", "leclerc": self = .welsch
    case "tukey", "bisquare", "biweight": self = .tukey
    case "general", "barron":
      guard let alpha, !alpha.isNaN else { return nil }
      self = .general(alpha: alpha)
    default: return nil
    }
  }

  /// Barron's α for the members of the family, nil for L1, Huber and Tukey.
  public var barronAlpha: Double? {
    switch self {
    case .squared: 2
    case .pseudoHuber: 1
    case .cauchy: 0
    case .gemanMcClure: -2
    case .welsch: -.infinity
    case .general(let alpha): alpha
    case .absolute, .huber, .tukey: nil
    }
  }

  /// The default tuning constant k (c = k·σ̂) giving 95 % asymptotic efficiency at the Gaussian;
  /// nil for L2 (c is irrelevant) and L1 (no scale).
  ///
  /// Huber's 1.345 and Tukey's 4.685 are the textbook constants (Huber 1981; Beaton & Tukey 1974);
  /// the Barron-family values were computed by quadrature and are reproduced by
  /// ``TuningConstant/efficient(for:efficiency:)`` in the tests; a general α is solved for on demand.
  public var defaultTuning: Double? {
    switch self {
    case .squared, .absolute: nil
    case .huber: 1.345
    case .pseudoHuber: 1.2871
    case .cauchy: 1.6864
    case .gemanMcClure: 1.8937
    case .welsch: 2.1105
    case .tukey: 4.685
    case .general(let alpha):
      alpha == 2 ? nil : TuningConstant.efficient(for: BarronLoss(alpha: alpha))
    }
  }

  /// Whether the loss is convex in u (OLS is then a safe start).
  public var isConvex: Bool {
    switch self {
    case .squared, .absolute, .huber, .pseudoHuber: true
    case .cauchy, .gemanMcClure, .welsch, .tukey: false
    case .general(let alpha): alpha >= 1
    }
  }

  /// Whether ψ → 0 for large residuals (needs a robust convex start).
  public var isRedescending: Bool { !isConvex }
}

/// Formats α for people: `-inf`, `inf`, or the shortest decimal.
public func formatAlpha(_ alpha: Double) -> String {
  if alpha == .infinity { return "inf" }
  if alpha == -.infinity { return "-inf" }
  return "\(alpha)"
}
