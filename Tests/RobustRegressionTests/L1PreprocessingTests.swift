import Foundation
import Testing
@testable import RobustRegression

/// The exact L1 fit by Portnoy–Koenker preprocessing (Sources/RobustRegression/Fitting/
/// LeastAbsolutePreprocessing.swift) against the plain simplex walk over all rows from OLS
/// (``LeastAbsoluteBasis/finish(design:response:columnMagnitudes:weights:from:)``, its own certificate):
/// the same minimum of Σwᵢ|rᵢ| to 1e-12 relative, and a certified optimum.
@Suite("L1 preprocessing: the plain walk's optimum")
struct L1PreprocessingTests {
  /// Seeded data: n rows, an intercept and p − 1 predictors; `kind` picks the shape.
  struct Case: CustomTestStringConvertible, Sendable {
    enum Kind: Sendable { case gaussian, heavyOutliers, ties, wholeWeights, fractionalWeights }
    let n: Int
    let p: Int
    let kind: Kind
    let seed: UInt64
    var testDescription: String { "n = \(n), p = \(p), \(kind), seed \(seed)" }

    func data() throws -> (design: DesignMatrix, y: [Double], weights: [Double]?) {
      var g = SplitMix64(seed: seed)
      func uniform() -> Double { Double(g.next() >> 11) * 0x1p-53 }
      func normal() -> Double { (-2 * log(1 - uniform())).squareRoot() * cos(2 * .pi * uniform()) }
      var columns = (1..<p).map { _ in [Double](repeating: 0, count: n) }
      var y = [Double](repeating: 0, count: n)
      for i in 0..<n {
        var fit = 1.0
        for j in 1..<p {
          // Ties: x on the grid {−1, 0, 1}, so rows repeat (3^(p−1) patterns).
          let x = kind == .ties ? Double(Int(g.next() % 3) - 1) : normal()
          columns[j - 1][i] = x
          fit += (j % 2 == 1 ? 2 : -1) * x
        }
        switch kind {
        case .heavyOutliers:
          // Cauchy noise and 30 % of the rows shifted up by 10…1e4.
          let cauchy = tan(Double.pi * (uniform() - 0.5))
          y[i] = fit + cauchy + (uniform() < 0.3 ? exp(uniform() * 7 + 2.3) : 0)
        case .ties:
          y[i] = (fit + 1.5 * normal() + (uniform() < 0.2 ? 30 : 0)).rounded()
        default:
          y[i] = fit + normal() + (uniform() < 0.2 ? 20 + 30 * uniform() : 0)
        }
      }
      let weights: [Double]? = switch kind {
      case .wholeWeights: (0..<n).map { _ in Double(g.next() % 4) }  // 0, 1, 2, 3: zeros too
      case .fractionalWeights: (0..<n).map { _ in 0.1 + 2 * uniform() }
      default: nil
      }
      return (try DesignMatrix(predictors: columns, rows: n), y, weights)
    }
  }

  static let cases: [Case] = {
    var all: [Case] = []
    for p in 1...10 {
      all.append(Case(n: 8_000 + 500 * p, p: p, kind: .gaussian, seed: UInt64(p)))
      all.append(Case(n: 7_000, p: p, kind: .ties, seed: UInt64(100 + p)))
    }
    for (k, p) in [2, 5, 10].enumerated() {
      all.append(Case(n: 12_000, p: p, kind: .heavyOutliers, seed: UInt64(200 + k)))
      all.append(Case(n: 9_000, p: p, kind: .wholeWeights, seed: UInt64(300 + k)))
      all.append(Case(n: 9_000, p: p, kind: .fractionalWeights, seed: UInt64(400 + k)))
    }
    all.append(Case(n: 40_000, p: 10, kind: .ties, seed: 500))
    all.append(Case(n: 60_000, p: 4, kind: .gaussian, seed: 501))
    return all
  }()

  static func problem(_ c: Case) throws -> FitProblem {
    let (design, y, weights) = try c.data()
    let magnitudes = (0..<design.columns).map { j in (0..<design.rows).reduce(0.0) { max($0, abs(design[$1, j])) } }
    return try FitProblem(design: design, response: y, caseWeights: weights, options: FitOptions(),
                          columnMagnitudes: magnitudes)
  }

  /// Σwᵢ|yᵢ − xᵢβ|.
  static func objective(_ problem: FitProblem, _ beta: [Double]) -> Double {
    let r = problem.design.residuals(problem.response, beta)
    return r.indices.reduce(0) { $0 + (problem.caseWeights?[$1] ?? 1) * abs(r[$1]) }
  }

  static func plain(_ problem: FitProblem) throws -> LeastAbsoluteBasis.Finish {
    try LeastAbsoluteBasis.finish(design: problem.design, response: problem.response,
                                  columnMagnitudes: problem.columnMagnitudes, weights: problem.caseWeights,
                                  from: problem.ordinaryLeastSquares)
  }

  @Test("The preprocessed optimum's Σwᵢ|rᵢ| equals the plain walk's to 1e-12, certified", arguments: cases)
  func sameOptimum(c: Case) throws {
    let problem = try Self.problem(c)
    let preprocessed = try #require(try problem.preprocessedAbsoluteFinish())
    let reference = try Self.plain(problem)
    #expect(preprocessed.optimal && reference.optimal)
    let a = Self.objective(problem, preprocessed.coefficients), b = Self.objective(problem, reference.coefficients)
    #expect(abs(a - b) <= 1e-12 * b, "\(a) vs \(b)")
    // The fit through the public entry point is the preprocessed one, proven optimal.
    let (design, y, weights) = try c.data()
    let fit = try Regression(loss: .absolute).fit(design, response: y, weights: weights)
    #expect(fit.termination == .converged && !fit.warnings.contains(.absoluteFinishUnproven))
    #expect(abs(Self.objective(problem, fit.estimates) - b) <= 1e-12 * b)
  }

  /// Starts far from the optimum with a narrow band, so that the first bands hold the wrong rows: the
  /// fix-ups (misplaced rows moved into the band) and the doublings of the band must still end at the
  /// optimum.
  @Test("A bad start takes the repeat path and still reaches the optimum",
        arguments: [Case(n: 20_000, p: 3, kind: .gaussian, seed: 7), Case(n: 20_000, p: 6, kind: .ties, seed: 8),
                    Case(n: 20_000, p: 4, kind: .fractionalWeights, seed: 9)])
  func badStart(c: Case) throws {
    let problem = try Self.problem(c)
    let reference = try Self.plain(problem)
    let b = Self.objective(problem, reference.coefficients)
    for (start, keep) in [(problem.ordinaryLeastSquares.map { $0 + 3 }, 200),
                          (reference.coefficients.map { $0 + 0.05 }, 500),
                          ([Double](repeating: 0, count: c.p), 50)] {
      let run = try problem.preprocessedAbsoluteFinish(from: start, keeping: keep)
      #expect(run.fixups + run.widenings > 0)
      #expect(run.finish.optimal)
      let a = Self.objective(problem, run.finish.coefficients)
      #expect(abs(a - b) <= 1e-12 * b, "\(a) vs \(b) after \(run.fixups) fix-ups, \(run.widenings) widenings")
    }
  }

  @Test("Small problems are fitted directly (the standard errors of quantreg's data sets unchanged)")
  func smallProblemsDirect() throws {
    let problem = try Self.problem(Case(n: 4_000, p: 3, kind: .gaussian, seed: 1))
    #expect(try problem.preprocessedAbsoluteFinish() == nil)
  }

  @Test("The ratio test's selection finds the breakpoint a sort finds", arguments: [600, 5_000, 40_000])
  func crossingBySelection(count: Int) {
    var g = SplitMix64(seed: UInt64(count))
    let breaks = (0..<count).map { i in
      // Many equal t (ties broken by row), as on tied data.
      LeastAbsoluteBasis.Walk.Breakpoint(t: Double(g.next() % 50) / 7, i: i, rise: Double(g.next() % 1000) / 100)
    }
    let total = breaks.reduce(0) { $0 + $1.rise }
    for fraction in [0.001, 0.3, 0.5, 0.99, 1.5] {
      let start = -fraction * total
      var selected = breaks
      let (k, crossed) = LeastAbsoluteBasis.Walk.crossing(&selected, slope: start)
      let sorted = breaks.sorted { $0.precedes($1) }
      var slope = start, expected = sorted.count - 1, expectedCrossed = false
      for (j, b) in sorted.enumerated() {
        slope += b.rise
        if slope >= 0 { expected = j; expectedCrossed = true; break }
      }
      // Sums in another order differ in rounding only: the rises are multiples of 0.01 and the
      // crossing is not within rounding of a breakpoint here.
      #expect(selected[k].i == sorted[expected].i && crossed == expectedCrossed)
      #expect(Set(selected[0..<k].map(\.i)) == Set(sorted[0..<expected].map(\.i)))
    }
  }
}
