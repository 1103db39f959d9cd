import RealModule

/// Huber's sandwich covariance of an M-estimator (statsmodels "H1", Docs/spec.md §4):
///
///     Cov = K² · [Σψ(uᵢ)²/(n − p)] · c² / m² · (XᵀX)⁻¹,   m = mean ψ′(uᵢ),   K = 1 + (p/n)·var(ψ′)/m²
///
/// with var the population variance, as statsmodels.
enum Sandwich {
  static func covariance<L: RobustLoss>(
    loss: L, residuals: [Double], scale c: Double, inverseGram: [Double], coefficients: [Double],
    confidenceLevel: Double, caseWeights: UnsafeBufferPointer<Double>? = nil, degreesOfFreedom: Int
  ) -> Result<Inference, FitWarning.StandardErrorProblem> {
    let p = coefficients.count
    let factor = residuals.withUnsafeBufferPointer {
      varianceFactor(loss: loss, residuals: $0, scale: c, parameters: p, caseWeights: caseWeights)
    }
    switch factor {
    case .failure(let problem): return .failure(problem)
    case .success(let factor):
      let covariance = inverseGram.map { $0 * factor }
      guard let inference = Inference(covariance: covariance, coefficients: coefficients,
                                      degreesOfFreedom: degreesOfFreedom, method: .huberSandwich,
                                      confidenceLevel: confidenceLevel)
      else { return .failure(.degenerateCovariance) }
      return .success(inference)
    }
  }

  /// τ̂² = K² · [Σψ(uᵢ)²/(n − p)] · c² / m², the factor of (XᵀX)⁻¹ in the sandwich: the variance of β̂
  /// per unit of (XᵀX)⁻¹ (for least squares Σr²/(n − p)); a failure where m = mean ψ′ ≤ 0. With case
  /// weights every sum and mean is weighted and n is Σwᵢ (the formula of the data with each row repeated
  /// wᵢ times; (XᵀX)⁻¹ is then (XᵀWX)⁻¹).
  static func varianceFactor<L: RobustLoss>(loss: L, residuals: UnsafeBufferPointer<Double>, scale c: Double,
                                            parameters p: Int, caseWeights: UnsafeBufferPointer<Double>? = nil)
    -> Result<Double, FitWarning.StandardErrorProblem> {
    // uᵢ = rᵢ/c on the fly (no n-length copy: this runs at the peak memory of a large fit).
    let n = caseWeights.map { $0.reduce(0, +) } ?? Double(residuals.count)
    func weight(_ i: Int) -> Double { caseWeights?[i] ?? 1 }
    // Σ(c·ψ(uᵢ))² rather than c²·Σψ(uᵢ)²: with c far above the residuals (u ≈ 1e-300) ψ(u)² underflows
    // to 0 while c·ψ(u) ≈ r does not (and with c far below them, c·ψ(u) stays below c·sup|ψ| or |r|).
    var sumScaledPsiSquared = 0.0, sumSlope = 0.0
    for (i, r) in residuals.enumerated() {
      let value = r / c
      let scaledPsi = c * loss.psi(value)
      sumScaledPsiSquared += weight(i) * scaledPsi * scaledPsi
      sumSlope += weight(i) * loss.psiDerivative(value)
    }
    let m = sumSlope / n
    guard m > 0 else { return .failure(.nonPositiveSlope(meanSlope: m)) }
    var variance = 0.0
    for (i, r) in residuals.enumerated() {
      let d = loss.psiDerivative(r / c) - m
      variance += weight(i) * d * d
    }
    variance /= n
    return .success(varianceFactor(sumScaledPsiSquared: sumScaledPsiSquared, meanSlope: m, slopeVariance: variance,
                                   observations: n, parameters: p))
  }

  /// τ̂² from its sums: Σ(c·ψ(uᵢ))², m = mean ψ′(uᵢ) (> 0), the population variance of ψ′(uᵢ), n and p
  /// (the sums of a distributed fit arrive merged over its partitions).
  static func varianceFactor(sumScaledPsiSquared: Double, meanSlope m: Double, slopeVariance variance: Double,
                             observations n: Double, parameters p: Int) -> Double {
    let k = 1 + Double(p) / n * variance / (m * m)
    return k * k * sumScaledPsiSquared / (n - Double(p)) / (m * m)
  }
}

extension Inference {
  /// Standard errors, t, two-sided p-values (Student t, `degreesOfFreedom`) and intervals at `confidenceLevel` from a
  /// covariance; nil when a variance is not positive or not finite.
  init?(covariance: [Double], coefficients: [Double], degreesOfFreedom: Int, method: CovarianceMethod,
        confidenceLevel: Double) {
    let p = coefficients.count
    guard covariance.count == p * p, degreesOfFreedom > 0 else { return nil }
    let variances = (0..<p).map { covariance[$0 * p + $0] }
    // A variance of exactly 0 (all residuals 0 at a fixed scale, or one below the smallest double)
    // gives no t or p: no inference rather than t = ∞.
    guard variances.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
    let se = variances.map { $0.squareRoot() }
    let nu = Double(degreesOfFreedom)
    let critical = StudentT.quantile(0.5 + confidenceLevel / 2, degreesOfFreedom: nu)
    self.covariance = covariance
    standardErrors = se
    tValues = (0..<p).map { se[$0] > 0 ? coefficients[$0] / se[$0] : (coefficients[$0] == 0 ? 0 : .infinity) }
    pValues = tValues.map { StudentT.twoSidedPValue($0, degreesOfFreedom: nu) }
    lower = (0..<p).map { coefficients[$0] - critical * se[$0] }
    upper = (0..<p).map { coefficients[$0] + critical * se[$0] }
    self.degreesOfFreedom = degreesOfFreedom
    self.confidenceLevel = confidenceLevel
    self.method = method
  }
}
