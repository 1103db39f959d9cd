import Foundation
import Testing
@testable import RobustRegression

/// The adaptive fit against an independent minimisation of the same NLL by scipy
/// (`Scripts/reference_adaptive.py` → `Fixtures/reference/adaptive_fits.json`). The script has its own
/// ρ and its own log Z (scipy quadrature of ∫exp(−ρ), checked there against the closed forms and the
/// mpmath table), minimises by nested profiling (IRLS for β, Brent/Newton for log c, grid + Brent for α)
/// and confirms its optimum with a joint L-BFGS-B search. Both sides use the NLL of Docs/spec.md §5 as a sum:
/// Σρ(rᵢ/c; α) + n log c + n log Z(α).
@Suite("The adaptive fit against scipy's reference minimisation")
struct AdaptiveReferenceTests {
  struct Record: Sendable, CustomTestStringConvertible {
    let fixture: String
    let columns: [String]
    let alphaRange: ClosedRange<Double>
    let alpha: Double
    let c: Double
    let coefficients: [Double]
    let nll: Double
    let alphaAtBound: String?
    var testDescription: String { fixture }
  }

  static func numbers(_ value: Any?) -> [Double] {
    (value as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? Fixtures.number("\($0)") }
  }

  static let records: [Record] = {
    let json = (try? Fixtures.json("reference/adaptive_fits.json")) as? [String: Any] ?? [:]
    return (json["fits"] as? [[String: Any]] ?? []).map { f in
      let range = numbers(f["alpha_range"])
      return Record(fixture: f["fixture"] as! String, columns: f["columns"] as! [String],
                    alphaRange: range[0]...range[1], alpha: (f["alpha"] as! NSNumber).doubleValue,
                    c: (f["c"] as! NSNumber).doubleValue, coefficients: numbers(f["coefficients"]),
                    nll: (f["nll"] as! NSNumber).doubleValue, alphaAtBound: f["alpha_at_bound"] as? String)
    }
  }()

  @Test("The reference covers ≥ 2 fixtures, optima on both bounds and inside the range")
  func referenceIsComplete() {
    #expect(Set(Self.records.map(\.fixture)).count >= 2)
    #expect(Self.records.contains { $0.alphaAtBound == "lower" })
    #expect(Self.records.contains { $0.alphaAtBound == "upper" })
    #expect(Self.records.contains { $0.alphaAtBound == nil })
  }

  @Test("The library's NLL at scipy's optimum equals scipy's NLL (same definition: a sum with n log c, n log Z)",
        arguments: records)
  func sameDefinition(record: Record) throws {
    let (design, y) = try Fixtures.regressionData(record.fixture + ".csv")
    let residuals = zip(y, design.multiplied(by: record.coefficients)).map { $0 - $1 }
    let swift = BarronDistribution.negativeLogLikelihood(residuals: residuals, alpha: record.alpha,
                                                         scale: record.c)
    // scipy's log Z has ~1e-14 relative error, ρ sums ~1e-15: n·1e-14 relative to an NLL of O(n).
    #expect(abs(swift - record.nll) <= 1e-11 * abs(record.nll), "\(swift) vs \(record.nll)")
  }

  @Test("Swift's NLL ≤ scipy's + 1e-8 relative, and α agrees to 1e-4 (exactly on a shared bound)",
        arguments: records)
  func matchesReference(record: Record) throws {
    let (design, y) = try Fixtures.regressionData(record.fixture + ".csv")
    #expect(design.names == record.columns, "column order of \(record.fixture)")
    let fit = try Regression(loss: .adaptive(alphaRange: record.alphaRange)).fit(design, response: y)
    #expect(fit.converged)
    let alpha = try #require(fit.shape.alpha)
    // The reported objective is the NLL at the reported point (recomputed independently of the fit).
    let recomputed = BarronDistribution.negativeLogLikelihood(residuals: fit.residuals, alpha: alpha,
                                                              scale: fit.lossScale)
    #expect(abs(fit.objective.value - recomputed) <= 1e-12 * abs(recomputed))
    let residualsAgain = zip(y, design.multiplied(by: fit.estimates)).map { $0 - $1 }
    #expect(zip(residualsAgain, fit.residuals).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($0)) })
    #expect(fit.objective.value <= record.nll + 1e-8 * abs(record.nll),
            "NLL \(fit.objective.value) vs scipy \(record.nll): excess \((fit.objective.value - record.nll) / abs(record.nll))")
    let summary = try #require(fit.adaptiveSummary)
    switch record.alphaAtBound {
    case "lower":
      #expect(alpha == record.alphaRange.lowerBound && summary.alphaOnBound)
    case "upper":
      #expect(alpha == record.alphaRange.upperBound && summary.alphaOnBound)
    default:
      #expect(abs(alpha - record.alpha) <= 1e-4, "α \(alpha) vs scipy \(record.alpha)")
      #expect(!summary.alphaOnBound)
    }
    // c and β follow from α; they agree to the same order.
    #expect(abs(fit.lossScale - record.c) <= 1e-4 * record.c, "c \(fit.lossScale) vs \(record.c)")
    let size = record.coefficients.map(abs).max() ?? 1
    for (a, b) in zip(fit.estimates, record.coefficients) {
      #expect(abs(a - b) <= 1e-4 * size, "β \(fit.estimates) vs \(record.coefficients)")
    }
  }
}
