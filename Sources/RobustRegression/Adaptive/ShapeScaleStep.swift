import Dispatch
import RealModule

/// The (α, c) half of the adaptive fit: at fixed residuals, Barron's NLL as a function of α and
/// λ = log c,
///
///     NLL(α, λ) = Σρ(rᵢ e^(−λ); α) + n·λ + n·log Z(α),
///
/// its gradient and Hessian in one pass over the residuals, and a projected, damped Newton step
/// that never increases it.
struct ShapeScaleProblem: @unchecked Sendable {
  let residuals: UnsafeBufferPointer<Double>
  let alphaRange: ClosedRange<Double>
  /// The data-relative floor of c.
  let scaleFloor: Double

  var n: Double { Double(residuals.count) }

  /// NLL at (α, c).
  func value(alpha: Double, scale c: Double) -> Double {
    let loss = BarronLoss(alpha: alpha)
    let inverse = 1 / c
    let sum = parallelSum { i in loss.rho(self.residuals[i] * inverse) }
    return sum + n * Double.log(c) + n * LogPartition.logZ(alpha: alpha)
  }

  /// Value, gradient and Hessian in (α, λ). Where α sits exactly at 2 the α-derivatives are infinite:
  /// `alphaDerivativesFinite` is then false and only the λ parts are meaningful.
  struct Local {
    var value: Double
    var gradient: (alpha: Double, logScale: Double)
    var hessian: (aa: Double, al: Double, ll: Double)
    var alphaDerivativesFinite: Bool
  }

  func local(alpha: Double, scale c: Double) -> Local {
    let shape = BarronShapeDerivatives(alpha: alpha)
    let inverse = 1 / c
    var sums = [Double](repeating: 0, count: 6)
    let parts = chunkCount
    var partial = [[Double]](repeating: [Double](repeating: 0, count: 6), count: parts)
    partial.withUnsafeMutableBufferPointer { slots in
      nonisolated(unsafe) let out = slots
      let count = residuals.count
      let size = (count + parts - 1) / parts
      let work: @Sendable (Int) -> Void = { part in
        var s = [Double](repeating: 0, count: 6)
        for i in min(count, part * size)..<min(count, (part + 1) * size) {
          let u = self.residuals[i] * inverse
          let v = shape.values(z: u * u)
          s[0] += v.rho
          s[1] += v.dAlpha
          s[2] += v.dAlphaAlpha
          s[3] += v.dLogScale
          s[4] += v.dLogScaleLogScale
          s[5] += v.dAlphaLogScale
        }
        out[part] = s
      }
      if parts == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: work) }
    }
    for part in partial { for k in 0..<6 { sums[k] += part[k] } }
    let z = LogPartition.derivatives(alpha: alpha)
    let value = sums[0] + n * Double.log(c) + n * z.value
    let ga = sums[1] + n * z.first
    let gl = sums[3] + n
    let haa = sums[2] + n * z.second
    let finite = ga.isFinite && haa.isFinite && sums[5].isFinite
    return Local(value: value, gradient: (ga, gl), hessian: (haa, sums[5], sums[4]),
                 alphaDerivativesFinite: finite)
  }

  /// Up to `steps` projected Newton steps from (α, c), each accepted only if it lowers the NLL
  /// (backtracking by halves). Returns the new point and its NLL.
  func descend(alpha start: Double, scale startScale: Double, value startValue: Double,
               steps: Int, tolerance: Double) -> (alpha: Double, scale: Double, value: Double) {
    var alpha = start, lambda = Double.log(startScale), current = startValue
    let lambdaFloor = Double.log(scaleFloor)
    for _ in 0..<steps {
      var evaluationAlpha = alpha
      // At α = 2 exactly the α-derivatives diverge: look from just inside the range.
      if alpha == 2 { evaluationAlpha = alphaRange.lowerBound < 2 ? 2 - 1e-9 : 2 + 1e-9 }
      let local = self.local(alpha: evaluationAlpha, scale: Double.exp(lambda))
      var (da, dl) = newtonStep(local, alpha: alpha)
      guard da.isFinite, dl.isFinite, da != 0 || dl != 0 else { break }
      var improved = false
      for _ in 0..<40 {
        let trialAlpha = min(max(alpha + da, alphaRange.lowerBound), alphaRange.upperBound)
        let trialLambda = max(lambda + dl, lambdaFloor)
        let trial = value(alpha: trialAlpha, scale: Double.exp(trialLambda))
        if trial < current {
          let change = current - trial
          alpha = trialAlpha
          lambda = trialLambda
          current = trial
          improved = true
          if change <= tolerance * max(1, abs(current)) { return (alpha, Double.exp(lambda), current) }
          break
        }
        da /= 2
        dl /= 2
      }
      if !improved { break }
    }
    return (alpha, Double.exp(lambda), current)
  }

  /// The Newton direction in (α, λ), projected on the α bounds and made a descent direction: where
  /// the 2 × 2 Hessian is not positive definite (or α is held on a bound) the step falls back to a
  /// λ-only Newton step and a scaled gradient step in α.
  private func newtonStep(_ local: Local, alpha: Double) -> (Double, Double) {
    let g = local.gradient, h = local.hessian
    let atLower = alpha <= alphaRange.lowerBound && g.alpha > 0
    let atUpper = alpha >= alphaRange.upperBound && g.alpha < 0
    let alphaFree = local.alphaDerivativesFinite && !atLower && !atUpper && alphaRange.lowerBound < alphaRange.upperBound
    let lambdaStep = h.ll > 0 ? -g.logScale / h.ll : -g.logScale / max(n, 1)
    guard alphaFree else { return (0, lambdaStep) }
    let determinant = h.aa * h.ll - h.al * h.al
    if h.aa > 0 && determinant > 0 {
      let da = -(h.ll * g.alpha - h.al * g.logScale) / determinant
      let dl = -(h.aa * g.logScale - h.al * g.alpha) / determinant
      return (da, dl)
    }
    // Not convex here: a gradient step in α no longer than 0.5, with the λ Newton step.
    let width = alphaRange.upperBound - alphaRange.lowerBound
    let da = -g.alpha / max(abs(g.alpha), 1) * min(0.5, width.isFinite ? width / 4 : 0.5)
    return (da, lambdaStep)
  }

  private var chunkCount: Int { max(1, min(8, residuals.count / 65_536)) }

  /// Σ f(i) over the residual indices, in deterministic chunks.
  private func parallelSum(_ f: @escaping @Sendable (Int) -> Double) -> Double {
    let parts = chunkCount, count = residuals.count
    let size = (count + parts - 1) / parts
    var partial = [Double](repeating: 0, count: parts)
    partial.withUnsafeMutableBufferPointer { slots in
      nonisolated(unsafe) let out = slots
      let work: @Sendable (Int) -> Void = { part in
        var s = 0.0
        for i in min(count, part * size)..<min(count, (part + 1) * size) { s += f(i) }
        out[part] = s
      }
      if parts == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: work) }
    }
    return partial.reduce(0, +)
  }
}
