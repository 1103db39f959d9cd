import Foundation
import Testing
@testable import RobustRegression

/// Fixed-scale M-estimates and exact L1 optima against an independent optimiser:
/// Fixtures/reference/fixed_scale_fits.json, made by Scripts/reference_fits.py (scipy `least_squares`
/// polished by Newton's method to a gradient ≲ 1e-13, and `linprog`/HiGHS with the vertex solved exactly).
@Suite("Fixed-c fits and L1 against scipy")
struct FixedScaleFitTests {
  struct Record: Sendable, CustomTestStringConvertible {
    let fixture: String
    let loss: Loss
    let c: Double
    let start: [Double]
    let coefficients: [Double]
    let objective: Double
    let convex: Bool
    let columns: [String]
    var testDescription: String { "\(fixture) \(loss.name) c=\(c)" }
  }

  struct AbsoluteRecord: Sendable, CustomTestStringConvertible {
    let fixture: String
    let coefficients: [Double]
    let objective: Double
    let columns: [String]
    var testDescription: String { fixture }
  }

  static func numbers(_ value: Any?) -> [Double] {
    (value as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? Fixtures.number("\($0)") }
  }

  static var reference: [String: Any] {
    (try? Fixtures.json("reference/fixed_scale_fits.json")) as? [String: Any] ?? [:]
  }

  static let records: [Record] = (reference["fits"] as? [[String: Any]] ?? []).map { f in
    let name = f["loss"] as! String
    let alpha: Double? = f["alpha"].flatMap { ($0 as? NSNumber)?.doubleValue ?? ($0 as? String).map(Fixtures.number) }
    let loss = Loss(name: name, alpha: alpha)!
    return Record(fixture: f["fixture"] as! String, loss: loss, c: (f["c"] as! NSNumber).doubleValue,
                  start: numbers(f["start"]), coefficients: numbers(f["coefficients"]),
                  objective: (f["objective"] as! NSNumber).doubleValue, convex: f["convex"] as! Bool,
                  columns: f["columns"] as! [String])
  }

  static let absoluteRecords: [AbsoluteRecord] = (reference["l1"] as? [[String: Any]] ?? []).map { f in
    AbsoluteRecord(fixture: f["fixture"] as! String, coefficients: numbers(f["coefficients"]),
                   objective: (f["objective"] as! NSNumber).doubleValue, columns: f["columns"] as! [String])
  }

  static func data(_ fixture: String, columns: [String]) throws -> (DesignMatrix, [Double]) {
    let (design, y) = try Fixtures.regressionData(fixture + ".csv")
    #expect(design.names == columns, "column order of \(fixture)")
    return (design, y)
  }

  /// max_j |a_j − b_j| / |b_j|, with the scale of the coefficient vector as a floor for coefficients
  /// near 0 (a relative error of a coefficient that is 0 to 12 digits is meaningless).
  static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    let size = b.map(abs).max() ?? 1
    return zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-3 * size) }.max() ?? 0
  }

  @Test("The reference covers ≥ 3 fixtures with outliers, convex and non-convex losses")
  func referenceIsComplete() {
    #expect(Set(Self.records.map(\.fixture)).count >= 3)
    #expect(Self.records.contains { $0.convex } && Self.records.contains { !$0.convex })
    #expect(Self.absoluteRecords.count >= 3)
    for r in Self.records { #expect(r.loss.isConvex == r.convex, "\(r.testDescription)") }
  }

  @Test("Fixed-c fits from scipy's start: convex to 1e-8, non-convex no worse than scipy", arguments: records)
  func fixedScaleFit(record: Record) throws {
    let (design, y) = try Self.data(record.fixture, columns: record.columns)
    let options = Regression(scale: .fixed(record.c), start: .coefficients(record.start))
    let fit = try options.using(record.loss).fit(design, response: y)
    #expect(fit.termination == .converged, "\(record.testDescription): \(fit.termination)")
    #expect(fit.lossScale == record.c)
    #expect(fit.estimates.allSatisfy { $0.isFinite })
    // A coarse check first (the precise ones follow by convexity).
    #expect(abs(fit.objective.value - record.objective) <= 1e-6 * record.objective)
    if record.convex {
      let difference = Self.relativeDifference(fit.estimates, record.coefficients)
      #expect(difference <= 1e-8, "\(record.testDescription): β \(fit.estimates) vs \(record.coefficients) (\(difference))")
      #expect(abs(fit.objective.value - record.objective) <= 1e-12 * record.objective)
    } else {
      // Same start, same local minimum is expected, but only "no higher than scipy" is required.
      #expect(fit.objective.value <= record.objective * (1 + 1e-10),
              "\(record.testDescription): objective \(fit.objective.value) > scipy's \(record.objective)")
    }
  }

  @Test("Non-convex fits from scipy's start reach scipy's local minimum (coefficients to 1e-8)",
        arguments: records.filter { !$0.convex })
  func nonConvexSameMinimum(record: Record) throws {
    let (design, y) = try Self.data(record.fixture, columns: record.columns)
    let options = Regression(scale: .fixed(record.c), start: .coefficients(record.start))
    let fit = try options.using(record.loss).fit(design, response: y)
    let difference = Self.relativeDifference(fit.estimates, record.coefficients)
    #expect(difference <= 1e-8, "\(record.testDescription): β \(fit.estimates) vs \(record.coefficients) (\(difference))")
  }

  @Test("Convex fixed-c fits from the default (OLS) start agree too", arguments: records.filter(\.convex))
  func convexDefaultStart(record: Record) throws {
    let (design, y) = try Self.data(record.fixture, columns: record.columns)
    let fit = try Regression(loss: record.loss, scale: .fixed(record.c)).fit(design, response: y)
    #expect(fit.termination == .converged)
    let difference = Self.relativeDifference(fit.estimates, record.coefficients)
    #expect(difference <= 1e-8, "\(record.testDescription): β \(fit.estimates) vs \(record.coefficients) (\(difference))")
  }

  @Test("L1 by IRLS + exact basis equals the LP optimum to 1e-9", arguments: absoluteRecords)
  func absoluteIsExact(record: AbsoluteRecord) throws {
    let (design, y) = try Self.data(record.fixture, columns: record.columns)
    let fit = try Regression(loss: .absolute).fit(design, response: y)
    #expect(fit.termination == .converged, "\(record.fixture): \(fit.termination)")
    // The objective is Σ|rᵢ| of the reported residuals, and those are y − Xβ.
    let residuals = zip(y, design.multiplied(by: fit.estimates)).map { $0 - $1 }
    let objective = residuals.reduce(0) { $0 + abs($1) }
    #expect(abs(objective - fit.objective.value) <= 1e-12 * objective)
    #expect(abs(fit.objective.value - record.objective) <= 1e-9 * record.objective,
            "\(record.fixture): \(fit.objective.value) vs LP \(record.objective)")
    // An optimum of the LP interpolates at least p points.
    let scale = y.map(abs).max()!
    #expect(residuals.filter { abs($0) <= 1e-9 * scale }.count >= design.columns)
  }

  @Test("L1 by subgradient descent gets within 1e-3 of the LP optimum and reports how it stopped",
        arguments: absoluteRecords)
  func absoluteSubgradient(record: AbsoluteRecord) throws {
    let (design, y) = try Self.data(record.fixture, columns: record.columns)
    let fit = try Regression(loss: .absolute(method: .subgradient)).fit(design, response: y)
    #expect(fit.objective.value >= record.objective * (1 - 1e-12), "below the LP optimum: impossible")
    #expect(fit.objective.value <= record.objective * (1 + 1e-3),
            "\(record.fixture): \(fit.objective.value) vs LP \(record.objective) (\(fit.objective.value / record.objective - 1))")
    #expect([.converged, .iterationLimit].contains(fit.termination))
    if fit.termination == .iterationLimit { #expect(fit.iterations == Regression().maxIterations * 1000) }
    #expect(fit.iterations > 0)
    #expect(!fit.warnings.isEmpty, "the subgradient result should say it is only a baseline")
  }
}
