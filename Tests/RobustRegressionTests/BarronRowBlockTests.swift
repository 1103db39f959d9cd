import CKernels
import Foundation
import Testing
@testable import RobustRegression

/// Barron's rows with their transcendental terms from the 4-lane kernel (``BarronRowBlock``, `rf_barron_terms`)
/// against the scalar code (``BarronShapeDerivatives/values(u:)``, ``BarronShapeDerivatives/scaleValues(u:)``)
/// over a grid of α (the special values 0, 1 and near 2 among them) and u (0, tiny, huge, u² overflowing, NaN):
/// the same libm calls and operations, so every value is the scalar code's bit for bit (0 ulp), and so are
/// a pass's sums.
@Suite("Barron's rows four at a time")
struct BarronRowBlockTests {
  static let alphas: [Double] = [0, 1e-300, 1e-9, 1e-4, 0.3, 0.5, 0.999, 1, 1 + 1e-12, 1.5, 2 - 1e-9, 2 + 1e-9, 3, 9, 1e6]
  static let residuals: [Double] = [0, 1e-300, -1e-160, 1e-12, -1e-6, 0.05, -0.4, 0.9, 1, -1.7, 2.2, -6, 30, -250, 1e3,
                                    -1e8, 1e20, 1e100, 1e160, -1e200, .infinity, -.infinity, .nan]

  /// The kernel's values for `residuals` at scale `c` (nil where the kernel is not available).
  static func blockValues(_ shape: BarronShapeDerivatives, _ r: [Double], scale c: Double)
    -> [(BarronShapeDerivatives.Values, BarronShapeDerivatives.ScaleValues)]? {
    var full: [BarronShapeDerivatives.Values] = [], scaled: [BarronShapeDerivatives.ScaleValues] = []
    let inverse = 1 / c
    let ran = r.withUnsafeBufferPointer { buffer in
      BarronRowBlock.forEachRow(buffer.baseAddress!, count: r.count, inverseScale: inverse, shape: shape, jets: true) {
        i, terms in full.append(shape.values(u: buffer[i] * inverse, terms: terms))
      } && BarronRowBlock.forEachRow(buffer.baseAddress!, count: r.count, inverseScale: inverse, shape: shape,
                                     jets: false) { i, terms in
        scaled.append(shape.scaleValues(u: buffer[i] * inverse, terms: terms))
      }
    }
    return ran ? Array(zip(full, scaled)) : nil
  }

  /// The same double (any NaN for NaN).
  static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

  @Test("Each row's values are the scalar code's, bit for bit", arguments: alphas)
  func matchesScalar(alpha: Double) throws {
    let shape = BarronShapeDerivatives(alpha: alpha)
    // Every residual in each position of a 4-row group and in the tail (counts 1…residuals.count).
    for rotation in 0..<4 {
      let r = Array(Self.residuals[rotation...] + Self.residuals[..<rotation])
      guard let block = Self.blockValues(shape, r, scale: 0.7) else { return }  // no kernel here
      for (i, (full, scaled)) in block.enumerated() {
        let u = r[i] * (1 / 0.7), v = shape.values(u: u), s = shape.scaleValues(u: u)  // the pass's u: r times 1/c
        let label = "α = \(alpha), u = \(u)"
        #expect(Self.same(full.rho, v.rho), "\(label): ρ \(full.rho) vs \(v.rho)")
        #expect(Self.same(full.weight, v.weight), "\(label): w \(full.weight) vs \(v.weight)")
        #expect(Self.same(full.dLogScale, v.dLogScale), "\(label): ∂ρ/∂λ")
        #expect(Self.same(full.dLogScaleLogScale, v.dLogScaleLogScale), "\(label): ∂²ρ/∂λ²")
        #expect(Self.same(full.dAlpha, v.dAlpha), "\(label): ∂ρ/∂α \(full.dAlpha) vs \(v.dAlpha)")
        #expect(Self.same(full.dAlphaAlpha, v.dAlphaAlpha), "\(label): ∂²ρ/∂α² \(full.dAlphaAlpha) vs \(v.dAlphaAlpha)")
        #expect(Self.same(full.dAlphaLogScale, v.dAlphaLogScale), "\(label): ∂²ρ/∂α∂λ")
        // The profiled rows are the full rows' ρ, w and λ-derivatives bit for bit, as in the scalar code.
        #expect(Self.same(scaled.rho, s.rho) && Self.same(scaled.weight, s.weight), "\(label): profiled ρ, w")
        #expect(Self.same(scaled.dLogScale, s.dLogScale) && Self.same(scaled.dLogScaleLogScale, s.dLogScaleLogScale),
                "\(label): profiled λ-derivatives")
      }
    }
  }

  @Test("φ and its jet from the kernel are the scalar series and closed forms, bit for bit",
        arguments: [1e-9, 0.3, 0.5, 0.999, 1])
  func seriesBitForBit(alpha: Double) throws {
    // u such that x = α·log1p(u²/b)/2 covers (−1, 1) and beyond; x is formed from the kernel's own ℓ.
    let shape = BarronShapeDerivatives(alpha: alpha)
    let r: [Double] = (0..<200).map { k in Double(k) * 0.05 } + [1e3, 1e6, 1e12, 1e30]
    var terms: [BarronRowBlock.Terms] = []
    let ran = r.withUnsafeBufferPointer { buffer in
      BarronRowBlock.forEachRow(buffer.baseAddress!, count: r.count, inverseScale: 1, shape: shape, jets: true) { _, t in
        terms.append(t)
      }
    }
    guard ran else { return }
    for t in terms {
      let x = alpha * t.l / 2, jet = expMinusOneOverXJet(x)
      // The series for |x| < 1, the closed forms beyond.
      #expect(Self.same(t.f0, jet.0) && Self.same(t.f1, jet.1) && Self.same(t.f2, jet.2), "x = \(x)")
    }
  }

  @Test("The passes' sums with the kernel are the scalar sums, bit for bit", arguments: [0.0, 0.5, 1, 1.5, 3])
  func passSums(alpha: Double) throws {
    let (design, y, beta) = try WeightedPassTests.problem(rows: 3001, columns: 3, seed: 11)
    let shape = BarronShapeDerivatives(alpha: alpha), loss = BarronLoss(alpha: alpha), c = 0.8
    // 3001 rows in one chunk: the scalar sum below adds them in the pass's order.
    let pass = WeightedPass(design: design, response: y, chunks: 1)
    pass.run(beta: beta, loss: loss, scale: c, shape: shape)
    let sums = try #require(pass.shapeSums)
    var scalar = BarronShapeDerivatives.Sums()
    for r in pass.residuals { scalar.add(shape.values(u: r * (1 / c))) }  // the pass's u: r times 1/c
    for (k, reference) in scalar.array.enumerated() {
      #expect(Self.same(sums[k], reference), "α = \(alpha), sum \(k): \(sums[k]) vs \(reference)")
    }
    // The profiled pass (ρ and the λ sums alone) too.
    let profiled = WeightedPass(design: design, response: y, chunks: 1)
    profiled.runProfiled(beta: beta, loss: loss, scale: c, shape: shape)
    let scaleSums = try #require(profiled.shapeSums)
    for k in [0, 3, 4] {
      #expect(Self.same(scaleSums[k], scalar.array[k]), "α = \(alpha), profiled sum \(k): \(scaleSums[k]) vs \(scalar.array[k])")
    }
  }
}
