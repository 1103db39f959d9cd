import Foundation
import Testing
@testable import RobustRegression

/// The L1 fit's nid standard errors as R's quantreg gives them (`summary.rq(se = "nid")`, quantreg 5.94;
/// Scripts/quantreg_reference.R → Fixtures/reference/quantreg_nid.json), and the quantile fits at ½ ± h
/// they are made of.
@Suite("L1 standard errors: quantreg's nid sandwich")
struct QuantregNIDTests {
  static let sets = ["stackloss", "phosphor", "hbk", "salinity", "aircraft", "coleman"]

  @Test("Equal to quantreg's to 1e-10 relative (measured: 2e-15 … 7e-14)", arguments: sets)
  func agreesWithQuantreg(name: String) throws {
    let (fit, reference) = try Self.fit(name)
    let coefficients = try reference.doubles("coefficients"), expected = try reference.doubles("standard_errors")
    #expect(HighBreakdownTests.maxRelative(fit.estimates, coefficients) <= 1e-9)
    let se = try #require(fit.standardErrors)
    #expect(HighBreakdownTests.maxRelative(se, expected) <= 1e-10, "\(name): \(se)")
    #expect(fit.covariance?.method == .nidSandwich)
    // quantreg counts the differences ≤ 0; coleman has two rows both quantile fits interpolate, whose
    // differences are −5e-15 and +3e-15 in R: quantreg warns of 1, the fit of the 2 whose density is 0.
    let quantregCount = try #require(reference["non_positive_fis"] as? Int)
    let count = name == "coleman" ? 2 : quantregCount
    #expect(quantregCount <= count)
    #expect(fit.warnings.contains(.nonPositiveLocalDensities(rows: count)) == (count > 0), "\(fit.warnings)")
  }

  @Test("The quantile fits at ½ ± h are quantreg's (rq.fit, method \"br\")", arguments: sets)
  func quantileFits(name: String) throws {
    let reference = try Self.reference(name)
    let data = try HighBreakdownTests.reference(name)
    let h = try #require(reference["bandwidth"] as? Double)
    #expect(abs(LeastAbsoluteBasis.hallSheatherBandwidth(observations: Double(data.y.count)) - h) <= 1e-15)
    let median = try Regression(loss: .absolute).fit(data.design, response: data.y).estimates
    for (tau, key) in [(0.5 - h, "low_quantile_coefficients"), (0.5 + h, "high_quantile_coefficients")] {
      let finish = try LeastAbsoluteBasis.quantile(design: data.design, response: data.y,
                                                   columnMagnitudes: Self.magnitudes(data.design), tau: tau,
                                                   from: median)
      #expect(finish.optimal)
      let expected = try reference.doubles(key)
      // 1e-9 relative, or 1e-12 absolute for a coefficient that is 0 up to rounding (stackloss at ½ − h).
      #expect(zip(finish.coefficients, expected).allSatisfy { abs($0 - $1) <= 1e-9 * abs($1) + 1e-12 },
              "\(name) τ = \(tau): \(finish.coefficients)")
    }
  }

  @Test("The quantile walk reaches the LP optimum of Σwᵢρ_τ(rᵢ) (scipy's linprog, HiGHS) for τ from 0.05 to 0.95",
        arguments: ["outliers", "ties", "weights"])
  func linearProgramOptimum(name: String) throws {
    let sets = try #require(try Fixtures.json("reference/quantile_lp.json") as? [String: Any])["sets"] as? [String: Any]
    let set = try #require(sets?[name] as? [String: Any])
    let predictors = try #require(set["predictors"] as? [[Double]]), y = try set.doubles("y")
    let weights = set["weights"] as? [Double]
    let design = try DesignMatrix(predictors: predictors)
    let median = try Regression(loss: .absolute).fit(design, response: y, weights: weights).estimates
    let ols = try Regression(loss: .squared).fit(design, response: y, weights: weights).estimates
    for case let fit as [String: Any] in try #require(set["fits"] as? [Any]) {
      let tau = try #require(fit["tau"] as? Double), optimum = try #require(fit["objective"] as? Double)
      // From the median fit (as the nid standard errors start) and from OLS (farther away).
      for start in [median, ols] {
        let finish = try LeastAbsoluteBasis.quantile(design: design, response: y,
                                                     columnMagnitudes: Self.magnitudes(design), weights: weights,
                                                     tau: tau, from: start)
        let r = design.residuals(y, finish.coefficients)
        let objective = r.indices.reduce(0.0) { $0 + (weights?[$1] ?? 1) * r[$1] * (tau - (r[$1] < 0 ? 1 : 0)) }
        #expect(finish.optimal)
        #expect(abs(objective - optimum) <= 1e-9 * optimum, "\(name) τ = \(tau): \(objective) vs HiGHS \(optimum)")
      }
    }
  }

  @Test("τ = ½ is the L1 fit's own walk, bit for bit")
  func medianIsTheL1Fit() throws {
    let data = try HighBreakdownTests.reference("stackloss")
    let magnitudes = Self.magnitudes(data.design)
    let ols = try Regression(loss: .squared).fit(data.design, response: data.y).estimates
    let finish = try LeastAbsoluteBasis.finish(design: data.design, response: data.y, columnMagnitudes: magnitudes,
                                               from: ols)
    let median = try LeastAbsoluteBasis.quantile(design: data.design, response: data.y, columnMagnitudes: magnitudes,
                                                 tau: 0.5, from: ols)
    #expect(finish.coefficients == median.coefficients && finish.steps == median.steps)
  }

  @Test("Whole-number case weights give the nid standard errors of the repeated rows; fractional ones a nearby sandwich")
  func caseWeights() throws {
    let c = try CaseWeightTests.data()
    let regression = Regression(loss: .absolute, absoluteStandardErrors: .nid)
    let weighted = try regression.fit(c.design, response: c.y, weights: c.weights)
    let repeated = try regression.fit(c.repeatedDesign, response: c.repeatedY)
    CaseWeightTests.expectSame(weighted, repeated, tolerance: 1e-9, "l1 nid")
    #expect(weighted.covariance?.method == .nidSandwich && weighted.standardErrors != nil)
    // Fractional weights: the same formula, continuous in the weights (iid has no meaning there).
    let nearby = try regression.fit(c.design, response: c.y, weights: c.weights.map { $0 == 0 ? 0 : $0 + 1e-9 })
    let se = try #require(nearby.standardErrors), expected = try #require(weighted.standardErrors)
    #expect(HighBreakdownTests.maxRelative(se, expected) <= 1e-6, "\(se) vs \(expected)")
  }

  @Test("iid is the default; nid is asked for, and survives an archive; an archive without the setting reads as iid")
  func settingAndArchive() throws {
    #expect(Regression().absoluteStandardErrors == .iid)
    let data = try HighBreakdownTests.reference("stackloss")
    #expect(try Regression(loss: .absolute).fit(data.design, response: data.y).covariance?.method == .sparsity)
    let nid = Regression(loss: .absolute, absoluteStandardErrors: .nid)
    let decoded = try JSONDecoder().decode(Regression.self, from: JSONEncoder().encode(nid))
    #expect(decoded == nid)
    var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(nid)) as? [String: Any])
    object["absoluteStandardErrors"] = nil
    let old = try JSONDecoder().decode(Regression.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(old.absoluteStandardErrors == .iid && old.loss == .absolute)
    #expect(CovarianceMethod.nidSandwich.description == "nid sandwich (quantreg's se = \"nid\", Hall–Sheather bandwidth)")
  }

  @Test("Local densities 0 on too many rows (an exact line; discrete y with flat quantiles): no standard errors, two warnings, no trap")
  func singularSandwich() throws {
    let x = (1...7).map(Double.init)
    let exact = try Regression(loss: .absolute, absoluteStandardErrors: .nid).fit(predictors: [x], response: x.map { 2 * $0 })
    #expect(exact.standardErrors == nil)
    #expect(exact.warnings.contains(.nonPositiveLocalDensities(rows: 7)))
    #expect(exact.warnings.contains(.standardErrorsUnavailable(.localDensitiesSingular)))
    // y = x + noise uniform on {−2, …, 2}: its quantiles at ½ ± h (h ≈ 0.077 for n = 2000) are its median.
    let xs: [Double] = (0..<2000).map { Double($0 % 5) }
    let ys: [Double] = (0..<2000).map { (i: Int) -> Double in Double(i % 5 + (i / 5) % 5 - 2) }
    let discrete = try Regression(loss: .absolute, absoluteStandardErrors: .nid).fit(predictors: [xs], response: ys)
    #expect(discrete.standardErrors == nil)
    #expect(discrete.warnings.contains(.standardErrorsUnavailable(.localDensitiesSingular)), "\(discrete.warnings)")
    // n ≤ 7 halves h: six points off a line still get standard errors.
    let six = try Regression(loss: .absolute, absoluteStandardErrors: .nid)
      .fit(predictors: [[1, 2, 3, 4, 5, 6]], response: [2, 4.1, 5.9, 8.2, 9.9, 12.1])
    #expect(six.standardErrors != nil && six.covariance?.method == .nidSandwich)
  }

  static func magnitudes(_ design: DesignMatrix) -> [Double] {
    (0..<design.columns).map { j in (0..<design.rows).reduce(0) { max($0, abs(design[$1, j])) } }
  }

  static func reference(_ name: String) throws -> [String: Any] {
    let fits = try #require(try Fixtures.json("reference/quantreg_nid.json") as? [String: Any])["fits"] as? [String: Any]
    return try #require(fits?[name] as? [String: Any])
  }

  static func fit(_ name: String) throws -> (RegressionFit, [String: Any]) {
    let data = try HighBreakdownTests.reference(name)
    let fit = try Regression(loss: .absolute, absoluteStandardErrors: .nid).fit(data.design, response: data.y)
    return (fit, try reference(name))
  }
}

extension [String: Any] {
  func doubles(_ key: String) throws -> [Double] { try #require(self[key] as? [Double]) }
}
