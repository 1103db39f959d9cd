/// The Gram kernel of the fused pass: adds the upper triangle of AᵀA to G for a small block A that is
/// already in cache (m rows × q columns, column-major), for the small q of regression designs.
///
/// OpenBLAS's `dsyrk` on such a block spends about as long packing A as multiplying, and called from
/// several threads at once it wakes its own thread pool per call; this kernel reads A in place. G is
/// cut into register tiles whose accumulators (`SIMD2`, two rows at a time) stay in the 16 vector
/// registers of baseline x86-64: 4×4 symmetric tiles on the diagonal (10 accumulators), 4×2 and 4×1
/// tiles beside them, and a symmetric 1–3 tile for the last columns, so no entry below the diagonal
/// is computed. Every entry is a sum over the rows in a fixed order (two interleaved lanes, then the
/// odd last row): the result depends only on A.
enum GramKernel {
  /// g[k·ldg + j] += Σᵢ a[j·lda + i]·a[k·lda + i] for 0 ≤ j ≤ k < q.
  @inline(never)
  static func accumulateUpper(_ a: UnsafePointer<Double>, rows m: Int, leading lda: Int, columns q: Int,
                              into g: UnsafeMutablePointer<Double>, leading ldg: Int) {
    guard m > 0 else { return }
    var jb = 0
    while jb < q {
      let width = min(4, q - jb)
      switch width {
      case 4: symmetric4(a, m, lda, jb, g, ldg)
      case 3: symmetric3(a, m, lda, jb, g, ldg)
      case 2: symmetric2(a, m, lda, jb, g, ldg)
      default: symmetric1(a, m, lda, jb, g, ldg)
      }
      if width == 4 {
        var kb = jb + 4
        while kb + 2 <= q {
          tile4x2(a, m, lda, jb, kb, g, ldg)
          kb += 2
        }
        if kb < q { tile4x1(a, m, lda, jb, kb, g, ldg) }
      }
      jb += width
    }
  }

  @inline(__always)
  private static func load(_ column: UnsafePointer<Double>, _ i: Int) -> SIMD2<Double> {
    UnsafeRawPointer(column + i).loadUnaligned(as: SIMD2<Double>.self)
  }

  /// Rows handled two at a time; the last row of an odd m separately.
  @inline(__always)
  private static func pairs(_ m: Int) -> Int { m & ~1 }

  private static func symmetric4(_ a: UnsafePointer<Double>, _ m: Int, _ lda: Int, _ jb: Int,
                                 _ g: UnsafeMutablePointer<Double>, _ ldg: Int) {
    let c0 = a + jb * lda, c1 = c0 + lda, c2 = c1 + lda, c3 = c2 + lda
    var s00 = SIMD2<Double>(), s01 = SIMD2<Double>(), s02 = SIMD2<Double>(), s03 = SIMD2<Double>()
    var s11 = SIMD2<Double>(), s12 = SIMD2<Double>(), s13 = SIMD2<Double>()
    var s22 = SIMD2<Double>(), s23 = SIMD2<Double>(), s33 = SIMD2<Double>()
    var i = 0
    let end = pairs(m)
    while i < end {
      let x0 = load(c0, i), x1 = load(c1, i), x2 = load(c2, i), x3 = load(c3, i)
      s00 += x0 * x0; s01 += x0 * x1; s02 += x0 * x2; s03 += x0 * x3
      s11 += x1 * x1; s12 += x1 * x2; s13 += x1 * x3
      s22 += x2 * x2; s23 += x2 * x3
      s33 += x3 * x3
      i += 2
    }
    var t00 = s00.sum(), t01 = s01.sum(), t02 = s02.sum(), t03 = s03.sum()
    var t11 = s11.sum(), t12 = s12.sum(), t13 = s13.sum()
    var t22 = s22.sum(), t23 = s23.sum(), t33 = s33.sum()
    if end < m {
      let x0 = c0[end], x1 = c1[end], x2 = c2[end], x3 = c3[end]
      t00 += x0 * x0; t01 += x0 * x1; t02 += x0 * x2; t03 += x0 * x3
      t11 += x1 * x1; t12 += x1 * x2; t13 += x1 * x3
      t22 += x2 * x2; t23 += x2 * x3
      t33 += x3 * x3
    }
    let g0 = g + jb * ldg + jb, g1 = g0 + ldg, g2 = g1 + ldg, g3 = g2 + ldg
    g0[0] += t00
    g1[0] += t01; g1[1] += t11
    g2[0] += t02; g2[1] += t12; g2[2] += t22
    g3[0] += t03; g3[1] += t13; g3[2] += t23; g3[3] += t33
  }

  private static func symmetric3(_ a: UnsafePointer<Double>, _ m: Int, _ lda: Int, _ jb: Int,
                                 _ g: UnsafeMutablePointer<Double>, _ ldg: Int) {
    let c0 = a + jb * lda, c1 = c0 + lda, c2 = c1 + lda
    var s00 = SIMD2<Double>(), s01 = SIMD2<Double>(), s02 = SIMD2<Double>()
    var s11 = SIMD2<Double>(), s12 = SIMD2<Double>(), s22 = SIMD2<Double>()
    var i = 0
    let end = pairs(m)
    while i < end {
      let x0 = load(c0, i), x1 = load(c1, i), x2 = load(c2, i)
      s00 += x0 * x0; s01 += x0 * x1; s02 += x0 * x2
      s11 += x1 * x1; s12 += x1 * x2
      s22 += x2 * x2
      i += 2
    }
    var t00 = s00.sum(), t01 = s01.sum(), t02 = s02.sum(), t11 = s11.sum(), t12 = s12.sum(), t22 = s22.sum()
    if end < m {
      let x0 = c0[end], x1 = c1[end], x2 = c2[end]
      t00 += x0 * x0; t01 += x0 * x1; t02 += x0 * x2
      t11 += x1 * x1; t12 += x1 * x2
      t22 += x2 * x2
    }
    let g0 = g + jb * ldg + jb, g1 = g0 + ldg, g2 = g1 + ldg
    g0[0] += t00
    g1[0] += t01; g1[1] += t11
    g2[0] += t02; g2[1] += t12; g2[2] += t22
  }

  private static func symmetric2(_ a: UnsafePointer<Double>, _ m: Int, _ lda: Int, _ jb: Int,
                                 _ g: UnsafeMutablePointer<Double>, _ ldg: Int) {
    let c0 = a + jb * lda, c1 = c0 + lda
    var s00 = SIMD2<Double>(), s01 = SIMD2<Double>(), s11 = SIMD2<Double>()
    var i = 0
    let end = pairs(m)
    while i < end {
      let x0 = load(c0, i), x1 = load(c1, i)
      s00 += x0 * x0; s01 += x0 * x1; s11 += x1 * x1
      i += 2
    }
    var t00 = s00.sum(), t01 = s01.sum(), t11 = s11.sum()
    if end < m {
      let x0 = c0[end], x1 = c1[end]
      t00 += x0 * x0; t01 += x0 * x1; t11 += x1 * x1
    }
    let g0 = g + jb * ldg + jb, g1 = g0 + ldg
    g0[0] += t00
    g1[0] += t01; g1[1] += t11
  }

  private static func symmetric1(_ a: UnsafePointer<Double>, _ m: Int, _ lda: Int, _ jb: Int,
                                 _ g: UnsafeMutablePointer<Double>, _ ldg: Int) {
    let c0 = a + jb * lda
    var s0 = SIMD2<Double>(), s1 = SIMD2<Double>()
    var i = 0
    let end = m & ~3
    while i < end {
      let x0 = load(c0, i), x1 = load(c0, i + 2)
      s0 += x0 * x0; s1 += x1 * x1
      i += 4
    }
    var t = (s0 + s1).sum()
    while i < m {
      t += c0[i] * c0[i]
      i += 1
    }
    g[jb * ldg + jb] += t
  }

  /// G[jb..<jb+4, kb..<kb+2] (kb ≥ jb + 4: wholly above the diagonal).
  private static func tile4x2(_ a: UnsafePointer<Double>, _ m: Int, _ lda: Int, _ jb: Int, _ kb: Int,
                              _ g: UnsafeMutablePointer<Double>, _ ldg: Int) {
    let c0 = a + jb * lda, c1 = c0 + lda, c2 = c1 + lda, c3 = c2 + lda
    let d0 = a + kb * lda, d1 = d0 + lda
    var s00 = SIMD2<Double>(), s10 = SIMD2<Double>(), s20 = SIMD2<Double>(), s30 = SIMD2<Double>()
    var s01 = SIMD2<Double>(), s11 = SIMD2<Double>(), s21 = SIMD2<Double>(), s31 = SIMD2<Double>()
    var i = 0
    let end = pairs(m)
    while i < end {
      let y0 = load(d0, i), y1 = load(d1, i)
      let x0 = load(c0, i), x1 = load(c1, i), x2 = load(c2, i), x3 = load(c3, i)
      s00 += x0 * y0; s10 += x1 * y0; s20 += x2 * y0; s30 += x3 * y0
      s01 += x0 * y1; s11 += x1 * y1; s21 += x2 * y1; s31 += x3 * y1
      i += 2
    }
    var t00 = s00.sum(), t10 = s10.sum(), t20 = s20.sum(), t30 = s30.sum()
    var t01 = s01.sum(), t11 = s11.sum(), t21 = s21.sum(), t31 = s31.sum()
    if end < m {
      let y0 = d0[end], y1 = d1[end]
      let x0 = c0[end], x1 = c1[end], x2 = c2[end], x3 = c3[end]
      t00 += x0 * y0; t10 += x1 * y0; t20 += x2 * y0; t30 += x3 * y0
      t01 += x0 * y1; t11 += x1 * y1; t21 += x2 * y1; t31 += x3 * y1
    }
    let g0 = g + kb * ldg + jb, g1 = g0 + ldg
    g0[0] += t00; g0[1] += t10; g0[2] += t20; g0[3] += t30
    g1[0] += t01; g1[1] += t11; g1[2] += t21; g1[3] += t31
  }

  /// G[jb..<jb+4, kb] (kb ≥ jb + 4).
  private static func tile4x1(_ a: UnsafePointer<Double>, _ m: Int, _ lda: Int, _ jb: Int, _ kb: Int,
                              _ g: UnsafeMutablePointer<Double>, _ ldg: Int) {
    let c0 = a + jb * lda, c1 = c0 + lda, c2 = c1 + lda, c3 = c2 + lda
    let d0 = a + kb * lda
    var s0 = SIMD2<Double>(), s1 = SIMD2<Double>(), s2 = SIMD2<Double>(), s3 = SIMD2<Double>()
    var i = 0
    let end = pairs(m)
    while i < end {
      let y = load(d0, i)
      s0 += load(c0, i) * y; s1 += load(c1, i) * y; s2 += load(c2, i) * y; s3 += load(c3, i) * y
      i += 2
    }
    var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
    if end < m {
      let y = d0[end]
      t0 += c0[end] * y; t1 += c1[end] * y; t2 += c2[end] * y; t3 += c3[end] * y
    }
    let g0 = g + kb * ldg + jb
    g0[0] += t0; g0[1] += t1; g0[2] += t2; g0[3] += t3
  }
}
