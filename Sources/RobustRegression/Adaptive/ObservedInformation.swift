import CKernels
import CLapack
import Dispatch

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
    // Per chunk of rows (on all cores, added in chunk order): ψ′ xxᵀ/c² by the weighted Gram kernel
    // in tiles, the β–α and β–λ columns, and the (α, λ) sums.
    let chunks = max(1, min(8, n / 32_768)), chunkSize = (n + chunks - 1) / chunks
    let tileRows = 256
    // Per chunk: hbb p×p, hba p, hbl p, (haa, hal, hll), and three tile buffers.
    let stride = p * p + 2 * p + 3 + 3 * tileRows
    let partial = UnsafeMutableBufferPointer<Double>.allocate(capacity: stride * chunks)
    defer { partial.deallocate() }
    partial.initialize(repeating: 0)
    nonisolated(unsafe) let slots = partial.baseAddress!
    design.values.withUnsafeBufferPointer { xBuffer in
      residuals.withUnsafeBufferPointer { rBuffer in
        nonisolated(unsafe) let x = xBuffer.baseAddress!, r = rBuffer.baseAddress!
        let work: @Sendable (Int) -> Void = { chunk in
          let base = slots + chunk * stride
          let hbb = base, hba = base + p * p, hbl = hba + p, sums = hbl + p
          let curvature = sums + 3, cross = curvature + tileRows, scaleCross = cross + tileRows
          var haa = 0.0, hal = 0.0, hll = 0.0
          var start = min(n, chunk * chunkSize)
          let end = min(n, start + chunkSize)
          while start < end {
            let m = min(tileRows, end - start)
            for k in 0..<m {
              let u = r[start + k] / c
              let slope = loss.psiDerivative(u)
              curvature[k] = slope / (c * c)
              let values = shape.values(u: u)
              cross[k] = u == 0 ? 0 : values.dAlphaLogScale / (u * c)  // −u·w·h/(2c)
              scaleCross[k] = (slope * u + u * values.weight) / c  // (ψ′u + ψ)/c, ψ = u·w
              if alphaFree {
                haa += values.dAlphaAlpha
                hal += values.dAlphaLogScale
              }
              hll += values.dLogScaleLogScale
            }
            rf_weighted_gram(x + start, n, Int32(p), nil, curvature, m, hbb, Int32(p))
            for j in 0..<p {
              let column = x + j * n + start
              var a = 0.0, l = 0.0
              for k in 0..<m {
                a += column[k] * cross[k]
                l += column[k] * scaleCross[k]
              }
              hba[j] += a
              hbl[j] += l
            }
            start += m
          }
          sums[0] = haa
          sums[1] = hal
          sums[2] = hll
        }
        if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
      }
    }
    var hbb = [Double](repeating: 0, count: p * p)
    var hba = [Double](repeating: 0, count: p), hbl = [Double](repeating: 0, count: p)
    var haa = 0.0, hal = 0.0, hll = 0.0
    for chunk in 0..<chunks {
      let base = partial.baseAddress! + chunk * stride
      UpperTriangle.add(base, leadingDimension: p, into: &hbb, order: p)
      for j in 0..<p {
        hba[j] += base[p * p + j]
        hbl[j] += base[p * p + p + j]
      }
      haa += base[p * p + 2 * p]
      hal += base[p * p + 2 * p + 1]
      hll += base[p * p + 2 * p + 2]
    }
    UpperTriangle.mirror(&hbb, order: p)
    if alphaFree { haa += Double(n) * LogPartition.derivatives(alpha: alpha).second }
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
