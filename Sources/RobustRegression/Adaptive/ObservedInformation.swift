import CKernels
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
  /// How the profile's optimum in (β, λ) moves with α near the fit, d(β, λ)/dα = −H_θθ⁻¹ H_θα =
  /// Cov(θ, α)/Var(α) (θ = β, λ; λ's entry 0 when c is held), and the profile's curvature
  /// d²NLL_p/dα² = 1/Var(α), from the information with α free (also when α is on a bound of its range,
  /// not at α = 2 where its derivatives are infinite); nil when that is not positive definite. The
  /// profiled fits of the α interval start from it.
  let profileSlope: (beta: [Double], logScale: Double, curvature: Double)?

  /// The standard errors at the fit (β, α, c) from the rows' sums (``accumulate``, with α's entries when
  /// `alphaSummed`: however they were added, in memory or over a host's batches) and n (Σwᵢ with case
  /// weights); nil when the observed information over the free parameters is not positive definite (or
  /// not finite).
  static func compute(sums rowSums: Sums, count n: Double, columns p: Int, alpha: Double, scale c: Double,
                      alphaFree: Bool, alphaSummed: Bool, scaleFree: Bool) -> ObservedInformation? {
    var sums = rowSums
    if alphaSummed { sums.haa += n * LogPartition.derivatives(alpha: alpha).second }
    let hessian = assemble(sums, columns: p, alphaFree: alphaFree, scaleFree: scaleFree)
    guard let inverse = invert(hessian.matrix, order: hessian.size) else { return nil }
    let size = hessian.size
    var covariance = [Double](repeating: 0, count: p * p)
    for a in 0..<p { for b in 0..<p { covariance[b * p + a] = inverse[b * size + a] } }
    let alphaSE = hessian.alphaIndex.map { inverse[$0 * size + $0].squareRoot() }
    let scaleSE = hessian.scaleIndex.map { c * inverse[$0 * size + $0].squareRoot() }
    // With α held, the information with α free for the slope (the Hessian is p + 2 at most: cheap).
    let withAlpha = alphaFree || !alphaSummed ? hessian : assemble(sums, columns: p, alphaFree: true, scaleFree: scaleFree)
    let withAlphaInverse = alphaFree || !alphaSummed ? inverse : invert(withAlpha.matrix, order: withAlpha.size)
    let slope = withAlphaInverse.flatMap { inverse in withAlpha.alphaIndex.map { a in
      let size = withAlpha.size, variance = inverse[a * size + a]
      return (beta: (0..<p).map { inverse[a * size + $0] / variance },
              logScale: withAlpha.scaleIndex.map { inverse[a * size + $0] / variance } ?? 0, curvature: 1 / variance)
    } }
    return ObservedInformation(betaCovariance: covariance, alphaStandardError: alphaSE,
                               scaleStandardError: scaleSE, profileSlope: slope)
  }

  /// The blocks of the Hessian as sums over the rows (the (α, α) entry without n·d²log Z/dα²).
  struct Sums {
    /// As doubles: hbb, hba, hbl, haa, hal, hll (p² + 2p + 3; the sums of a host's batches add).
    var flat: [Double] { hbb + hba + hbl + [haa, hal, hll] }

    static func count(order p: Int) -> Int { p * p + 2 * p + 3 }

    init(hbb: [Double], hba: [Double], hbl: [Double], haa: Double, hal: Double, hll: Double) {
      (self.hbb, self.hba, self.hbl, self.haa, self.hal, self.hll) = (hbb, hba, hbl, haa, hal, hll)
    }

    /// From ``flat``; nil when `flat` is not p² + 2p + 3 doubles.
    init?(flat: [Double], order p: Int) {
      guard flat.count == Self.count(order: p) else { return nil }
      self.init(hbb: Array(flat[0..<(p * p)]), hba: Array(flat[(p * p)..<(p * p + p)]),
                hbl: Array(flat[(p * p + p)..<(p * p + 2 * p)]), haa: flat[p * p + 2 * p],
                hal: flat[p * p + 2 * p + 1], hll: flat[p * p + 2 * p + 2])
    }

    /// ∂²/∂β∂βᵀ, p × p column-major, full.
    var hbb: [Double]
    /// ∂²/∂β∂α and ∂²/∂β∂λ.
    var hba: [Double], hbl: [Double]
    /// Σ∂²ρ/∂α², Σ∂²ρ/∂α∂λ (0 unless α is free) and Σ∂²ρ/∂λ².
    var haa: Double, hal: Double, hll: Double
  }

  /// Accumulates the row sums per chunk of rows (on all cores; ``ParallelChunks``): ψ′ xxᵀ/c² by the
  /// weighted Gram kernel in tiles, the β–α and β–λ columns, and the (α, λ) sums; then adds the chunks
  /// in chunk order.
  static func accumulate(design: DesignMatrix, residuals: [Double], alpha: Double, scale c: Double,
                         alphaFree: Bool, weights: [Double]? = nil) -> Sums {
    // Rows multiplied by their case weights (1 without them).
    let rowWeights = weights ?? []
    let n = design.rows, p = design.columns
    let loss = BarronLoss(alpha: alpha)
    let shape = BarronShapeDerivatives(alpha: alpha)
    let chunks = ParallelChunks.observedInformation(rows: n)
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
        ParallelChunks.perform(chunks) { chunk in
          let weighted = !rowWeights.isEmpty
          let base = slots + chunk * stride
          let hbb = base, hba = base + p * p, hbl = hba + p, sums = hbl + p
          let curvature = sums + 3, cross = curvature + tileRows, scaleCross = cross + tileRows
          var haa = 0.0, hal = 0.0, hll = 0.0
          let rows = ParallelChunks.rows(of: chunk, chunks: chunks, total: n)
          var start = rows.lowerBound
          let end = rows.upperBound
          while start < end {
            let m = min(tileRows, end - start)
            for k in 0..<m {
              let u = r[start + k] / c
              let w = weighted ? rowWeights[start + k] : 1
              let slope = loss.psiDerivative(u)
              curvature[k] = w * slope / (c * c)
              let values = shape.values(u: u)
              cross[k] = u == 0 ? 0 : w * values.dAlphaLogScale / (u * c)  // −u·w·h/(2c)
              scaleCross[k] = w * (slope * u + u * values.weight) / c  // (ψ′u + ψ)/c, ψ = u·w
              if alphaFree {
                haa += w * values.dAlphaAlpha
                hal += w * values.dAlphaLogScale
              }
              hll += w * values.dLogScaleLogScale
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
      }
    }
    return reduce(UnsafePointer(slots), chunks: chunks, stride: stride, columns: p)
  }

  /// The chunks' partial sums (each `stride` apart, laid out as ``accumulate`` writes them) added in
  /// chunk order, and ∂²/∂β∂βᵀ mirrored from its upper triangle.
  private static func reduce(_ partial: UnsafePointer<Double>, chunks: Int, stride: Int, columns p: Int) -> Sums {
    var total = Sums(hbb: [Double](repeating: 0, count: p * p), hba: [Double](repeating: 0, count: p),
                     hbl: [Double](repeating: 0, count: p), haa: 0, hal: 0, hll: 0)
    for chunk in 0..<chunks {
      let base = partial + chunk * stride
      UpperTriangle.add(base, leadingDimension: p, into: &total.hbb, order: p)
      for j in 0..<p {
        total.hba[j] += base[p * p + j]
        total.hbl[j] += base[p * p + p + j]
      }
      total.haa += base[p * p + 2 * p]
      total.hal += base[p * p + 2 * p + 1]
      total.hll += base[p * p + 2 * p + 2]
    }
    UpperTriangle.mirror(&total.hbb, order: p)
    return total
  }

  /// The observed information over the free parameters, β, then α (when free), then λ (when free):
  /// a `size` × `size` column-major matrix, with the indices of α and λ in it.
  private static func assemble(_ sums: Sums, columns p: Int, alphaFree: Bool, scaleFree: Bool)
    -> (matrix: [Double], size: Int, alphaIndex: Int?, scaleIndex: Int?) {
    let size = p + (alphaFree ? 1 : 0) + (scaleFree ? 1 : 0)
    var h = [Double](repeating: 0, count: size * size)
    for a in 0..<p { for b in 0..<p { h[b * size + a] = sums.hbb[b * p + a] } }
    var next = p
    var alphaIndex: Int?, scaleIndex: Int?
    if alphaFree {
      alphaIndex = next
      for j in 0..<p { h[next * size + j] = sums.hba[j]; h[j * size + next] = sums.hba[j] }
      h[next * size + next] = sums.haa
      next += 1
    }
    if scaleFree {
      scaleIndex = next
      for j in 0..<p { h[next * size + j] = sums.hbl[j]; h[j * size + next] = sums.hbl[j] }
      h[next * size + next] = sums.hll
      if let a = alphaIndex { h[next * size + a] = sums.hal; h[a * size + next] = sums.hal }
    }
    return (h, size, alphaIndex, scaleIndex)
  }

  /// The inverse of the symmetric `h` (order `size`) by Cholesky; nil when `h` is not finite or not
  /// positive definite.
  private static func invert(_ h: [Double], order size: Int) -> [Double]? {
    guard h.allSatisfy(\.isFinite) else { return nil }
    var factor = h
    guard (try? LAPACK.choleskyFactor(&factor, order: size)) == true else { return nil }
    return try? LAPACK.choleskyInverse(factor, order: size)
  }
}
