/// The adaptive fit's passes over all rows, as its descent (``AdaptiveFitter``) sees them: the fused
/// pass at (β, α, c) with the shape sums, the (α, c) step's sums over the residuals at that β
/// (``ShapeScaleSums``), and the observed information's sums. ``WeightedPass`` is the pass over a design
/// in memory; ``DistributedPass`` hands each of them to a host (Docs/scaling.md). The descent, its
/// summary's information and the α interval's profiled fits are one code for both.
protocol AdaptivePass: RowPass {
  /// Σwᵢ, or n without case weights.
  var totalWeight: Double { get }
  /// The fused pass at `beta` for Barron's loss at scale c; with `shape` (the same α) it also sums ρ's
  /// α- and λ-derivatives (``shapeSums``).
  func run(beta: [Double], loss: BarronLoss, scale c: Double, accumulate: Bool, shape: BarronShapeDerivatives?) throws
  /// The fused pass of a fit profiled at the fixed α of `shape` (whose step moves c alone): as `run` with
  /// `shape`, except that ``shapeSums``' α entries need not be summed (NaN where they are not). By
  /// default `run` itself (every sum); a pass in memory sums ρ's λ-derivatives alone
  /// (``BarronScaleRows``).
  func runProfiled(beta: [Double], loss: BarronLoss, scale c: Double, shape: BarronShapeDerivatives) throws
  /// After a `run(shape:)`: Σρ, Σ∂ρ/∂α, Σ∂²ρ/∂α², Σ∂ρ/∂λ, Σ∂²ρ/∂λ², Σ∂²ρ/∂α∂λ; nil after any other pass.
  var shapeSums: [Double]? { get }
  /// The residuals at `beta` alone, for the (α, c) step (``residualSums``) that follows.
  func prepareResiduals(beta: [Double]) throws
  /// The (α, c) step's sums over the residuals of the last run or `prepareResiduals`.
  var residualSums: any ShapeScaleSums { get }
  /// The observed information's sums (``ObservedInformation/Sums``) over the residuals of the last run, at
  /// (α, c); α's entries only when `alphaSummed`.
  func informationSums(alpha: Double, scale c: Double, alphaSummed: Bool) throws -> ObservedInformation.Sums
}

extension AdaptivePass {
  func runProfiled(beta: [Double], loss: BarronLoss, scale c: Double, shape: BarronShapeDerivatives) throws {
    try run(beta: beta, loss: loss, scale: c, accumulate: true, shape: shape)
  }
}

extension WeightedPass: AdaptivePass {
  func prepareResiduals(beta: [Double]) { runWithUnitWeights(beta: beta, accumulate: false) }

  var residualSums: any ShapeScaleSums {
    ResidualSums(residuals: UnsafeBufferPointer(residuals), weights: caseWeights.map { UnsafeBufferPointer($0) })
  }

  func informationSums(alpha: Double, scale c: Double, alphaSummed: Bool) -> ObservedInformation.Sums {
    ObservedInformation.accumulate(design: design, residuals: Array(residuals), alpha: alpha, scale: c,
                                   alphaFree: alphaSummed, weights: caseWeights.map { Array($0) })
  }
}
