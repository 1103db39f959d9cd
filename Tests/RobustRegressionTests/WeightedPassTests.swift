import Testing
@testable import RobustRegression

/// The fused pass (register-tiled Gram kernel, dsyrk above 24 columns, two-lane Huber weights,
/// median window) against plain loops over the rows.
@Suite("Fused weighted pass against plain loops")
struct WeightedPassTests {
  /// Intercept plus p − 1 columns of uniform(−2, 2) values, y = X·β + noise with some large values,
  /// and a β near the truth, all from a fixed SplitMix64 stream.
  static func problem(rows n: Int, columns p: Int, seed: UInt64) throws -> (DesignMatrix, [Double], [Double]) {
    var random = SplitMix64(seed: seed)
    func uniform() -> Double { Double(random.next() >> 11) * 0x1p-53 * 4 - 2 }
    var predictors: [[Double]] = []
    for _ in 1..<p { predictors.append((0..<n).map { _ in uniform() }) }
    let design = try DesignMatrix(predictors: predictors, rows: n)
    let truth = (0..<p).map { Double($0 % 3) - 0.5 }
    var y = design.multiplied(by: truth)
    for i in 0..<n { y[i] += uniform() + (i % 7 == 0 ? 30 * uniform() : 0) }
    let beta = truth.map { $0 + 0.01 * uniform() }
    return (design, y, beta)
  }

  struct Reference {
    var residuals: [Double]
    var gram: [Double]
    var rhs: [Double]
    var objective: Double
  }

  static func reference<L: RobustLoss>(_ design: DesignMatrix, _ y: [Double], _ beta: [Double], loss: L,
                                       scale c: Double) -> Reference {
    let n = design.rows, p = design.columns
    var r = y
    for j in 0..<p { for i in 0..<n { r[i] -= beta[j] * design[i, j] } }
    var gram = [Double](repeating: 0, count: p * p), rhs = [Double](repeating: 0, count: p), objective = 0.0
    for i in 0..<n {
      let w = loss.weight(r[i] / c)
      objective += loss.rho(r[i] / c)
      for k in 0..<p {
        rhs[k] += w * design[i, k] * y[i]
        for j in 0...k { gram[k * p + j] += w * design[i, j] * design[i, k] }
      }
    }
    return Reference(residuals: r, gram: gram, rhs: rhs, objective: objective)
  }

  static func close(_ a: Double, _ b: Double, scale: Double, tolerance: Double = 1e-12) -> Bool {
    abs(a - b) <= tolerance * max(scale, .leastNormalMagnitude)
  }

  static let shapes: [(Int, Int)] = [
    (7, 1), (9, 2), (513, 3), (1000, 4), (4099, 5), (2001, 8), (5000, 11), (3001, 23), (2500, 24), (1500, 30),
    (300_000, 10),
  ]

  @Test("XᵀWX, XᵀWy, Σρ, residuals and weights match plain loops (Huber, Cauchy, Tukey)",
        arguments: shapes)
  func matchesPlainLoops(shape: (Int, Int)) throws {
    let (n, p) = shape
    let (design, y, beta) = try Self.problem(rows: n, columns: p, seed: UInt64(n * 100 + p))
    let pass = WeightedPass(design: design, response: y)
    func check<L: RobustLoss>(_ loss: L, _ name: String, c: Double) {
      pass.run(beta: beta, loss: loss, scale: c)
      let expected = Self.reference(design, y, beta, loss: loss, scale: c)
      var gramScale = 0.0
      for k in 0..<p { gramScale = max(gramScale, abs(expected.gram[k * p + k])) }
      for k in 0..<p {
        for j in 0...k {
          #expect(Self.close(pass.gram[k * p + j], expected.gram[k * p + j], scale: gramScale),
                  "\(name) n=\(n) p=\(p) G[\(j),\(k)]: \(pass.gram[k * p + j]) vs \(expected.gram[k * p + j])")
        }
      }
      let rhsScale = expected.rhs.map { abs($0) }.max()! + gramScale
      for k in 0..<p {
        #expect(Self.close(pass.rhs[k], expected.rhs[k], scale: rhsScale), "\(name) n=\(n) p=\(p) h[\(k)]")
      }
      #expect(Self.close(pass.objective, expected.objective, scale: abs(expected.objective)),
              "\(name) n=\(n) p=\(p) objective \(pass.objective) vs \(expected.objective)")
      let yScale = y.map { abs($0) }.max()!
      let weights = pass.weights
      for i in 0..<n {
        #expect(Self.close(pass.residuals[i], expected.residuals[i], scale: yScale, tolerance: 1e-14))
        #expect(weights[i] == loss.weight(pass.residuals[i] * (1 / c)))
      }
    }
    check(HuberLoss(), "huber", c: 1.3)
    check(BarronLoss(alpha: 0), "cauchy", c: 0.8)
    check(TukeyBiweightLoss(), "tukey", c: 4.685)
  }

  @Test("The median window gives the same median(|r|) as a selection over all rows, or nil when it misses",
        arguments: [(9, 2), (10, 2), (4099, 5), (300_001, 10), (300_000, 30)])
  func medianWindow(shape: (Int, Int)) throws {
    let (n, p) = shape
    let (design, y, beta) = try Self.problem(rows: n, columns: p, seed: UInt64(7 * n + p))
    let pass = WeightedPass(design: design, response: y)
    pass.run(beta: beta, loss: HuberLoss(), scale: 1)
    let expected = Selection.madScale(of: Array(pass.residuals)) * Selection.madConsistency
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    // The middle order statistics (one for odd n, two for even n): a window must hold them all.
    let sorted = pass.residuals.map { abs($0) }.sorted()
    let middles = n % 2 == 1 ? [sorted[n / 2]] : [sorted[n / 2 - 1], sorted[n / 2]]
    for width in [0.5, 0.1, 0.01, 1e-6] {
      let window = WeightedPass.MedianWindow(lower: expected * (1 - width), upper: expected * (1 + width))
      let holds = middles.allSatisfy { $0 >= window.lower && $0 <= window.upper }
      pass.run(beta: beta, loss: HuberLoss(), scale: 1, medianWindow: window, selection: scratch)
      #expect(pass.medianAbsoluteResidual(scratch: scratch) == (holds ? expected : nil), "n=\(n) width \(width)")
      pass.sweepResiduals(beta: beta, medianWindow: window, selection: scratch)
      #expect(pass.medianAbsoluteResidual(scratch: scratch) == (holds ? expected : nil),
              "sweep, n=\(n) width \(width)")
      if width >= 0.1 { #expect(holds, "n=\(n): a window of ±\(width) should hold the middle") }
    }
    // A window entirely above the median: no answer, and the next call without a new pass has none either.
    let high = WeightedPass.MedianWindow(lower: expected * 1.5, upper: expected * 2)
    pass.sweepResiduals(beta: beta, medianWindow: high, selection: scratch)
    #expect(pass.medianAbsoluteResidual(scratch: scratch) == nil)
    #expect(pass.medianAbsoluteResidual(scratch: scratch) == nil)
  }

  @Test("The light sweep leaves the same residuals as the full pass")
  func sweepResiduals() throws {
    let (design, y, beta) = try Self.problem(rows: 10_007, columns: 6, seed: 11)
    let pass = WeightedPass(design: design, response: y)
    pass.run(beta: beta, loss: HuberLoss(), scale: 1)
    let full = Array(pass.residuals)
    pass.run(beta: beta.map { $0 + 1 }, loss: HuberLoss(), scale: 1)
    pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
    #expect(Array(pass.residuals) == full)
  }

  /// The adaptive fit's (α, c) step takes its first Newton step from the derivative sums of the pass
  /// (`run(shape:)`): they must equal sums of `BarronShapeDerivatives.values` over the pass's residuals
  /// written out here, and `ShapeScaleProblem.local(sums:)` the separate evaluation `local(alpha:scale:)`;
  /// the pass's XᵀWX must be the one of `BarronLoss`'s weights. Several chunks (n·p ≥ 2·262144) and the
  /// dsyrk path (p = 26).
  @Test("The fused pass's shape-derivative sums equal the separate ones", arguments: [
    (3000, 3), (200_000, 6), (30_000, 26),
  ])
  func shapeSums(rows n: Int, columns p: Int) throws {
    let (design, y, beta) = try Self.problem(rows: n, columns: p, seed: UInt64(n + p))
    for alpha in [0.0, 0.5, 1.5, 3] {
      let loss = BarronLoss(alpha: alpha), shape = BarronShapeDerivatives(alpha: alpha), c = 0.8
      let plain = WeightedPass(design: design, response: y)
      plain.run(beta: beta, loss: loss, scale: c)
      let pass = WeightedPass(design: design, response: y)
      pass.run(beta: beta, loss: loss, scale: c, shape: shape)
      let sums = try #require(pass.shapeSums)
      var expected = [Double](repeating: 0, count: 6), size = [Double](repeating: 0, count: 6)
      for i in 0..<n {
        let u = pass.residuals[i] / c
        let v = shape.values(z: u * u)
        let terms = [v.rho, v.dAlpha, v.dAlphaAlpha, v.dLogScale, v.dLogScaleLogScale, v.dAlphaLogScale]
        for k in 0..<6 {
          expected[k] += terms[k]
          size[k] += abs(terms[k])
        }
      }
      for k in 0..<6 {
        #expect(abs(sums[k] - expected[k]) <= 1e-12 * size[k], "α = \(alpha), sum \(k): \(sums[k]) vs \(expected[k])")
      }
      #expect(abs(pass.objective - plain.objective) <= 1e-12 * abs(plain.objective))
      for k in 0..<(p * p) where k % p <= k / p {
        #expect(abs(pass.gram[k] - plain.gram[k]) <= 1e-12 * max(1, abs(plain.gram[k])), "α = \(alpha), G[\(k)]")
      }
      let problem = ShapeScaleProblem(residuals: UnsafeBufferPointer(pass.residuals), alphaRange: 0...4,
                                      scaleFloor: 1e-9)
      let fused = problem.local(sums: sums, alpha: alpha, scale: c), separate = try problem.local(alpha: alpha, scale: c)
      let pairs = [(fused.value, separate.value), (fused.gradient.alpha, separate.gradient.alpha),
                   (fused.gradient.logScale, separate.gradient.logScale), (fused.hessian.aa, separate.hessian.aa),
                   (fused.hessian.al, separate.hessian.al), (fused.hessian.ll, separate.hessian.ll)]
      for (a, b) in pairs { #expect(abs(a - b) <= 1e-11 * max(1, abs(b)), "α = \(alpha): \(a) vs \(b)") }
    }
  }
}
