/// How the adaptive loss chooses Barron's shape α and the loss scale c (Docs/adaptive.md).
public enum AdaptiveCriterion: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  /// Barron's negative log-likelihood, minimised jointly over β, α and c. α lies within [0, ∞) (for α < 0
  /// the density cannot be normalised); the default range is [0, 2].
  case likelihood
  /// The smallest estimated asymptotic variance of β̂ (Hogg 1974; Wang, Lin, Zhu & Bai 2007): for each α,
  /// c = k(α)·σ̂ with k(α) the tuning constant of 95 % Gaussian efficiency and σ̂ the S-estimate's scale,
  /// β is fitted from the S-estimate, and the α whose Huber sandwich is smallest is kept. α lies within
  /// [−∞, 2]; the default range is all of it.
  case variance

  /// The α range searched when none is given: [0, 2] for the likelihood, [−∞, 2] for the variance.
  public var defaultAlphaRange: ClosedRange<Double> {
    switch self {
    case .likelihood: 0...2
    case .variance: -Double.infinity...2
    }
  }

  /// The range α may be given within: [0, ∞) for the likelihood, [−∞, 2] for the variance.
  public var admissibleAlphaRange: ClosedRange<Double> {
    switch self {
    case .likelihood: 0...Double.infinity
    case .variance: -Double.infinity...2
    }
  }

  public var description: String { rawValue }
}
