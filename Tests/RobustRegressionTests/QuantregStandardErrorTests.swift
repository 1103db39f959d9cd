import Foundation
import Testing
@testable import RobustRegression

/// The L1 fit's standard errors as R's quantreg gives them (`summary.rq(se = "iid")`, quantreg 5.94;
/// Scripts/quantreg_reference.R → Fixtures/reference/quantreg_iid.json).
@Suite("L1 standard errors: quantreg's iid sparsity")
struct QuantregStandardErrorTests {
  /// Data sets where quantreg's sparsity line is the steepest of the optimal ones (all but phosphor).
  @Test("Equal to quantreg's to 1e-9 (coefficients to 1e-9 too)",
        arguments: ["stackloss", "hbk", "salinity", "aircraft", "coleman"])
  func agreesWithQuantreg(name: String) throws {
    let (fit, reference) = try Self.fit(name)
    #expect(HighBreakdownTests.maxRelative(fit.estimates, reference.coefficients) <= 1e-9)
    let se = try #require(fit.standardErrors)
    #expect(HighBreakdownTests.maxRelative(se, reference.standardErrors) <= 1e-9, "\(name): \(se)")
  }

  @Test("phosphor: the sparsity line is not unique; ours is the steepest optimal one, quantreg's simplex ends 3 % flatter")
  func nonUniqueSparsityLine() throws {
    let (fit, reference) = try Self.fit("phosphor")
    let ratios = zip(try #require(fit.standardErrors), reference.standardErrors).map { $0 / $1 }
    #expect(ratios.allSatisfy { $0 > 1 && $0 < 1.05 }, "\(ratios)")
  }

  @Test("The median line's slope: through two points, the steepest of several optima")
  func medianLine() {
    // y = 2x exactly on four points: unique, slope 2.
    #expect(LeastAbsoluteBasis.medianLineSlope(x: [0, 1, 2, 3], y: [0, 2, 4, 6]) == 2)
    // Two points: the line through them.
    #expect(LeastAbsoluteBasis.medianLineSlope(x: [1, 3], y: [1, 2]) == 0.5)
  }

  static func fit(_ name: String) throws -> (RegressionFit, (coefficients: [Double], standardErrors: [Double])) {
    let fits = try #require(try Fixtures.json("reference/quantreg_iid.json") as? [String: Any])["fits"] as? [String: Any]
    let entry = try #require(fits?[name] as? [String: Any])
    let ref = try HighBreakdownTests.reference(name)
    let fit = try Regression(loss: .absolute).fit(ref.design, response: ref.y)
    return (fit, (try #require(entry["coefficients"] as? [Double]), try #require(entry["standard_errors"] as? [Double])))
  }
}
