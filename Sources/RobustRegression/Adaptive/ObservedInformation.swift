import CLapack

/// Standard errors of the adaptive fit from the observed information: the Hessian of the NLL in
/// (β, α, λ = log c) at the optimum, inverted over the free parameters (α or c on a bound are held).
///
///     ∂²/∂β∂βᵀ = Σ ψ′(uᵢ) xᵢxᵢᵀ / c²
///     ∂²/∂β∂α  = −Σ xᵢ · uᵢ wᵢ hᵢ / (2c),   h = log(1 + y) − y/(1 + y), y = uᵢ²/b
///     ∂²/∂β∂λ  = Σ xᵢ (ψ′(uᵢ) uᵢ + ψ(uᵢ)) / c
///
/// and the (α, λ) block from ``BarronShapeDerivatives`` and ``LogPartition``. se(c) = c·se(λ).
struct ObservedInformation {
  let betaCovariance: [Double]
  let alphaStandardError: Double?
  let scaleStandardError: Double?

  static func compute(design: DesignMatrix, residuals: [Double], alpha: Double, scale c: Double,
                      alphaFree: Bool, scaleFree: Bool) -> ObservedInformation? {
    let n = design.rows, p = design.columns
    let loss = BarronLoss(alpha: alpha)
    let shape = BarronShapeDerivatives(alpha: alpha)
    var curvature = [Double](repeating: 0, count: n)
    var hba = [Double](repeating: 0, count: p), hbl = [Double](repeating: 0, count: p)
    var haa = 0.0, hal = 0.0, hll = 0.0
    let zAlpha = alphaFree ? LogPartition.derivatives(alpha: alpha) : (value: 0, first: 0, second: 0)
    for i in 0..<n {
      let u = residuals[i] / c
      curvature[i] = loss.psiDerivative(u) / (c * c)
      let values = shape.values(z: u * u)
      let cross = u == 0 ? 0 : -values.dAlphaLogScale / u  // u·w·h/2
      let scaleCross = (loss.psiDerivative(u) * u + loss.psi(u)) / c
      for j in 0..<p {
        let x = design.values[j * n + i]
        if alphaFree { hba[j] -= x * cross / c }
        hbl[j] += x * scaleCross
      }
      if alphaFree {
        haa += values.dAlphaAlpha
        hal += values.dAlphaLogScale
      }
      hll += values.dLogScaleLogScale
    }
    haa += Double(n) * zAlpha.second
    // Σ ψ′ xxᵀ/c² by blocks.
    var hbb = [Double](repeating: 0, count: p * p)
    let blockRows = 1024
    var block = [Double](repeating: 0, count: blockRows * p)
    var scaled = [Double](repeating: 0, count: blockRows * p)
    var start = 0
    while start < n {
      let m = min(blockRows, n - start)
      for j in 0..<p {
        for i in 0..<m {
          let x = design.values[j * n + start + i]
          block[j * m + i] = x
          scaled[j * m + i] = x * curvature[start + i]
        }
      }
      cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(p), Int32(m), 1,
                  block, Int32(m), scaled, Int32(m), 1, &hbb, Int32(p))
      start += m
    }
    // Assemble over the free parameters: β, then α, then λ.
    let size = p + (alphaFree ? 1 : 0) + (scaleFree ? 1 : 0)
    var h = [Double](repeating: 0, count: size * size)
    for a in 0..<p { for b in 0..<p { h[b * size + a] = hbb[b * p + a] } }
    var next = p
    var alphaIndex: Int?, scaleIndex: Int?
    if alphaFree {
      alphaIndex = next
      for j in 0..<p { h[next * size + j] = hba[j]; h[j * size + next] = hba[j] }
      h[next * size + next] = haa
      next += 1
    }
    if scaleFree {
      scaleIndex = next
      for j in 0..<p { h[next * size + j] = hbl[j]; h[j * size + next] = hbl[j] }
      h[next * size + next] = hll
      if let a = alphaIndex { h[next * size + a] = hal; h[a * size + next] = hal }
    }
    guard h.allSatisfy(\.isFinite), var factor = Optional(h),
          (try? LAPACK.choleskyFactor(&factor, order: size)) == true,
          let inverse = try? LAPACK.choleskyInverse(factor, order: size)
    else { return nil }
    var covariance = [Double](repeating: 0, count: p * p)
    for a in 0..<p { for b in 0..<p { covariance[b * p + a] = inverse[b * size + a] } }
    let alphaSE = alphaIndex.map { inverse[$0 * size + $0].squareRoot() }
    let scaleSE = scaleIndex.map { c * inverse[$0 * size + $0].squareRoot() }
    return ObservedInformation(betaCovariance: covariance, alphaStandardError: alphaSE,
                               scaleStandardError: scaleSE)
  }
}
