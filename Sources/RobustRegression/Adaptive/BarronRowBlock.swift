import CKernels

/// Barron's rows of a fused pass with their transcendental terms (log1p, exp, φ's series or expm1) from the
/// C kernel `rf_barron_terms` (Sources/CKernels: φ's series four rows at a time, libm's calls lane by lane),
/// and the rest of each row by the scalar formulas (``BarronShapeDerivatives/values(z:y:l:w:factor:)``,
/// ``BarronShapeDerivatives/scaleValues(z:l:w:factor:)``), row by row in order: the same doubles as the
/// scalar code, and the sums added in the same order. Rows whose u² overflows go through the scalar code
/// (``BarronShapeDerivatives/values(u:)``). Where the kernel is not available (not x86-64, no AVX2/FMA)
/// and at α = 2 or +∞ (closed forms without those terms), the callers keep the scalar code.
enum BarronRowBlock {
  /// Rows per call of the kernel: its five outputs then take 960 bytes, which
  /// `withUnsafeTemporaryAllocation` keeps on the stack (above 1 KiB it may ask the runtime, or the heap).
  static let tileRows = 24

  /// Whether the kernel serves `shape`'s α (α ∉ {2, +∞}; the processor is checked by the kernel itself).
  @inline(__always) static func serves(_ shape: BarronShapeDerivatives) -> Bool {
    shape.alpha != 2 && shape.alpha != .infinity
  }

  /// Calls `row(i, terms)` for i in 0..<m in order, the terms of uᵢ = r[i]·inverseScale from the kernel
  /// (`jets`: φ′ and φ″ too). Returns false, having called nothing, where the kernel is not available.
  @inline(__always)
  static func forEachRow(_ r: UnsafePointer<Double>, count m: Int, inverseScale: Double,
                         shape: BarronShapeDerivatives, jets: Bool,
                         _ row: (Int, Terms) -> Void) -> Bool {
    var parameters = rf_barron_shape(alpha: shape.alpha, b: shape.b, s: shape.s, inverse_b: shape.inverseB)
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * tileRows) { buffer in
      let l = buffer.baseAddress!, w = l + tileRows, f0 = w + tileRows, f1 = f0 + tileRows, f2 = f1 + tileRows
      var first = 0
      while first < m {
        let t = min(tileRows, m - first)
        guard rf_barron_terms(r + first, t, inverseScale, &parameters, jets ? 1 : 0, l, w, f0, f1, f2) != 0 else {
          return false
        }
        for k in 0..<t {
          row(first + k, Terms(l: l[k], w: w[k], f0: f0[k], f1: jets ? f1[k] : 0, f2: jets ? f2[k] : 0))
        }
        first += t
      }
      return true
    }
  }

  /// One row's terms from the kernel: ℓ = log(1 + u²/b), the weight, and ρ's factor with (jets) its two
  /// derivatives (``BarronShapeDerivatives/factor(logOnePlus:derivatives:)``).
  struct Terms {
    var l: Double, w: Double, f0: Double, f1: Double, f2: Double
  }
}

extension BarronShapeDerivatives {
  /// ``values(u:)`` at u from the kernel's `terms` (the scalar code where u² overflows).
  @inline(__always) func values(u: Double, terms: BarronRowBlock.Terms) -> Values {
    let z = u * u
    guard z.isFinite else { return values(u: u) }
    return values(z: z, y: z * inverseB, l: terms.l, w: terms.w, factor: (terms.f0, terms.f1, terms.f2))
  }

  /// ``scaleValues(u:)`` at u from the kernel's `terms` (the scalar code where u² overflows).
  @inline(__always) func scaleValues(u: Double, terms: BarronRowBlock.Terms) -> ScaleValues {
    let z = u * u
    guard z.isFinite else { return scaleValues(u: u) }
    return scaleValues(z: z, l: terms.l, w: terms.w, factor: terms.f0)
  }
}
