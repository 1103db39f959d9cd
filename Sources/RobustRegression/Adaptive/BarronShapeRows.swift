/// The adaptive fit's rows in a fused pass (``RowAccumulator``): at each standardised residual the
/// weight and ρ come from ``BarronShapeDerivatives/values(u:)`` (its transcendental terms four rows at a
/// time where ``BarronRowBlock`` serves), together with ρ's derivatives in α and
/// λ = log c, whose sums the (α, c) step needs (``ShapeScaleProblem/local(sums:alpha:scale:)``): the
/// pass that gives the β step gives them too, and that step needs no pass over the residuals of its own.
/// ``WeightedPass/weights`` after such a pass are `loss`'s.
struct BarronShapeRows: RowAccumulator {
  let loss: BarronLoss
  let shape: BarronShapeDerivatives

  static var zero: BarronShapeDerivatives.Sums { .init() }

  func weight(_ u: Double) -> Double { loss.weight(u) }

  static func add(_ part: BarronShapeDerivatives.Sums, to total: inout BarronShapeDerivatives.Sums) {
    total.add(part)
  }

  static func objective(of sums: BarronShapeDerivatives.Sums) -> Double { sums.rho }

  /// wᵢ and the sums of Barron's shape derivatives (Σρ among them) over one block.
  @inline(never)
  func weigh(_ r: UnsafePointer<Double>, count m: Int, inverseScale: Double,
             weights: UnsafeMutablePointer<Double>, caseWeights: UnsafePointer<Double>?) -> BarronShapeDerivatives.Sums {
    var sums = BarronShapeDerivatives.Sums()
    func add(_ i: Int, _ v: BarronShapeDerivatives.Values) {
      weights[i] = v.weight
      if let caseWeights { sums.add(v, weight: caseWeights[i]) } else { sums.add(v) }
    }
    // The transcendental terms four rows at a time where the kernel serves (``BarronRowBlock``).
    if BarronRowBlock.serves(shape),
       BarronRowBlock.forEachRow(r, count: m, inverseScale: inverseScale, shape: shape, jets: true, { i, terms in
         add(i, shape.values(u: r[i] * inverseScale, terms: terms))
       }) {
      return sums
    }
    for i in 0..<m { add(i, shape.values(u: r[i] * inverseScale)) }
    return sums
  }
}

/// The rows of a fused pass for a fit profiled at a fixed α (the α scan's points, the α interval's):
/// the weight, ρ and ρ's λ-derivatives (``BarronShapeDerivatives/scaleValues(u:)``), all that its step in
/// c needs (α does not move), without the α-derivatives of ``BarronShapeRows``. The sums' α entries
/// are NaN (not summed), so the step built from them (``ShapeScaleProblem/local(sums:alpha:scale:)``)
/// has no α-derivatives and moves λ alone; ρ, w and the λ entries are the same doubles as
/// ``BarronShapeRows``'s.
struct BarronScaleRows: RowAccumulator {
  let loss: BarronLoss
  let shape: BarronShapeDerivatives

  static var zero: BarronShapeDerivatives.Sums {
    .init(rho: 0, dAlpha: .nan, dAlphaAlpha: .nan, dLogScale: 0, dLogScaleLogScale: 0, dAlphaLogScale: .nan)
  }

  func weight(_ u: Double) -> Double { loss.weight(u) }

  static func add(_ part: BarronShapeDerivatives.Sums, to total: inout BarronShapeDerivatives.Sums) {
    total.add(part)
  }

  static func objective(of sums: BarronShapeDerivatives.Sums) -> Double { sums.rho }

  /// wᵢ and Σρ, Σ∂ρ/∂λ, Σ∂²ρ/∂λ² over one block.
  @inline(never)
  func weigh(_ r: UnsafePointer<Double>, count m: Int, inverseScale: Double,
             weights: UnsafeMutablePointer<Double>, caseWeights: UnsafePointer<Double>?) -> BarronShapeDerivatives.Sums {
    var sums = Self.zero
    func add(_ i: Int, _ v: BarronShapeDerivatives.ScaleValues) {
      weights[i] = v.weight
      if let caseWeights { sums.add(v, weight: caseWeights[i]) } else { sums.add(v) }
    }
    if BarronRowBlock.serves(shape),
       BarronRowBlock.forEachRow(r, count: m, inverseScale: inverseScale, shape: shape, jets: false, { i, terms in
         add(i, shape.scaleValues(u: r[i] * inverseScale, terms: terms))
       }) {
      return sums
    }
    for i in 0..<m { add(i, shape.scaleValues(u: r[i] * inverseScale)) }
    return sums
  }
}

extension WeightedPass {
  /// `run` for Barron's loss at α, which with `shape` (Barron's shape derivatives at the same α) also
  /// sums ρ's α- and λ-derivatives (``BarronShapeRows``; read them from ``shapeSums``). Without `shape`
  /// (α = 2, where the (α, c) step looks at 2 ± 1e-6 instead) it is the plain pass for `loss`.
  func run(beta: [Double], loss: BarronLoss, scale c: Double, accumulate: Bool = true,
           shape: BarronShapeDerivatives?) {
    guard let shape else { return run(beta: beta, loss: loss, scale: c, accumulate: accumulate) }
    run(beta: beta, rows: BarronShapeRows(loss: loss, shape: shape), scale: c, accumulate: accumulate)
  }

  /// `run(shape:)` for a fit profiled at the fixed α of `shape`: ``BarronScaleRows``, whose ``shapeSums``
  /// hold ρ and its λ-derivatives (the α entries NaN).
  func runProfiled(beta: [Double], loss: BarronLoss, scale c: Double, shape: BarronShapeDerivatives) {
    run(beta: beta, rows: BarronScaleRows(loss: loss, shape: shape), scale: c, accumulate: true)
  }

  /// After a `run(shape:)`: Σρ, Σ∂ρ/∂α, Σ∂²ρ/∂α², Σ∂ρ/∂λ, Σ∂²ρ/∂λ², Σ∂²ρ/∂α∂λ (λ = log c); nil after
  /// any other pass.
  var shapeSums: [Double]? { (rowSums as? BarronShapeDerivatives.Sums)?.array }
}
