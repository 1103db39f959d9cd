import RealModule

/// The MM-estimate's inference as robustbase's `lmrob` gives it by default (Docs/leverage.md).
enum MMInference {
  /// The asymptotic covariance of the MM coefficients that accounts for the S-scale being estimated
  /// (Croux, Dhaene & Hoorelbeke 2003; robustbase's `.vcov.avar1`). With u = r/s at the MM residuals,
  /// u₀ = r₀/s at the S residuals, ψ and ψ′ the bisquare at c₁ (ψ′(0) = 1), χ = ρ̃ the normalised
  /// bisquare at c₀ and χ′ = ψ_{c₀}·6/c₀²:
  ///
  ///     A = s·(XᵀΨ′X)⁻¹,   a = A·Xᵀ(ψ′∘u) / mean(χ′∘u₀),   g = Xᵀ(ψ∘χ)
  ///     V = A·XᵀΨ²X·A − [a(Ag)ᵀ + (Ag)aᵀ − mean(χ² − b²)·aaᵀ] / n
  ///
  /// A V with a negative eigenvalue is made positive semi-definite as robustbase does: the negative
  /// eigenvalues set to 0 and the result rescaled to V's diagonal. Nil when XᵀΨ′X is singular.
  /// With case weights every row's terms are multiplied by its weight and n is Σwᵢ (the formula of the
  /// data with rows repeated).
  static func covariance(design: DesignMatrix, residuals r: [Double], sResiduals r0: [Double], scale s: Double,
                         k c1: Double, caseWeights: [Double]? = nil) throws -> [Double]? {
    try covariance(sums(design: design, residuals: r, sResiduals: r0, scale: s, k: c1, caseWeights: caseWeights),
                   scale: s)
  }

  /// The sums over the rows that V needs (each row's terms times its case weight), which add over
  /// batches of rows (a distributed fit merges them, ``DistributedHighBreakdown``).
  struct Sums {
    let order: Int
    /// XᵀΨ′X and XᵀΨ²X (upper triangles, column-major p × p).
    var slopeGram: [Double], squareGram: [Double]
    /// Xᵀ(ψ′∘u) and Xᵀ(ψ∘χ).
    var v: [Double], g: [Double]
    /// Σχ′(u₀)·u₀, Σ(χ² − b²) and n (Σwᵢ with case weights).
    var chiSlope = 0.0, chiSquared = 0.0, observations = 0.0

    init(order p: Int) {
      order = p
      slopeGram = [Double](repeating: 0, count: p * p)
      squareGram = slopeGram
      v = [Double](repeating: 0, count: p)
      g = v
    }

    /// Doubles of ``flat``: 2p² + 2p + 3.
    static func count(order p: Int) -> Int { 2 * p * p + 2 * p + 3 }

    /// `[slopeGram, squareGram, v, g, chiSlope, chiSquared, observations]`.
    var flat: [Double] { slopeGram + squareGram + v + g + [chiSlope, chiSquared, observations] }

    init?(flat d: [Double], order p: Int) {
      guard d.count == Self.count(order: p) else { return nil }
      order = p
      slopeGram = Array(d[0..<(p * p)])
      squareGram = Array(d[(p * p)..<(2 * p * p)])
      v = Array(d[(2 * p * p)..<(2 * p * p + p)])
      g = Array(d[(2 * p * p + p)..<(2 * p * p + 2 * p)])
      chiSlope = d[2 * p * p + 2 * p]
      chiSquared = d[2 * p * p + 2 * p + 1]
      observations = d[2 * p * p + 2 * p + 2]
    }
  }

  /// The sums of V over the rows of `design` at the MM residuals `r` and the S residuals `r0`.
  static func sums(design: DesignMatrix, residuals r: [Double], sResiduals r0: [Double], scale s: Double,
                   k c1: Double, caseWeights: [Double]? = nil) -> Sums {
    let rows = design.rows, p = design.columns
    let c0 = MScale.breakdownConstant, b = MScale.b
    var sums = Sums(order: p)
    sums.observations = caseWeights.map { $0.reduce(0, +) } ?? Double(rows)
    var row = [Double](repeating: 0, count: p)
    // ψ_c(x) = c·ψ(x/c) and ψ′_c(x) = ψ′(x/c) with Tukey's unit-free ψ; χ = ρ̃ = 6·ρ(x/c₀), χ′ = 6ψ(x/c₀)/c₀.
    let tukey = TukeyBiweightLoss()
    for i in 0..<rows {
      let w = caseWeights?[i] ?? 1
      let u = r[i] / s, u0 = r0[i] / s
      let psi = c1 * tukey.psi(u / c1)
      let slope = tukey.psiDerivative(u / c1)
      let chi = NormalisedBisquare.rho(u0 / c0)
      let chiSlope = 6 * tukey.psi(u0 / c0) / c0
      sums.chiSlope += w * chiSlope * u0
      sums.chiSquared += w * (chi * chi - b * b)
      for j in 0..<p { row[j] = design.values[j * rows + i] }
      for j in 0..<p {
        sums.v[j] += w * row[j] * slope * u
        sums.g[j] += w * row[j] * psi * chi
        for l in j..<p {
          sums.slopeGram[l * p + j] += w * slope * row[j] * row[l]
          sums.squareGram[l * p + j] += w * psi * psi * row[j] * row[l]
        }
      }
    }
    return sums
  }

  /// V from its sums at the S-scale s.
  static func covariance(_ sums: Sums, scale s: Double) throws -> [Double]? {
    let p = sums.order, n = sums.observations
    var slopeGram = sums.slopeGram, squareGram = sums.squareGram
    UpperTriangle.mirror(&slopeGram, order: p)
    UpperTriangle.mirror(&squareGram, order: p)
    guard let inverse = try inverse(slopeGram, order: p) else { return nil }
    let a0 = inverse.map { $0 * s }  // A
    let av = multiply(a0, sums.v, order: p), ag = multiply(a0, sums.g, order: p)
    let meanChiSlope = sums.chiSlope / n
    let a = av.map { $0 / meanChiSlope }
    let middle = product(product(a0, squareGram, order: p), a0, order: p)
    let meanChi = sums.chiSquared / n
    var covariance = [Double](repeating: 0, count: p * p)
    for j in 0..<p {
      for l in 0..<p {
        covariance[l * p + j] = middle[l * p + j]
          - (a[j] * ag[l] + ag[j] * a[l] - meanChi * a[j] * a[l]) / n
      }
    }
    return try positiveSemidefinite(covariance, order: p)
  }

  /// robustbase's `posdefify`: negative eigenvalues to 0, then the diagonal restored.
  static func positiveSemidefinite(_ v: [Double], order p: Int) throws -> [Double] {
    guard let (values, vectors) = try LAPACK.symmetricEigen(v, order: p), values.contains(where: { $0 < 0 }) else {
      return v
    }
    var rebuilt = [Double](repeating: 0, count: p * p)
    for k in 0..<p where values[k] > 0 {
      for j in 0..<p { for l in 0..<p { rebuilt[l * p + j] += values[k] * vectors[k * p + j] * vectors[k * p + l] } }
    }
    let d = (0..<p).map { rebuilt[$0 * p + $0] > 0 ? (max(0, v[$0 * p + $0]) / rebuilt[$0 * p + $0]).squareRoot() : 0 }
    for j in 0..<p { for l in 0..<p { rebuilt[l * p + j] *= d[j] * d[l] } }
    return rebuilt
  }

  /// lmrob's robust R² (Renaud & Victoria-Feser 2010, with robustbase's bisquare correction):
  ///
  ///     R² = (yMy − rMr) / (yMy + rMr·(correc − 1)),   yMy = Σwᵢ(yᵢ − ȳ_w)²,  rMr = Σwᵢrᵢ²
  ///
  /// with w the robustness weights, ȳ_w their weighted mean (0 without an intercept) and
  /// correc = E[w(Z)]/E[Z²w(Z)] at the Gaussian (1.207617 for k = 4.685061); adjusted by
  /// (n − 1)/(n − p) with an intercept, n/(n − p) without. 0 for an intercept-only model.
  static func robustRSquared(response y: [Double], residuals r: [Double], weights robustness: [Double], k: Double,
                             hasIntercept: Bool, columns p: Int, caseWeights: [Double]? = nil)
    -> (value: Double, adjusted: Double) {
    // The robustness weights times the case weights; n is Σ case weights.
    let w = caseWeights.map { zip(robustness, $0).map { $0 * $1 } } ?? robustness
    let n = caseWeights.map { $0.reduce(0, +) } ?? Double(y.count)
    guard !(hasIntercept && p == 1) else { return (0, 0) }
    var sw = 0.0, swy = 0.0
    for i in y.indices { sw += w[i]; swy += w[i] * y[i] }
    let mean = hasIntercept && sw > 0 ? swy / sw : 0
    var yMy = 0.0, rMr = 0.0
    for i in y.indices {
      yMy += w[i] * (y[i] - mean) * (y[i] - mean)
      rMr += w[i] * r[i] * r[i]
    }
    let value = (yMy - rMr) / (yMy + rMr * (correction(k: k) - 1))
    let interceptDF = hasIntercept ? 1.0 : 0
    return (value, 1 - (1 - value) * (n - interceptDF) / (n - Double(p)))
  }

  /// E[w(Z)] / E[Z²·w(Z)] for the bisquare weight w(z) = (1 − (z/k)²)² and Z ~ N(0, 1).
  static func correction(k: Double) -> Double {
    let tukey = TukeyBiweightLoss()
    let weight = gaussianExpectationOfEven(breakpoints: [k]) { z in tukey.weight(z / k) }
    let second = gaussianExpectationOfEven(breakpoints: [k]) { z in z * z * tukey.weight(z / k) }
    return weight / second
  }

  private static func inverse(_ a: [Double], order p: Int) throws -> [Double]? {
    var out = [Double](repeating: 0, count: p * p)
    for j in 0..<p {
      var e = [Double](repeating: 0, count: p)
      e[j] = 1
      guard let column = try LAPACK.solveSquare(a, order: p, e) else { return nil }
      for i in 0..<p { out[j * p + i] = column[i] }
    }
    return out
  }

  private static func multiply(_ a: [Double], _ x: [Double], order p: Int) -> [Double] {
    (0..<p).map { i in (0..<p).reduce(0.0) { $0 + a[$1 * p + i] * x[$1] } }
  }

  private static func product(_ a: [Double], _ b: [Double], order p: Int) -> [Double] {
    var out = [Double](repeating: 0, count: p * p)
    for j in 0..<p { for i in 0..<p { for k in 0..<p { out[j * p + i] += a[k * p + i] * b[j * p + k] } } }
    return out
  }
}
