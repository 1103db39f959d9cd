import Foundation
import Testing
@testable import RobustRegression

/// ρ, ψ, ψ′ and the IRLS weight of every loss against Fixtures/reference/loss_values.csv, which
/// Scripts/reference_losses.py computed with mpmath at 60 digits (each value there is the correctly
/// rounded double of the exact result at the exact double inputs).
///
/// Tolerance. A value is accepted when |got − ref| ≤ tol·|ref| with
///
///     tol = 8ε·(1 + A)        (ε = 2⁻⁵², so 8ε ≈ 1.8e-15: "a few ulps")
///
/// where A is the amplification of rounding errors that no double evaluation from the double u can avoid:
/// - `exp`/`expm1` of a computed argument x: x carries a relative error of a few ε (from z = u², z/b,
///   log1p and the product), i.e. an absolute error of a few ε·|x|, which `exp` turns into a relative
///   error of the same size: A = |x| (x = (α/2 − 1)·log1p(z/b) for w and ψ, α/2·log1p(z/b) for ρ,
///   (α/2 − 2)·log1p(z/b) for ψ′, ±z/2 for α = ±∞). This is at most 452 here (α = 100, u = 1e3).
/// - a difference near a root, such as 1 − z for Tukey at u = 0.999 or 1 + (α − 1)·z/b for ψ′ near its
///   sign change: the rounding of z = u² is amplified by z/|1 − z| (A adds that ratio).
/// For everything else A = 0, so most rows are held to 8 ulps (the chained log1p/expm1 evaluation
/// rounds about four times); the largest tolerance in the table is ≈ 2e-11 (ψ′ at α = −1e4, u = 1,
/// where 1 + (α − 1)·z/b = 1/10002 cancels), still far below the ~1e-4 loss of the `pow` form or the
/// error of a wrongly selected special case. A reference value of 0 must be reproduced exactly.
@Suite("Loss values against the mpmath reference")
struct LossValueTests {
  struct Row: Sendable, CustomTestStringConvertible {
    let loss: String
    let alpha: Double
    let u: Double
    let rho: Double
    let psi: Double
    let dpsi: Double
    let weight: Double
    var testDescription: String { "\(loss) α=\(loss == "barron" ? Loss.format(alpha: alpha) : "-") u=\(u)" }
  }

  static let rows: [Row] = {
    guard let table = try? Fixtures.table("reference/loss_values.csv") else { return [] }
    let index = Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, $0) })
    return table.rows.map { r in
      Row(loss: r[index["loss"]!],
          alpha: r[index["alpha"]!].isEmpty ? .nan : Fixtures.number(r[index["alpha"]!]),
          u: Fixtures.number(r[index["u"]!]), rho: Fixtures.number(r[index["rho"]!]),
          psi: Fixtures.number(r[index["psi"]!]), dpsi: Fixtures.number(r[index["dpsi"]!]),
          weight: Fixtures.number(r[index["weight"]!]))
    }
  }()

  static func loss(of row: Row) -> any RobustLoss {
    switch row.loss {
    case "barron": BarronLoss(alpha: row.alpha)
    case "huber": HuberLoss()
    case "tukey": TukeyBiweightLoss()
    case "l2": BarronLoss(alpha: 2)
    default: fatalError("unknown loss \(row.loss) in loss_values.csv")
    }
  }

  /// The error amplification A of each column (see the suite's comment).
  static func amplification(_ row: Row) -> (rho: Double, psi: Double, dpsi: Double, weight: Double) {
    let z = row.u * row.u
    func cancel(_ a: Double, _ b: Double) -> Double { abs(a + b) > 0 ? abs(b) / abs(a + b) : .infinity }
    switch row.loss {
    case "tukey":
      guard z < 1 else { return (0, 0, 0, 0) }
      let t = 2 * cancel(1, -z)
      return (0, t, cancel(1, -z) + cancel(1, -5 * z), t)
    case "barron":
      let alpha = row.alpha
      if alpha == 2 { return (0, 0, 0, 0) }
      if alpha == 0 { return (0, 0, cancel(1, -z / 2), 0) }
      if alpha == -.infinity { return (z / 2, z / 2, z / 2 + cancel(1, -z), z / 2) }
      if alpha == .infinity { return (z / 2, z / 2, z / 2, z / 2) }
      let b = abs(alpha - 2), s = z / b, l = log1p(s)
      let w = abs((alpha / 2 - 1) * l)
      return (abs(alpha / 2 * l), w, abs((alpha / 2 - 2) * l) + cancel(1, (alpha - 1) * s), w)
    default:
      return (0, 0, 0, 0)
    }
  }

  static func check(_ got: Double, _ expected: Double, amplification: Double, _ what: String,
                    _ row: Row, sourceLocation: SourceLocation = #_sourceLocation) {
    if expected == 0 {
      #expect(got == 0, "\(what) at \(row.testDescription): got \(got), reference 0", sourceLocation: sourceLocation)
      return
    }
    let tolerance = 8 * Double.ulpOfOne * (1 + amplification)
    let error = abs(got - expected) / abs(expected)
    #expect(error <= tolerance,
            "\(what) at \(row.testDescription): got \(got), reference \(expected), relative error \(error) > \(tolerance)",
            sourceLocation: sourceLocation)
  }

  @Test("The reference table is present and covers Docs/spec.md's edge cases")
  func tableCoversEdgeCases() {
    let rows = Self.rows
    #expect(rows.count >= 200)
    let barron = rows.filter { $0.loss == "barron" }
    let alphas = Set(barron.map(\.alpha))
    for alpha in [-Double.infinity, .infinity, 1e-9, -1e-9, 2 - 1e-9, 2 + 1e-9, 0, 1, 2, -2] {
      #expect(alphas.contains(alpha), "α = \(alpha) missing from the reference")
    }
    for u in [1e-8, 1e8] {
      #expect(barron.contains { abs($0.u) == u }, "|u| = \(u) missing from the reference")
    }
    #expect(Set(rows.map(\.loss)) == ["barron", "huber", "tukey", "l2"])
  }

  @Test("ρ, ψ, ψ′ and w match the reference", arguments: rows)
  func matchesReference(row: Row) {
    let loss = Self.loss(of: row)
    let a = Self.amplification(row)
    Self.check(loss.rho(row.u), row.rho, amplification: a.rho, "ρ", row)
    Self.check(loss.psi(row.u), row.psi, amplification: a.psi, "ψ", row)
    Self.check(loss.psiDerivative(row.u), row.dpsi, amplification: a.dpsi, "ψ′", row)
    Self.check(loss.weight(row.u), row.weight, amplification: a.weight, "w", row)
  }
}
