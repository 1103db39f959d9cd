import RealModule

/// Barron's negative log-likelihood of n residuals (Docs/spec.md §5), assembled in one place:
///
///     NLL(α, c) = Σρ(rᵢ/c; α) + n·log c + n·log Z(α),
///
/// from the sums a pass over the residuals forms (the fused IRLS pass, ``ShapeScaleProblem``'s chunked
/// sums, ``BarronDistribution``'s plain loop): Σρ for the value, and the ``BarronShapeDerivatives/Sums``
/// for its gradient and Hessian in (α, λ = log c), to which log Z(α) adds n·d log Z/dα and
/// n·d²log Z/dα² and n·λ adds n to ∂/∂λ.
enum BarronNLL {
  /// How the three terms are added. Both orders are in use, and each caller keeps its own so that no
  /// fit moves by a last bit: the values differ by rounding alone (an ulp or two of the NLL), but the
  /// adaptive descent compares the pass's NLL with the (α, c) problem's with a slack of 1e-13 and at
  /// ties strictly.
  enum Order {
    /// Σρ + n·(log c + log Z): the fit's passes and ``BarronDistribution``.
    case grouped
    /// (Σρ + n·log c) + n·log Z: ``ShapeScaleProblem``.
    case inTurn
  }

  /// The NLL from Σρ(rᵢ/c; α) over `n` residuals, with log Z(α) given.
  static func value(sumRho: Double, count n: Double, scale c: Double, logPartition: Double,
                    order: Order = .grouped) -> Double {
    switch order {
    case .grouped: sumRho + n * (Double.log(c) + logPartition)
    case .inTurn: sumRho + n * Double.log(c) + n * logPartition
    }
  }

  /// The NLL from Σρ(rᵢ/c; α) over `n` residuals (one evaluation of `LogPartition.logZ(alpha:)`).
  static func value(sumRho: Double, count n: Double, scale c: Double, alpha: Double,
                    order: Order = .grouped) -> Double {
    value(sumRho: sumRho, count: n, scale: c, logPartition: LogPartition.logZ(alpha: alpha), order: order)
  }

  /// The NLL with its gradient and Hessian in (α, λ) from the shape-derivative sums over `n` residuals
  /// at (α, c); `partition` is `LogPartition.derivatives(alpha:)`. At α = 2 the α entries are whatever
  /// the sums and log Z's derivatives give there (±∞; see ``BarronLikelihood`` for their limits).
  static func likelihood(sums: BarronShapeDerivatives.Sums, count n: Double, alpha: Double, scale c: Double,
                         partition: (value: Double, first: Double, second: Double),
                         order: Order = .grouped) -> BarronLikelihood {
    BarronLikelihood(
      alpha: alpha, scale: c,
      value: value(sumRho: sums.rho, count: n, scale: c, logPartition: partition.value, order: order),
      dAlpha: sums.dAlpha + n * partition.first, dLogScale: sums.dLogScale + n,
      dAlphaAlpha: sums.dAlphaAlpha + n * partition.second, dAlphaLogScale: sums.dAlphaLogScale,
      dLogScaleLogScale: sums.dLogScaleLogScale)
  }
}
