import Foundation
import Testing
@testable import RobustRegression

/// Huber's one-read iteration (``WeightedPass/splitSweep(beta:medianWindow:selection:lower:upper:)`` then
/// ``WeightedPass/finishSplit(scale:loss:)``) against the fused pass `run` at the same (β, c) and against
/// compensated sums over the rows; its refusals (c outside the band, band rows overflowing); and a Huber
/// fit with MAD scale against IRLS written out as statsmodels' RLM does it.
@Suite("Huber's one-read iteration against the fused pass")
struct HuberSplitTests {
  /// Φ⁻¹(3/4) (scipy.stats.norm.ppf(0.75)): statsmodels' MAD normalisation.
  static let gaussianQuartile = 0.6744897501960817
  /// Huber's k (95 % efficiency at the Gaussian), the default of statsmodels' HuberT.
  static let huberK = 1.345

  /// Intercept plus p − 1 standard normal columns; y = X·β* + N(0, 1), with 10 % of the rows shifted
  /// by +20 … +50 (gross outliers, one side); β* = (1, −2, 0.5, 3, …).
  static func problem(rows n: Int, columns p: Int, seed: UInt64) -> (design: DesignMatrix, y: [Double],
                                                                        truth: [Double]) {
    var random = SplitMix64(seed: seed)
    func uniform() -> Double { (Double(random.next() >> 11) + 1) * 0x1p-53 }  // (0, 1]
    func normal() -> Double {
      // Box–Muller, one value per pair.
      let u = uniform(), v = uniform()
      return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
    var predictors: [[Double]] = []
    for _ in 1..<p { predictors.append((0..<n).map { _ in normal() }) }
    let design = DesignMatrix(predictors: predictors, rows: n)
    let truth = (0..<p).map { [1.0, -2, 0.5, 3][$0 % 4] * (1 + Double($0 / 4)) }
    var y = design.multiply(truth)
    for i in 0..<n {
      y[i] += normal()
      if uniform() < 0.1 { y[i] += 20 + 30 * uniform() }
    }
    return (design, y, truth)
  }

  /// The pass at (β, c) summed row by row with Neumaier's compensation, and for each entry the sum of
  /// the absolute values of its terms (the scale its rounding error is measured against).
  struct Reference {
    var residuals: [Double]
    var gram: [Double]
    var gramSize: [Double]
    var rhs: [Double]
    var rhsSize: [Double]
    var objective: Double
  }

  /// Neumaier's compensated running sum.
  struct Compensated {
    var sum = 0.0
    var compensation = 0.0
    mutating func add(_ x: Double) {
      let t = sum + x
      compensation += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
      sum = t
    }
    var value: Double { sum + compensation }
  }

  static func reference(_ design: DesignMatrix, _ y: [Double], beta: [Double], scale c: Double) -> Reference {
    let n = design.rows, p = design.columns
    var r = y
    for i in 0..<n { for j in 0..<p { r[i] -= beta[j] * design[i, j] } }
    var gram = [Compensated](repeating: Compensated(), count: p * p), gramSize = [Double](repeating: 0, count: p * p)
    var rhs = [Compensated](repeating: Compensated(), count: p), rhsSize = [Double](repeating: 0, count: p)
    var objective = Compensated()
    design.values.withUnsafeBufferPointer { x in
      for i in 0..<n {
        let u = abs(r[i]) / c
        // Huber: w = min(1, c/|r|), ρ = u²/2 or u − ½.
        let w = u <= 1 ? 1 : 1 / u
        objective.add(u <= 1 ? u * u / 2 : u - 0.5)
        for k in 0..<p {
          let wk = w * x[k * n + i]
          rhs[k].add(wk * y[i])
          rhsSize[k] += abs(wk * y[i])
          for j in 0...k {
            let term = wk * x[j * n + i]
            gram[k * p + j].add(term)
            gramSize[k * p + j] += abs(term)
          }
        }
      }
    }
    return Reference(residuals: r, gram: gram.map(\.value), gramSize: gramSize, rhs: rhs.map(\.value),
                     rhsSize: rhsSize, objective: objective.value)
  }

  /// median |rᵢ| by sorting.
  static func medianAbsolute(_ r: [Double]) -> Double {
    let a = r.map { abs($0) }.sorted(), n = a.count
    return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2
  }

  /// Compares the pass's XᵀWX (upper triangle), XᵀWy and Σρ with `expected`, each entry to 1e-12 of
  /// the sum of its terms' absolute values.
  static func expectMatches(_ pass: WeightedPass, _ expected: Reference, _ label: String,
                            tolerance: Double = 1e-12) {
    let p = pass.columns
    for k in 0..<p {
      for j in 0...k {
        let got = pass.gram[k * p + j], want = expected.gram[k * p + j]
        #expect(abs(got - want) <= tolerance * expected.gramSize[k * p + j],
                "\(label): G[\(j),\(k)] = \(got), expected \(want) (Σ|terms| \(expected.gramSize[k * p + j]))")
      }
      #expect(abs(pass.rhs[k] - expected.rhs[k]) <= tolerance * expected.rhsSize[k],
              "\(label): h[\(k)] = \(pass.rhs[k]), expected \(expected.rhs[k])")
    }
    #expect(abs(pass.objective - expected.objective) <= tolerance * abs(expected.objective),
            "\(label): Σρ = \(pass.objective), expected \(expected.objective)")
  }

  /// β near the truth (as after a few IRLS steps), c = k·MAD/Φ⁻¹(¾) of its residuals, the MAD window
  /// ±`width` around median|r| and the band it implies for c, as IRLS builds them.
  struct Iterate {
    var beta: [Double]
    var median: Double
    var c: Double
    var window: WeightedPass.MedianWindow
    var lower: Double
    var upper: Double
  }

  static func iterate(_ design: DesignMatrix, _ y: [Double], truth: [Double], width: Double,
                      shift: Double) -> Iterate {
    let beta = truth.enumerated().map { $0.element + shift * Double($0.offset % 3 - 1) }
    let r = zip(y, design.multiply(beta)).map { $0 - $1 }
    let median = medianAbsolute(r), c = huberK * median / gaussianQuartile
    return Iterate(beta: beta, median: median, c: c,
                   window: .init(lower: median * (1 - width), upper: median * (1 + width)),
                   lower: c * (1 - width), upper: c * (1 + width))
  }

  static let shapes: [(Int, Int)] = [(5_000, 3), (200_000, 6), (100_000, 12), (30_000, 23)]

  @Test("A finished split equals `run` at the same (β, c); weights and residuals bit for bit", arguments: shapes)
  func finishedSplitEqualsRun(shape: (Int, Int)) throws {
    let (n, p) = shape
    let (design, y, truth) = Self.problem(rows: n, columns: p, seed: UInt64(97 * n + p))
    let pass = WeightedPass(design: design, response: y), plain = WeightedPass(design: design, response: y)
    #expect(!pass.usesBLAS)
    if n * p >= 2 * 262_144 { #expect(pass.chunks >= 2, "n=\(n) p=\(p) should run in several chunks") }
    pass.prepareHuberSplit()
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    // Two iterations in a row on the same pass: the second must not see the first's sums or band.
    for (step, shift) in [0.01, 0.003].enumerated() {
      let it = Self.iterate(design, y, truth: truth, width: 1.0 / 64, shift: shift)
      let label = "n=\(n) p=\(p) step \(step)"
      pass.splitSweep(beta: it.beta, medianWindow: it.window, selection: scratch, lower: it.lower,
                      upper: it.upper)
      let median = try #require(pass.medianAbsoluteResidual(scratch: scratch), "\(label): the window missed")
      let sorted = Self.medianAbsolute(Array(pass.residuals))
      #expect(abs(median - sorted) <= 4 * Double.ulpOfOne * sorted, "\(label): MAD \(median), by sorting \(sorted)")
      let split = try #require(pass.split)
      let bandRows = (0..<split.chunks).reduce(0) { $0 + split.bandCounts[2 * $1] }
      #expect(bandRows > 0, "\(label): no row in the band, the band path is not exercised")
      #expect(pass.finishSplit(scale: it.c, loss: HuberLoss()), "\(label): c = \(it.c) in [\(it.lower), \(it.upper)]")
      plain.run(beta: it.beta, loss: HuberLoss(), scale: it.c)
      let expected = Self.reference(design, y, beta: it.beta, scale: it.c)
      Self.expectMatches(pass, expected, label + " split vs compensated")
      Self.expectMatches(plain, expected, label + " run vs compensated")
      // Split against run directly: the same sums in two orders.
      for k in 0..<p {
        for j in 0...k {
          #expect(abs(pass.gram[k * p + j] - plain.gram[k * p + j]) <= 1e-12 * expected.gramSize[k * p + j],
                  "\(label): G[\(j),\(k)] split \(pass.gram[k * p + j]) vs run \(plain.gram[k * p + j])")
        }
        #expect(abs(pass.rhs[k] - plain.rhs[k]) <= 1e-12 * expected.rhsSize[k],
                "\(label): h[\(k)] split \(pass.rhs[k]) vs run \(plain.rhs[k])")
      }
      #expect(abs(pass.objective - plain.objective) <= 1e-12 * plain.objective,
              "\(label): Σρ split \(pass.objective) vs run \(plain.objective)")
      #expect(Array(pass.residuals) == Array(plain.residuals), "\(label): residuals differ")
      let weights = pass.weights, plainWeights = plain.weights
      #expect(weights == plainWeights, "\(label): weights differ")
      #expect(weights.contains { $0 < 1 } && weights.contains { $0 == 1 }, "\(label): both kinds of rows")
      // Nothing left to finish.
      #expect(!pass.finishSplit(scale: it.c, loss: HuberLoss()), "\(label): a second finish must refuse")
    }
  }

  @Test("c outside the band: finish refuses and changes no sum; `run` then is right",
        arguments: [(5_000, 3), (200_000, 6)])
  func scaleOutsideTheBand(shape: (Int, Int)) {
    let (n, p) = shape
    let (design, y, truth) = Self.problem(rows: n, columns: p, seed: UInt64(13 * n + p))
    let pass = WeightedPass(design: design, response: y)
    pass.prepareHuberSplit()
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    let it = Self.iterate(design, y, truth: truth, width: 1.0 / 64, shift: 0.01)
    // Some earlier pass's results, which a refused finish must not touch.
    pass.run(beta: truth, loss: HuberLoss(), scale: 2.5)
    let gram = pass.gram, rhs = pass.rhs, objective = pass.objective
    for c in [it.upper * 1.01, it.lower * 0.99, it.upper.nextUp, -it.c] {
      pass.splitSweep(beta: it.beta, medianWindow: it.window, selection: scratch, lower: it.lower, upper: it.upper)
      #expect(!pass.finishSplit(scale: c, loss: HuberLoss()), "n=\(n) c = \(c) outside [\(it.lower), \(it.upper)]")
      #expect(pass.gram == gram && pass.rhs == rhs && pass.objective == objective,
              "n=\(n) c = \(c): a refused finish changed the pass's sums")
    }
    // The band's edges themselves are inside.
    for c in [it.lower, it.upper] {
      pass.splitSweep(beta: it.beta, medianWindow: it.window, selection: scratch, lower: it.lower, upper: it.upper)
      #expect(pass.finishSplit(scale: c, loss: HuberLoss()), "n=\(n) c = \(c) at the band's edge")
      Self.expectMatches(pass, Self.reference(design, y, beta: it.beta, scale: c), "n=\(n) edge c = \(c)")
    }
    // The fallback after a refusal: the ordinary pass on the residuals the sweep left.
    pass.splitSweep(beta: it.beta, medianWindow: it.window, selection: scratch, lower: it.lower, upper: it.upper)
    #expect(!pass.finishSplit(scale: it.upper * 1.5, loss: HuberLoss()))
    pass.run(beta: it.beta, loss: HuberLoss(), scale: it.upper * 1.5)
    Self.expectMatches(pass, Self.reference(design, y, beta: it.beta, scale: it.upper * 1.5), "n=\(n) fallback")
  }

  @Test("Band rows overflowing: finish refuses, `run` is right, the next split works",
        arguments: [(5_000, 3), (200_000, 6)])
  func bandOverflow(shape: (Int, Int)) throws {
    let (n, p) = shape
    let (design, y, truth) = Self.problem(rows: n, columns: p, seed: UInt64(29 * n + p))
    let pass = WeightedPass(design: design, response: y)
    pass.prepareHuberSplit()
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { scratch.deallocate() }
    let it = Self.iterate(design, y, truth: truth, width: 1.0 / 64, shift: 0.01)
    // [c/20, 20c] holds most rows, far more than the n/32 + 64 per chunk the buffer takes.
    let lower = it.c / 20, upper = it.c * 20
    let inside = zip(y, design.multiply(it.beta)).filter { abs($0 - $1) > lower && abs($0 - $1) <= upper }.count
    let split = try #require(pass.split)
    #expect(inside > split.chunks * split.bandCapacity, "n=\(n): \(inside) band rows should overflow")
    pass.splitSweep(beta: it.beta, medianWindow: it.window, selection: scratch, lower: lower, upper: upper)
    #expect(!pass.finishSplit(scale: it.c, loss: HuberLoss()), "n=\(n): the band overflowed")
    pass.run(beta: it.beta, loss: HuberLoss(), scale: it.c)
    Self.expectMatches(pass, Self.reference(design, y, beta: it.beta, scale: it.c), "n=\(n) after overflow")
    #expect(zip(pass.weights, pass.residuals).allSatisfy { abs($0 - min(1, it.c / abs($1))) <= 4 * Double.ulpOfOne },
            "n=\(n): weights after overflow")
    // The overflow flag does not outlive its sweep.
    let next = Self.iterate(design, y, truth: truth, width: 1.0 / 64, shift: 0.002)
    pass.splitSweep(beta: next.beta, medianWindow: next.window, selection: scratch, lower: next.lower,
                    upper: next.upper)
    #expect(pass.finishSplit(scale: next.c, loss: HuberLoss()), "n=\(n): a narrow band after an overflow")
    Self.expectMatches(pass, Self.reference(design, y, beta: next.beta, scale: next.c), "n=\(n) after recovery")
  }

  // MARK: End to end

  /// Solves the symmetric positive definite system A·x = b (A full, column-major p × p) by Cholesky.
  static func solveSPD(_ a: [Double], _ b: [Double], order p: Int) -> [Double] {
    var l = [Double](repeating: 0, count: p * p)  // L[i, j] at i * p + j
    for j in 0..<p {
      var d = a[j * p + j]
      for k in 0..<j { d -= l[j * p + k] * l[j * p + k] }
      l[j * p + j] = d.squareRoot()
      for i in (j + 1)..<max(j + 1, p) {
        var s = a[j * p + i]
        for k in 0..<j { s -= l[i * p + k] * l[j * p + k] }
        l[i * p + j] = s / l[j * p + j]
      }
    }
    var z = b
    for i in 0..<p {
      for k in 0..<i { z[i] -= l[i * p + k] * z[k] }
      z[i] /= l[i * p + i]
    }
    for i in stride(from: p - 1, through: 0, by: -1) {
      for k in (i + 1)..<max(i + 1, p) { z[i] -= l[k * p + i] * z[k] }
      z[i] /= l[i * p + i]
    }
    return z
  }

  /// Weighted least squares by the normal equations (XᵀWX full, summed row by row).
  static func weightedLeastSquares(_ design: DesignMatrix, _ y: [Double], weights w: [Double]) -> [Double] {
    let n = design.rows, p = design.columns
    var a = [Double](repeating: 0, count: p * p), b = [Double](repeating: 0, count: p)
    design.values.withUnsafeBufferPointer { x in
      for i in 0..<n {
        for k in 0..<p {
          let wk = w[i] * x[k * n + i]
          b[k] += wk * y[i]
          for j in 0...k { a[k * p + j] += wk * x[j * n + i] }
        }
      }
    }
    for k in 0..<p { for j in 0..<k { a[j * p + k] = a[k * p + j] } }
    return solveSPD(a, b, order: p)
  }

  /// statsmodels' RLM(HuberT(1.345), scale_est = "mad") written out: from OLS, each iteration takes the
  /// residuals, σ̂ = median|r|/Φ⁻¹(¾), weights min(1, kσ̂/|r|), and the WLS solution, until β stops
  /// moving.
  static func naiveHuber(_ design: DesignMatrix, _ y: [Double]) -> (beta: [Double], iterations: Int,
                                                                    lastStep: Double) {
    var beta = weightedLeastSquares(design, y, weights: [Double](repeating: 1, count: y.count))
    var step = Double.infinity, iterations = 0
    while iterations < 500 && step > 1e-14 {
      iterations += 1
      let r = zip(y, design.multiply(beta)).map { $0 - $1 }
      let sigma = medianAbsolute(r) / gaussianQuartile, c = huberK * sigma
      let next = weightedLeastSquares(design, y, weights: r.map { abs($0) <= c ? 1 : c / abs($0) })
      step = zip(next, beta).map { abs($0 - $1) }.max()! / next.map { abs($0) }.max()!
      beta = next
    }
    return (beta, iterations, step)
  }

  /// n·p ≥ 2·262144 (several chunks) with n ≤ 100 000; a wide design (p = 26: dsyrk pass, no split).
  @Test("A Huber fit with MAD scale equals statsmodels' IRLS written out, to 1e-8",
        arguments: [(100_000, 6), (4_000, 26)])
  func fitMatchesNaiveIRLS(shape: (Int, Int)) throws {
    let (n, p) = shape
    let (design, y, _) = Self.problem(rows: n, columns: p, seed: UInt64(5 * n + p))
    let fit = try Regression.fit(design, response: y, loss: .huber)
    #expect(fit.termination == .converged)
    let naive = Self.naiveHuber(design, y)
    #expect(naive.lastStep <= 1e-12, "the written-out IRLS did not settle (\(naive.iterations) iterations)")
    let size = naive.beta.map { abs($0) }.max()!
    for j in 0..<p {
      #expect(abs(fit.coefficients[j] - naive.beta[j]) <= 1e-8 * size,
              "n=\(n) p=\(p) β[\(j)] = \(fit.coefficients[j]), IRLS written out \(naive.beta[j])")
    }
    // σ̂ of the fit is the MAD of its residuals.
    let r = zip(y, design.multiply(fit.coefficients)).map { $0 - $1 }
    #expect(abs(fit.scale - Self.huberK * Self.medianAbsolute(r) / Self.gaussianQuartile) <= 1e-8 * fit.scale)
  }
}
