import RealModule

/// The sums over the residuals at one β that the (α, c) step of the adaptive fit needs, wherever the
/// residuals are: in memory (``ResidualSums``), or spread over a host's batches (each sum one pass,
/// ``DistributedResidualSums``). ``ShapeScaleProblem`` asks for nothing else, so the in-memory fit and the
/// distributed one run the same step.
protocol ShapeScaleSums {
  /// n, or Σwᵢ with case weights.
  var count: Double { get }
  /// Σwᵢρ(rᵢ/c; α).
  func sumRho(_ loss: BarronLoss, scale c: Double) throws -> Double
  /// The sums of ρ and its α- and λ-derivatives at (α, c) (``BarronShapeDerivatives/Sums``).
  func shapeSums(_ shape: BarronShapeDerivatives, scale c: Double) throws -> BarronShapeDerivatives.Sums
  /// Σwᵢrᵢ² (α = 2's closed-form c).
  func sumSquares() throws -> Double
}

/// ``ShapeScaleSums`` over residuals in memory, in deterministic chunks on all cores (``ParallelChunks``).
struct ResidualSums: ShapeScaleSums, @unchecked Sendable {
  let residuals: UnsafeBufferPointer<Double>
  /// The case weights (each row's terms multiplied by its weight), nil for 1 each.
  let weights: UnsafeBufferPointer<Double>?
  let count: Double

  init(residuals: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>? = nil) {
    self.residuals = residuals
    self.weights = weights
    count = weights.map { $0.reduce(0, +) } ?? Double(residuals.count)
  }

  /// Row i's case weight.
  private func weight(_ i: Int) -> Double { weights?[i] ?? 1 }

  func sumRho(_ loss: BarronLoss, scale c: Double) -> Double {
    let inverse = 1 / c
    return parallelSum { i in self.weight(i) * loss.rho(self.residuals[i] * inverse) }
  }

  func shapeSums(_ shape: BarronShapeDerivatives, scale c: Double) -> BarronShapeDerivatives.Sums {
    let inverse = 1 / c
    let parts = chunkCount, count = residuals.count
    var partial = [BarronShapeDerivatives.Sums](repeating: .init(), count: parts)
    partial.withUnsafeMutableBufferPointer { slots in
      nonisolated(unsafe) let out = slots
      ParallelChunks.perform(parts) { part in
        var sums = BarronShapeDerivatives.Sums()
        for i in ParallelChunks.rows(of: part, chunks: parts, total: count) {
          let u = self.residuals[i] * inverse
          if let weights = self.weights { sums.add(shape.values(u: u), weight: weights[i]) } else { sums.add(shape.values(u: u)) }
        }
        out[part] = sums
      }
    }
    var total = BarronShapeDerivatives.Sums()
    for part in partial { total.add(part) }
    return total
  }

  func sumSquares() -> Double {
    parallelSum { i in self.weight(i) * self.residuals[i] * self.residuals[i] }
  }

  private var chunkCount: Int { ParallelChunks.shapeScale(rows: residuals.count) }

  /// Σ f(i) over the residual indices, in deterministic chunks (``ParallelChunks``).
  private func parallelSum(_ f: @escaping @Sendable (Int) -> Double) -> Double {
    let parts = chunkCount, count = residuals.count
    var partial = [Double](repeating: 0, count: parts)
    partial.withUnsafeMutableBufferPointer { slots in
      nonisolated(unsafe) let out = slots
      ParallelChunks.perform(parts) { part in
        var s = 0.0
        for i in ParallelChunks.rows(of: part, chunks: parts, total: count) { s += f(i) }
        out[part] = s
      }
    }
    return partial.reduce(0, +)
  }
}

/// The (α, c) half of the adaptive fit: at fixed residuals, Barron's NLL as a function of α and
/// λ = log c,
///
///     NLL(α, λ) = Σρ(rᵢ e^(−λ); α) + n·λ + n·log Z(α),
///
/// its gradient and Hessian from one set of sums over the residuals, and a projected, damped Newton
/// step that never increases it. The sums come from ``sums`` (residuals in memory, or passes over a
/// host's rows): one dynamic call per evaluation, whose loop over the rows is the source's own.
struct ShapeScaleProblem {
  let sums: any ShapeScaleSums
  let alphaRange: ClosedRange<Double>
  /// The data-relative floor of c.
  let scaleFloor: Double
  /// Where log Z(α) and its derivatives are kept between evaluations at one α (a descent's own), or
  /// nil: computed for each.
  let partition: LogPartitionMemo?
  /// n, or Σwᵢ with case weights.
  var n: Double { sums.count }

  init(sums: any ShapeScaleSums, alphaRange: ClosedRange<Double>, scaleFloor: Double,
       partition: LogPartitionMemo? = nil) {
    self.sums = sums
    self.alphaRange = alphaRange
    self.scaleFloor = scaleFloor
    self.partition = partition
  }

  /// Over residuals in memory (with case weights, each row's terms times its weight, n = Σwᵢ).
  init(residuals: UnsafeBufferPointer<Double>, alphaRange: ClosedRange<Double>, scaleFloor: Double,
       weights: UnsafeBufferPointer<Double>? = nil) {
    self.init(sums: ResidualSums(residuals: residuals, weights: weights), alphaRange: alphaRange,
              scaleFloor: scaleFloor)
  }

  /// The same problem with another floor of c (c held: the floor is c itself).
  func withScaleFloor(_ floor: Double) -> ShapeScaleProblem {
    ShapeScaleProblem(sums: sums, alphaRange: alphaRange, scaleFloor: floor, partition: partition)
  }

  /// NLL at (α, c).
  func value(alpha: Double, scale c: Double) throws -> Double {
    let sum = try sums.sumRho(BarronLoss(alpha: alpha), scale: c)
    return BarronNLL.value(sumRho: sum, count: n, scale: c,
                           logPartition: partition?.logZ(alpha: alpha) ?? LogPartition.logZ(alpha: alpha),
                           order: .inTurn)
  }

  /// Value, gradient and Hessian in (α, λ). Where α sits exactly at 2 the α-derivatives are infinite:
  /// `alphaDerivativesFinite` is then false and only the λ parts are meaningful.
  struct Local {
    var value: Double
    var gradient: (alpha: Double, logScale: Double)
    var hessian: (aa: Double, al: Double, ll: Double)
    var alphaDerivativesFinite: Bool
  }

  func local(alpha: Double, scale c: Double) throws -> Local {
    local(sums: try sums.shapeSums(BarronShapeDerivatives(alpha: alpha), scale: c), alpha: alpha, scale: c)
  }

  /// ``Local`` from the sums Σρ, Σ∂ρ/∂α, Σ∂²ρ/∂α², Σ∂ρ/∂λ, Σ∂²ρ/∂λ², Σ∂²ρ/∂α∂λ over the residuals at
  /// (α, c) (as ``local(alpha:scale:)`` forms them, or a fused pass over X: ``BarronShapeRows``).
  func local(sums: [Double], alpha: Double, scale c: Double) -> Local {
    local(sums: BarronShapeDerivatives.Sums(sums), alpha: alpha, scale: c)
  }

  /// ``Local`` from the shape-derivative sums over the residuals at (α, c).
  func local(sums: BarronShapeDerivatives.Sums, alpha: Double, scale c: Double) -> Local {
    let nll = BarronNLL.likelihood(sums: sums, count: n, alpha: alpha, scale: c,
                                   partition: partition?.derivatives(alpha: alpha)
                                     ?? LogPartition.derivatives(alpha: alpha), order: .inTurn)
    let finite = nll.dAlpha.isFinite && nll.dAlphaAlpha.isFinite && nll.dAlphaLogScale.isFinite
    return Local(value: nll.value, gradient: (nll.dAlpha, nll.dLogScale),
                 hessian: (nll.dAlphaAlpha, nll.dAlphaLogScale, nll.dLogScaleLogScale), alphaDerivativesFinite: finite)
  }

  /// Up to `steps` projected Newton steps from (α, c), each accepted only if it lowers the NLL
  /// (backtracking by halves). Returns the new point and its NLL.
  ///
  /// Near α = 2 (|α − 2| < 1) the step is taken in s = log|α − 2| instead of α: there the NLL behaves like
  /// (S/4)(α − 2) log(1/|α − 2|) plus smooth terms, whose α-derivatives diverge (Newton in α crawls and
  /// stops short, e.g. at α = 1.9998 when the optimum is 1.97), while in s the terms t^k log^m t,
  /// t = |α − 2| = e^s, are smooth. With t → 0 the NLL flattens towards its value at α = 2, which is tried
  /// exactly (with the Gaussian c = √(mean r²), the closed-form optimum there) once t < 1e-3. From α = 2
  /// exactly the search starts at t = 1e-6 on each side the range allows.
  ///
  /// `initial`, when given, is ``Local`` at exactly (`start`, `startScale`) (from a fused pass) and
  /// replaces the first evaluation there.
  func descend(alpha start: Double, scale startScale: Double, value startValue: Double,
               steps: Int, tolerance: Double, initial: Local? = nil) throws
    -> (alpha: Double, scale: Double, value: Double) {
    var initial = initial
    var alpha = start, lambda = Double.log(startScale), current = startValue
    let lambdaFloor = Double.log(scaleFloor)
    let lo = alphaRange.lowerBound, hi = alphaRange.upperBound
    for _ in 0..<steps {
      var improved = false, small = false
      var sides: [Double] = [alpha]
      if alpha == 2 {
        // At α = 2 the best c is closed-form; other shapes are looked for from just inside each side
        // the range allows.
        let gaussian = try gaussianPoint()
        if gaussian.value < current {
          small = current - gaussian.value <= tolerance * max(1, abs(gaussian.value))
          lambda = Double.log(gaussian.scale)
          current = gaussian.value
          improved = true
        }
      }
      if alpha == 2 { sides = (lo < 2 ? [2 - 1e-6] : []) + (hi > 2 ? [2 + 1e-6] : []) }
      for evaluationAlpha in sides where !improved {
        let local: Local
        if let given = initial, evaluationAlpha == start, lambda == Double.log(startScale) {
          local = given
        } else {
          local = try self.local(alpha: evaluationAlpha, scale: Double.exp(lambda))
        }
        initial = nil
        guard let step = newtonStep(local, alpha: evaluationAlpha, moving: alpha) else { continue }
        var da = step.shape, dl = step.logScale
        guard da.isFinite, dl.isFinite, da != 0 || dl != 0 else { continue }
        // The first-order decrease a Newton step promises, halved with it: once it is below the
        // rounding noise of the NLL no shorter step can show a decrease (at the optimum the Newton step
        // is tiny and every trial would tie; without this the loop paid 40 evaluations there). The
        // fallback step where the Hessian is not positive definite promises −∞ (always tried): its
        // decrease can come from negative curvature while g·d is 0.
        var promised = abs(step.slope)
        let noise = 1e-13 * max(1, abs(current))
        for _ in 0..<40 where promised > noise {
          let trialAlpha = da == 0 ? alpha : step.chart.alpha(evaluationAlpha, step: da, range: alphaRange)
          let trialLambda = max(lambda + dl, lambdaFloor)
          let trial = try value(alpha: trialAlpha, scale: Double.exp(trialLambda))
          if trial < current {
            small = current - trial <= tolerance * max(1, abs(trial))
              && Self.shapeDistance(alpha, trialAlpha) <= tolerance.squareRoot()
            alpha = trialAlpha
            lambda = trialLambda
            current = trial
            improved = true
            break
          }
          da /= 2
          dl /= 2
          promised /= 2
        }
      }
      // Close to 2: try α = 2 exactly, with its closed-form scale.
      if alpha != 2 && abs(alpha - 2) < 1e-3 && alphaRange.contains(2) {
        let gaussian = try gaussianPoint()
        if gaussian.value <= current {
          alpha = 2
          lambda = Double.log(gaussian.scale)
          current = gaussian.value
          improved = true
        }
      }
      if !improved || small { break }
    }
    return (alpha, Double.exp(lambda), current)
  }

  /// The damped Newton step of ``descend`` from (α, c), untested: the point it proposes and the decrease
  /// it promises to first order, −g·d/2 (exact for a quadratic). Nil where `descend`'s trial is needed:
  /// at α = 2 or landing within 1e-3 of it (where α = 2 is tried exactly), where the Hessian is not
  /// positive definite (the fallback step's decrease can only be found by trying it), or when nothing is
  /// finite. The adaptive descent above ``AdaptiveFitter/likelihoodScanRows(columns:)`` rows takes it and
  /// lets its next fused pass over X test the NLL there (saving this problem's pass over the residuals).
  func proposal(_ local: Local, alpha: Double, scale c: Double) -> (alpha: Double, scale: Double, decrease: Double)? {
    guard alpha != 2, let step = newtonStep(local, alpha: alpha, moving: alpha), step.slope.isFinite,
          step.shape.isFinite, step.logScale.isFinite else { return nil }
    let moved = step.shape == 0 ? alpha : step.chart.alpha(alpha, step: step.shape, range: alphaRange)
    guard abs(moved - 2) >= 1e-3 || !alphaRange.contains(2) else { return nil }
    let lambda = max(Double.log(c) + step.logScale, Double.log(scaleFloor))
    let scale = Double.exp(lambda)
    guard scale.isFinite, scale > 0 else { return nil }
    return (moved, scale, max(0, -step.slope / 2))
  }

  /// α alone (c fixed by the user): golden-section refinement of the NLL over the α range.
  func descendAlphaOnly(alpha: Double, scale c: Double, value: Double, steps: Int) throws -> (Double, Double, Double) {
    var lo = alphaRange.lowerBound, hi = min(alphaRange.upperBound, max(alphaRange.lowerBound + 1, 16))
    let ratio = (5.0.squareRoot() - 1) / 2
    var a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
    var fa = try self.value(alpha: a, scale: c), fb = try self.value(alpha: b, scale: c)
    for _ in 0..<max(60, steps) where hi - lo > 1e-10 {
      if fa < fb { hi = b; b = a; fb = fa; a = hi - ratio * (hi - lo); fa = try self.value(alpha: a, scale: c) }
      else { lo = a; a = b; fa = fb; b = lo + ratio * (hi - lo); fb = try self.value(alpha: b, scale: c) }
    }
    var best = (alpha, value)
    for candidate in [a, b, alphaRange.lowerBound, min(alphaRange.upperBound, hi)] {
      let v = try self.value(alpha: candidate, scale: c)
      if v < best.1 { best = (candidate, v) }
    }
    return (best.0, c, best.1)
  }

  /// How far apart two shapes are in the coordinate the steps are taken in: |Δ log|α − 2|| when both lie
  /// on the same side of 2 within 1 of it (a step from 1.999999 to 1.99999 is a large one there), 1 for a
  /// move onto or off α = 2 exactly, else |Δα|/max(1, |α|).
  static func shapeDistance(_ a: Double, _ b: Double) -> Double {
    if a == b { return 0 }
    if a == 2 || b == 2 { return 1 }
    let ta = abs(a - 2), tb = abs(b - 2)
    if ta < 1 && tb < 1 && (a > 2) == (b > 2) { return abs(Double.log(ta / tb)) }
    return abs(a - b) / max(1, abs(b))
  }

  /// The NLL at α = 2 with its optimal c = √(mean r²) (kept above the floor).
  func gaussianPoint() throws -> (scale: Double, value: Double) {
    let sumSquares = try sums.sumSquares()
    let c = max((sumSquares / n).squareRoot(), scaleFloor)
    return (c, BarronNLL.value(sumRho: sumSquares / (2 * c * c), count: n, scale: c,
                               logPartition: LogPartition.logZAtTwo, order: .inTurn))
  }

  /// The coordinate of the shape in a Newton step: α itself, or s = log|α − 2| near 2.
  enum Chart {
    case alpha
    /// α = 2 + side·e^s.
    case logDistance(side: Double)

    /// α after a step `d` in this chart from `alpha`, projected on `range`.
    func alpha(_ alpha: Double, step d: Double, range: ClosedRange<Double>) -> Double {
      let moved: Double
      switch self {
      case .alpha: moved = alpha + d
      case .logDistance(let side): moved = 2 + side * abs(alpha - 2) * Double.exp(d)
      }
      return min(max(moved, range.lowerBound), range.upperBound)
    }
  }

  /// The Newton direction in (shape coordinate, λ) at the derivatives `local` (evaluated at
  /// `evaluation`; the iterate is `moving`), projected on the α bounds and made a descent direction:
  /// where the 2 × 2 Hessian is not positive definite (or α is held on a bound) the step falls back to a
  /// λ-only Newton step and a bounded gradient step in the shape coordinate. Nil when nothing is finite.
  /// `slope` is the directional derivative g·d of the NLL along a Newton step (negative: a descent), −∞
  /// for the fallback step (see `descend`).
  private func newtonStep(_ local: Local, alpha evaluation: Double, moving: Double)
    -> (shape: Double, logScale: Double, chart: Chart, slope: Double)? {
    var g = (alpha: local.gradient.alpha, logScale: local.gradient.logScale)
    var h = local.hessian
    guard g.logScale.isFinite, h.ll.isFinite else { return nil }
    let lambdaStep = h.ll > 0 ? -g.logScale / h.ll : -g.logScale / max(n, 1)
    let atLower = moving <= alphaRange.lowerBound && g.alpha > 0
    let atUpper = moving >= alphaRange.upperBound && g.alpha < 0
    let alphaFree = local.alphaDerivativesFinite && !atLower && !atUpper
      && alphaRange.lowerBound < alphaRange.upperBound
    guard alphaFree else { return (0, lambdaStep, .alpha, g.logScale * lambdaStep) }
    var chart = Chart.alpha
    var cap = 0.5
    let distance = abs(evaluation - 2)
    if distance < 1 && distance > 0 {
      // s = log t, α = 2 + side·e^s: dα/ds = side·t, d²α/ds² = side·t.
      let side: Double = evaluation > 2 ? 1 : -1
      let t = distance
      let ga = g.alpha
      g.alpha = ga * side * t
      h.aa = h.aa * t * t + ga * side * t
      h.al = h.al * side * t
      chart = .logDistance(side: side)
      cap = 4
    } else {
      let width = alphaRange.upperBound - alphaRange.lowerBound
      cap = min(0.5, width.isFinite ? width / 4 : 0.5)
    }
    let determinant = h.aa * h.ll - h.al * h.al
    if h.aa > 0 && determinant > 0 {
      var da = -(h.ll * g.alpha - h.al * g.logScale) / determinant
      var dl = -(h.aa * g.logScale - h.al * g.alpha) / determinant
      if abs(da) > cap {  // a long step: shorten both (the backtracking would halve them anyway)
        let shrink = cap / abs(da)
        da *= shrink
        dl *= shrink
      }
      return (da, dl, chart, g.alpha * da + g.logScale * dl)
    }
    // Not convex here: a step of the cap's length down the gradient in the shape coordinate (the
    // backtracking shortens it), with the λ Newton step. Not scaled by |g|: in the s chart near α = 2 the
    // gradient is O(|α − 2|) while the minimum can be several units of s away.
    let da = g.alpha > 0 ? -cap : (g.alpha < 0 ? cap : 0)
    return (da, lambdaStep, chart, -.infinity)
  }
}
