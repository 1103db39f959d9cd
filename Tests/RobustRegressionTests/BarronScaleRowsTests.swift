import Foundation
import Testing
@testable import RobustRegression

/// The rows of a fit profiled at a fixed α (``BarronShapeDerivatives/scaleValues(u:)``, ``BarronScaleRows``,
/// ``WeightedPass/runProfiled(beta:loss:scale:shape:)``) and the descent's memory of log Z
/// (``LogPartitionMemo``): the same doubles as the full shape derivatives, and ρ's λ-derivatives checked
/// against differences of ``BarronLoss/rho(_:)``. α is the likelihood's, in [0, +∞] (the shape
/// derivatives are not defined for α < 0: the density is not normalisable there).
@Suite("Barron's scale rows for profiled fits")
struct BarronScaleRowsTests {
  static let alphas: [Double] = [0, 1e-300, 1e-9, 1e-4, 0.3, 0.5, 1, 1 + 1e-12, 1.5, 2 - 1e-9, 2, 2 + 1e-9, 3, 9, 1e6,
                                 .infinity]
  static let residuals: [Double] = [0, 1e-300, 1e-12, -1e-6, 0.05, -0.4, 1, 2.2, -6, 30, 1e3, -1e8, 1e160, -1e200]

  @Test("scaleValues are the same doubles as values' ρ, w and λ-derivatives", arguments: alphas)
  func sameDoublesAsFullValues(alpha: Double) {
    let shape = BarronShapeDerivatives(alpha: alpha)
    for u in Self.residuals {
      let full = shape.values(u: u), scale = shape.scaleValues(u: u)
      #expect(scale.rho.bitPattern == full.rho.bitPattern, "α = \(alpha), u = \(u): ρ \(scale.rho) vs \(full.rho)")
      #expect(scale.weight.bitPattern == full.weight.bitPattern, "α = \(alpha), u = \(u): w")
      #expect(scale.dLogScale.bitPattern == full.dLogScale.bitPattern, "α = \(alpha), u = \(u): ∂ρ/∂λ")
      #expect(scale.dLogScaleLogScale.bitPattern == full.dLogScaleLogScale.bitPattern, "α = \(alpha), u = \(u): ∂²ρ/∂λ²")
    }
  }

  @Test("ρ and w are BarronLoss's; ∂ρ/∂λ and ∂²ρ/∂λ² match differences of ρ(r e^(−λ))",
        arguments: [0, 1e-9, 0.3, 1, 1.7, 1.999, 2, 2.5, 9])
  func matchesDifferences(alpha: Double) {
    let shape = BarronShapeDerivatives(alpha: alpha), loss = BarronLoss(alpha: alpha)
    for r in [0.05, 0.4, 1, 2.2, 6, 30] {
      let v = shape.scaleValues(u: r)
      #expect(abs(v.rho - loss.rho(r)) <= 1e-14 * max(1, v.rho), "α = \(alpha), u = \(r)")
      #expect(abs(v.weight - loss.weight(r)) <= 1e-14 * v.weight, "α = \(alpha), u = \(r)")
      // ρ at scale c = e^λ of the residual r (u = r at λ = 0).
      let rhoOfLambda = { (lambda: Double) in loss.rho(r * Double.exp(-lambda)) }
      let h = 1e-3
      let d1 = fivePointDerivative(rhoOfLambda, at: 0, step: h)
      #expect(abs(v.dLogScale - d1) <= 1e-9 * max(1, abs(d1)), "α = \(alpha), u = \(r): \(v.dLogScale) vs \(d1)")
      let d2 = fivePointDerivative({ lambda in shape.scaleValues(u: r * Double.exp(-lambda)).dLogScale }, at: 0, step: h)
      #expect(abs(v.dLogScaleLogScale - d2) <= 1e-9 * max(1, abs(d2)), "α = \(alpha), u = \(r): \(v.dLogScaleLogScale) vs \(d2)")
      let second = (rhoOfLambda(h) - 2 * rhoOfLambda(0) + rhoOfLambda(-h)) / (h * h)
      #expect(abs(v.dLogScaleLogScale - second) <= 1e-5 * max(1, abs(second)), "α = \(alpha), u = \(r)")
    }
  }

  @Test("φ alone is the jet's φ, bit for bit", arguments: [0.0, 1e-300, -1e-8, 1e-3, -0.3, 0.7, -0.999, 1, -1, 3.5, -40, 700])
  func expMinusOneOverXValueIsTheJets(x: Double) {
    #expect(expMinusOneOverXValue(x).bitPattern == expMinusOneOverXJet(x).0.bitPattern)
  }

  @Test("The profiled pass gives the full pass's Σρ, λ sums, XᵀWX and weights bit for bit; its α sums are NaN",
        arguments: [(3000, 3), (100_000, 6)])
  func profiledPassEqualsFullPass(rows n: Int, columns p: Int) throws {
    let (design, y, beta) = try WeightedPassTests.problem(rows: n, columns: p, seed: UInt64(7 * n + p))
    for alpha in [0.0, 0.5, 1.5, 3] {
      let loss = BarronLoss(alpha: alpha), shape = BarronShapeDerivatives(alpha: alpha), c = 0.8
      let full = WeightedPass(design: design, response: y)
      full.run(beta: beta, loss: loss, scale: c, shape: shape)
      let profiled = WeightedPass(design: design, response: y)
      profiled.runProfiled(beta: beta, loss: loss, scale: c, shape: shape)
      let a = try #require(full.shapeSums), b = try #require(profiled.shapeSums)
      for k in [0, 3, 4] { #expect(a[k].bitPattern == b[k].bitPattern, "α = \(alpha), sum \(k): \(a[k]) vs \(b[k])") }
      for k in [1, 2, 5] { #expect(b[k].isNaN, "α = \(alpha), sum \(k) is not summed") }
      #expect(profiled.objective.bitPattern == full.objective.bitPattern)
      #expect(profiled.gram == full.gram)
      #expect(profiled.rhs == full.rhs)
      #expect(profiled.weights == full.weights)
      // Its (α, c) step moves c alone, with the full sums' λ gradient and curvature.
      let problem = ShapeScaleProblem(residuals: UnsafeBufferPointer(profiled.residuals), alphaRange: alpha...alpha,
                                      scaleFloor: 1e-9)
      let fromFull = problem.local(sums: a, alpha: alpha, scale: c), fromProfiled = problem.local(sums: b, alpha: alpha, scale: c)
      #expect(!fromProfiled.alphaDerivativesFinite)
      #expect(fromProfiled.value.bitPattern == fromFull.value.bitPattern)
      #expect(fromProfiled.gradient.logScale.bitPattern == fromFull.gradient.logScale.bitPattern)
      #expect(fromProfiled.hessian.ll.bitPattern == fromFull.hessian.ll.bitPattern)
      let stepFull = try #require(problem.proposal(fromFull, alpha: alpha, scale: c))
      let stepProfiled = try #require(problem.proposal(fromProfiled, alpha: alpha, scale: c))
      #expect(stepProfiled.alpha == alpha && stepFull.alpha == alpha)
      #expect(stepProfiled.scale.bitPattern == stepFull.scale.bitPattern)
      #expect(stepProfiled.decrease.bitPattern == stepFull.decrease.bitPattern)
    }
  }

  @Test("LogPartitionMemo returns LogPartition's doubles, at a repeated α and after α changes")
  func memoIsLogPartition() {
    let memo = LogPartitionMemo()
    for alpha in [0.5, 0.5, 1.5, 1.5, 0.5, 0, 2, 1e-4, 1e-4, 7] {
      #expect(memo.logZ(alpha: alpha).bitPattern == LogPartition.logZ(alpha: alpha).bitPattern, "α = \(alpha)")
      let memoJet = memo.derivatives(alpha: alpha), jet = LogPartition.derivatives(alpha: alpha)
      #expect(memoJet.value.bitPattern == jet.value.bitPattern, "α = \(alpha)")
      #expect(memoJet.first.bitPattern == jet.first.bitPattern, "α = \(alpha)")
      #expect(memoJet.second.bitPattern == jet.second.bitPattern, "α = \(alpha)")
    }
  }
}
