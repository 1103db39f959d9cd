/// A loss, with its tuning constant: what ``Regression`` minimises (Docs/spec.md §2).
///
/// Every loss robustfit offers is a static member: the short spelling uses the loss's default tuning
/// constant k (c = k·σ̂ gives 95 % asymptotic efficiency at the Gaussian), the parameterised one sets k:
///
/// ```swift
/// Regression(loss: .cauchy)              // cauchy(k: 1.6864)
/// Regression(loss: .huber(k: 2))         // huber(k: 2)
/// Regression(loss: .general(alpha: 0.5)) // Barron's loss at α = 0.5, k solved for 95 % efficiency
/// Regression(loss: .adaptive)            // α and c learned by Barron's likelihood
/// Regression(loss: .custom(Fair(), k: 1.4))   // your own `struct Fair: RobustLoss`
/// ```
///
/// A loss prints as statsmodels prints its norms: `huber(k: 1.345)`, `general(alpha: 0.5, k: 1.55169…)`,
/// `adaptive(alpha: 0.0...2.0)`. `Loss` is a struct with static members rather than an enum so that
/// new losses can be added without breaking anyone's `switch`; ``name`` tells which loss a value is.
///
/// The named Barron members are fixed points of the general family: pseudo-Huber is α = 1, Cauchy
/// α = 0, Geman-McClure α = −2, Welsch α = −∞ and the squared loss α = 2.
public struct Loss: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Which loss (internal, so that adding a case breaks no user's `switch`).
  enum Kind: Sendable, Hashable, Codable {
    case squared, huber, pseudoHuber, cauchy, gemanMcClure, welsch, tukey
    case absolute(AbsoluteMethod)
    case general(alpha: Double)
    case adaptive(alphaRange: ClosedRange<Double>, criterion: AdaptiveCriterion)
    case custom(name: String)
    case sEstimate
    case mm
  }

  let kind: Kind
  /// The tuning constant k: c = k·σ̂ when the scale comes from the residual scale (``ScaleRule/mad``).
  ///
  /// The default of each named loss gives 95 % asymptotic efficiency at the Gaussian: Huber's 1.345 and
  /// Tukey's 4.685 are the textbook constants (Huber 1981; Beaton & Tukey 1974), the Barron-family values
  /// were computed by quadrature (the Gaussian efficiency of Docs/losses.md) and are reproduced in
  /// the tests, and for ``general(alpha:k:)`` it is solved for when the loss is made. Nil where the loss
  /// has no k: least squares (c does not change the fit), L1, the adaptive loss (c is estimated), and
  /// Barron's loss at an α in about (1.5788, 2.5184) where every k is more than 95 % efficient (a fit
  /// then uses k = 1 and says so in ``FitWarning/noEfficientTuningConstant(alpha:)``).
  public let tuningConstant: Double?
  /// The functions of a custom loss; nil for the built-in ones and for a custom loss decoded from an
  /// archive (which names the loss but cannot carry its code).
  let customFunctions: CustomFunctions?

  init(_ kind: Kind, k: Double?, custom: CustomFunctions? = nil) {
    self.kind = kind
    tuningConstant = k
    customFunctions = custom
  }

  // MARK: The losses

  /// Least squares, ρ = u²/2 (Barron α = 2). The scale c does not change the fit.
  public static let squared = Loss(.squared, k: nil)
  /// Least absolute deviations, ρ = |r| (median regression), by IRLS and an exact simplex finish.
  public static let absolute = Loss(.absolute(.irls), k: nil)
  /// Least absolute deviations by the given algorithm (``AbsoluteMethod``).
  public static func absolute(method: AbsoluteMethod) -> Loss { Loss(.absolute(method), k: nil) }
  /// Huber's loss with k = 1.345.
  public static let huber = Loss(.huber, k: 1.345)
  /// Huber's loss with tuning constant `k`.
  public static func huber(k: Double) -> Loss { Loss(.huber, k: k) }
  /// Pseudo-Huber / Charbonnier (Barron α = 1) with k = 1.2871.
  public static let pseudoHuber = Loss(.pseudoHuber, k: 1.2871)
  /// Pseudo-Huber with tuning constant `k`.
  public static func pseudoHuber(k: Double) -> Loss { Loss(.pseudoHuber, k: k) }
  /// Cauchy / Lorentzian (Barron α = 0) with k = 1.6864.
  public static let cauchy = Loss(.cauchy, k: 1.6864)
  /// Cauchy with tuning constant `k`.
  public static func cauchy(k: Double) -> Loss { Loss(.cauchy, k: k) }
  /// Geman-McClure (Barron α = −2) with k = 1.8937.
  public static let gemanMcClure = Loss(.gemanMcClure, k: 1.8937)
  /// Geman-McClure with tuning constant `k`.
  public static func gemanMcClure(k: Double) -> Loss { Loss(.gemanMcClure, k: k) }
  /// Welsch / Leclerc (Barron α = −∞) with k = 2.1105.
  public static let welsch = Loss(.welsch, k: 2.1105)
  /// Welsch with tuning constant `k`.
  public static func welsch(k: Double) -> Loss { Loss(.welsch, k: k) }
  /// Tukey's biweight with k = 4.685.
  public static let tukey = Loss(.tukey, k: 4.685)
  /// Tukey's biweight with tuning constant `k`.
  public static func tukey(k: Double) -> Loss { Loss(.tukey, k: k) }

  /// Barron's general loss at shape `alpha` in [−∞, +∞] (Docs/spec.md §2), with tuning constant `k`, or
  /// when `k` is nil the k of 95 % Gaussian efficiency for that α, solved for here by a root finder over
  /// Gauss–Legendre quadrature (about a millisecond): make the loss once, not in an inner loop.
  public static func general(alpha: Double, k: Double? = nil) -> Loss {
    Loss(.general(alpha: alpha), k: k ?? efficientTuning(alpha: alpha))
  }

  /// Barron's adaptive loss over α ∈ [0, 2]: β, α and c minimise Barron's negative log-likelihood
  /// (Docs/adaptive.md).
  public static let adaptive = Loss(.adaptive(alphaRange: 0...2, criterion: .likelihood), k: nil)
  /// Barron's adaptive loss by the likelihood with α restricted to `alphaRange`, within [0, ∞) (the
  /// density does not exist for α < 0).
  public static func adaptive(alphaRange: ClosedRange<Double>) -> Loss {
    Loss(.adaptive(alphaRange: alphaRange, criterion: .likelihood), k: nil)
  }
  /// Barron's adaptive loss with α chosen by `criterion` within `alphaRange` (by default the criterion's
  /// ``AdaptiveCriterion/defaultAlphaRange``: [0, 2] for the likelihood, [−∞, 2] for the variance).
  public static func adaptive(criterion: AdaptiveCriterion, alphaRange: ClosedRange<Double>? = nil) -> Loss {
    Loss(.adaptive(alphaRange: alphaRange ?? criterion.defaultAlphaRange, criterion: criterion), k: nil)
  }

  /// The S-estimate (Rousseeuw & Yohai 1984) by fast-S: β minimising the bisquare M-scale of the
  /// residuals, 50 % breakdown (robustbase `lmrob`'s `init.S`; Docs/leverage.md). Its efficiency at the
  /// Gaussian is low (about 29 %): it is the start of ``mm``, and the estimate to see what a
  /// high-breakdown fit says.
  public static let s = Loss(.sEstimate, k: MScale.breakdownConstant)

  /// The MM-estimate (Yohai 1987), robustbase `lmrob`'s default: the S-estimate's β and scale σ̂_S, then
  /// Tukey's bisquare with c = k·σ̂_S by IRLS. 50 % breakdown from the S start, 95 % Gaussian efficiency
  /// with k = 4.685061 (Docs/leverage.md).
  public static let mm = Loss(.mm, k: 4.685061)
  /// The MM-estimate with tuning constant `k` for its bisquare step.
  public static func mm(k: Double) -> Loss { Loss(.mm, k: k) }

  /// Your own loss (ρ, ψ, ψ′ and w of ``RobustLoss``) with tuning constant `k`. It prints and encodes by
  /// its ``RobustLoss/name``; a custom loss decoded from an archive names the loss but cannot be fitted.
  public static func custom(_ loss: some RobustLoss, k: Double) -> Loss {
    Loss(.custom(name: loss.name), k: k, custom: CustomFunctions(loss))
  }

  /// The same loss with tuning constant `k` (the command line's `--tuning`).
  public func withTuningConstant(_ k: Double) -> Loss { Loss(kind, k: k, custom: customFunctions) }

  /// The named losses, in the order the command line lists them.
  public static let named: [Loss] = [
    .squared, .absolute, .huber, .pseudoHuber, .cauchy, .gemanMcClure, .welsch, .tukey,
  ]

  /// Whether this is a high-breakdown estimator (``s`` or ``mm``), which draws random subsets
  /// (``Regression/seed``).
  public var isHighBreakdown: Bool { kind == .sEstimate || kind == .mm }

  // MARK: What a loss is

  /// The command-line name (Docs/spec.md §2): `l2`, `l1`, `huber`, `pseudo-huber`, `cauchy`,
  /// `geman-mcclure`, `welsch`, `tukey`, `general`, `adaptive`, or a custom loss's own name.
  public var name: String {
    switch kind {
    case .squared: "l2"
    case .absolute: "l1"
    case .huber: "huber"
    case .pseudoHuber: "pseudo-huber"
    case .cauchy: "cauchy"
    case .gemanMcClure: "geman-mcclure"
    case .welsch: "welsch"
    case .tukey: "tukey"
    case .general: "general"
    case .adaptive: "adaptive"
    case .custom(let name): name
    case .sEstimate: "s"
    case .mm: "mm"
    }
  }

  /// `huber(k: 1.345)`, `general(alpha: 0.5, k: 1.55169…)` (k in full), `l1(method: irls)`,
  /// `adaptive(alpha: 0.0...2.0)`.
  public var description: String {
    let k = tuningConstant.map { "k: \($0)" }
    switch kind {
    case .absolute(let method): return "l1(method: \(method.rawValue))"
    case .general(let alpha):
      return "general(" + (["alpha: \(Self.format(alpha: alpha))"] + (k.map { [$0] } ?? [])).joined(separator: ", ") + ")"
    case .adaptive(let range, .likelihood): return "adaptive(alpha: \(range))"
    case .adaptive(let range, let criterion):
      return "adaptive(criterion: \(criterion), alpha: \(Self.format(alpha: range.lowerBound))...\(Self.format(alpha: range.upperBound)))"
    default: return k.map { "\(name)(\($0))" } ?? name
    }
  }

  /// Looks a loss up by its command-line name or an alias (`squared`, `lorentzian`, `bisquare`, …), any
  /// case, with its default tuning constant; `general` needs `alpha`. Nil for an unknown name.
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
    case "adaptive": self = .adaptive
    case "mm", "lmrob": self = .mm
    case "s", "s-estimate": self = .s
    default: return nil
    }
  }

  /// Barron's α of a fixed member of the family; nil for L1, Huber, Tukey, custom losses and the adaptive
  /// loss (whose α is estimated: ``RegressionFit/shape``).
  public var barronAlpha: Double? {
    switch kind {
    case .squared: 2
    case .pseudoHuber: 1
    case .cauchy: 0
    case .gemanMcClure: -2
    case .welsch: -.infinity
    case .general(let alpha): alpha
    case .absolute, .huber, .tukey, .adaptive, .custom, .sEstimate, .mm: nil
    }
  }

  /// The admissible α of the adaptive loss; nil for the fixed losses.
  public var alphaRange: ClosedRange<Double>? {
    if case .adaptive(let range, _) = kind { range } else { nil }
  }

  /// How the adaptive loss chooses α; nil for the fixed losses.
  public var adaptiveCriterion: AdaptiveCriterion? {
    if case .adaptive(_, let criterion) = kind { criterion } else { nil }
  }

  /// The L1 algorithm; nil for the other losses.
  public var absoluteMethod: AbsoluteMethod? {
    if case .absolute(let method) = kind { method } else { nil }
  }

  /// Whether the loss is convex in u (then OLS is a safe start). The adaptive loss is not: its α can be
  /// below 1.
  public var isConvex: Bool {
    switch kind {
    case .squared, .absolute, .huber, .pseudoHuber: true
    case .cauchy, .gemanMcClure, .welsch, .tukey, .adaptive, .sEstimate, .mm: false
    case .general(let alpha): alpha >= 1
    case .custom: customFunctions?.loss.isConvex ?? false
    }
  }

  /// Whether the loss is not convex, so that the fit needs a robust start (``StartRule/automatic``).
  public var isRedescending: Bool { !isConvex }

  // MARK: Identity

  public static func == (a: Loss, b: Loss) -> Bool {
    a.kind == b.kind && a.tuningConstant == b.tuningConstant
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(kind)
    hasher.combine(tuningConstant)
  }

  enum CodingKeys: String, CodingKey { case kind, tuningConstant }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(try container.decode(Kind.self, forKey: .kind),
              k: try container.decodeIfPresent(Double.self, forKey: .tuningConstant))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind, forKey: .kind)
    try container.encodeIfPresent(tuningConstant, forKey: .tuningConstant)
  }

  // MARK: Helpers

  /// The k of 95 % efficiency of Barron's loss at `alpha`; nil at α = 2 (c does not change the fit), for
  /// NaN (rejected by the fit) and where none exists.
  static func efficientTuning(alpha: Double) -> Double? {
    guard !alpha.isNaN, alpha != 2 else { return nil }
    return TuningConstant.efficient(for: BarronLoss(alpha: alpha))
  }

  /// α for people: `-inf`, `inf`, or the shortest decimal.
  package static func format(alpha: Double) -> String {
    if alpha == .infinity { return "inf" }
    if alpha == -.infinity { return "-inf" }
    return "\(alpha)"
  }
}

/// The functions of a custom loss, kept out of `Loss`'s identity (a loss compares and encodes by name
/// and k).
final class CustomFunctions: Sendable {
  let loss: any RobustLoss
  init(_ loss: any RobustLoss) { self.loss = loss }
}
