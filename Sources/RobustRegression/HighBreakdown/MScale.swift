import CKernels

/// Tukey's bisquare normalised to sup ρ = 1, the ρ of the S-estimate's M-scale (Docs/leverage.md):
///
///     ρ(u) = 1 − (1 − u²)³ (|u| ≤ 1),  1 beyond,      with u = r / (c·s)
///
/// It is 6 × ``TukeyBiweightLoss``'s ρ, whose weight (1 − u²)² the refinements use.
enum NormalisedBisquare {
  /// ρ(u) = 1 − (1 − u²)³, as u²(3 − 3u² + u⁴) to avoid cancellation for small u.
  /// Branch-free: with t = min(u², 1) the polynomial is 1 at t = 1 (a NaN u gives 1, as |u| ≥ 1).
  @inline(__always)
  static func rho(_ u: Double) -> Double {
    let z = u * u
    let t = z < 1 ? z : 1
    return t * (3 - 3 * t + t * t)
  }
}

/// The M-scale of residuals: the s > 0 that solves
///
///     (1/(n − p)) Σ ρ(rᵢ / (c·s)) = b
///
/// with ρ the normalised bisquare, c = 1.54764 and b = 0.5 for the 50 %-breakdown S-estimate; the
/// denominator n − p is robustbase's (`lmrob`'s `find_scale`), which makes the scale consistent for small
/// samples the way the residual variance's n − p does.
enum MScale {
  /// The bisquare constant of 50 % breakdown with b = 0.5 (Rousseeuw & Yohai 1984; robustbase's
  /// `tuning.chi`).
  static let breakdownConstant = 1.54764
  /// The right-hand side b: the breakdown point of the S-estimate.
  static let b = 0.5

  /// Σwᵢρ(rᵢ/(c·s)) / (n − p) (wᵢ the case weights, 1 without them; n − p is then Σwᵢ − p). The sum by
  /// `rf_bisquare_rho_sum` (CKernels): ``NormalisedBisquare/rho(_:)``'s terms four rows at a time, added
  /// row after row as a loop over them adds them (twice per candidate of the search: the terms were most
  /// of its cost).
  static func meanRho(_ r: UnsafeBufferPointer<Double>, scale s: Double, c: Double, degreesOfFreedom: Double,
                      weights: UnsafeBufferPointer<Double>? = nil) -> Double {
    let inverse = 1 / (c * s)
    guard let values = r.baseAddress else { return 0 / degreesOfFreedom }
    return rf_bisquare_rho_sum(values, weights?.baseAddress, r.count, inverse) / degreesOfFreedom
  }

  /// Solves for s from `initial` to a relative change of `tolerance` by Newton's method in log s
  /// (mean ρ falls in log s with slope −mean(ρ′(u)·u), u = r/(c·s)), which needs about four passes over
  /// the residuals where robustbase's fixed-point iteration needs tens; a Newton step that would not
  /// bring mean ρ closer to b falls back to the fixed-point step, which always does. The sums at an
  /// accepted Newton point are those of the next iteration (one pass per iteration, two when the
  /// fixed-point step is taken). 0 when at most b·(n − p) residuals are non-zero (an exact fit of more
  /// than half the rows: no positive root).
  static func solve(_ r: UnsafeBufferPointer<Double>, degreesOfFreedom: Double, initial: Double,
                    c: Double = breakdownConstant, b: Double = b, tolerance: Double = 1e-10,
                    maxIterations: Int = 200, weights: UnsafeBufferPointer<Double>? = nil) -> (scale: Double, converged: Bool) {
    var nonzero = 0.0
    if let weights {
      for i in r.indices where r[i] != 0 { nonzero += weights[i] }
    } else {
      for value in r where value != 0 { nonzero += 1 }
    }
    guard nonzero > b * degreesOfFreedom else { return (0, true) }
    let start = initial > 0 && initial.isFinite ? initial : largestAbsolute(r)
    return solve(initial: start, b: b, tolerance: tolerance, maxIterations: maxIterations) { s in
      meanRhoAndSlope(r, scale: s, c: c, degreesOfFreedom: degreesOfFreedom, weights: weights)
    }
  }

  /// The iteration of ``solve(_:degreesOfFreedom:initial:c:b:tolerance:maxIterations:weights:)`` from
  /// s = `initial` > 0 with (mean ρ, mean ρ′(u)·u) at a scale from `sums`: over residuals in memory, or
  /// from a pass over rows held elsewhere (``DistributedHighBreakdown``), one evaluation per iteration.
  static func solve(initial: Double, b: Double = b, tolerance: Double = 1e-10, maxIterations: Int = 200,
                    sums: (Double) throws -> (Double, Double)) rethrows -> (scale: Double, converged: Bool) {
    var s = initial
    var (mean, slope) = try sums(s)
    for _ in 0..<maxIterations {
      var next = s * (mean / b).squareRoot()  // the fixed-point step
      var atNext: (Double, Double)?
      if slope > 0 {
        let newton = s * Double.exp(max(-1, min(1, (mean - b) / slope)))
        let atNewton = try sums(newton)
        if abs(atNewton.0 - b) < abs(mean - b) {
          next = newton
          atNext = atNewton
        }
      }
      if abs(next - s) <= tolerance * s { return (next, true) }
      s = next
      (mean, slope) = try atNext ?? sums(s)
    }
    return (s, false)
  }

  /// mean ρ(u) and mean ρ′(u)·u over the residuals, u = r/(c·s), with ρ′(u)·u = 6u²(1 − u²)² (t = min(u², 1)
  /// as in ``NormalisedBisquare/rho(_:)``, formed as 6t(1 − t)(1 − t)). Summed in
  /// ``ParallelChunks/mScale(rows:)`` chunks on all cores, added in chunk order (reproducible).
  static func meanRhoAndSlope(_ r: UnsafeBufferPointer<Double>, scale s: Double, c: Double,
                              degreesOfFreedom: Double, weights: UnsafeBufferPointer<Double>? = nil) -> (Double, Double) {
    let inverse = 1 / (c * s)
    let n = r.count, chunks = ParallelChunks.mScale(rows: n)
    nonisolated(unsafe) let values = r, caseWeights = weights
    let total = withUnsafeTemporaryAllocation(of: (Double, Double).self, capacity: chunks) { slotBuffer in
      nonisolated(unsafe) let slots = slotBuffer.baseAddress!
      ParallelChunks.perform(chunks) { chunk in
        // The chunk's rows by `rf_bisquare_rho_slope_sums` (CKernels): the terms four rows at a time,
        // added row after row as a loop over them adds them.
        let rows = ParallelChunks.rows(of: chunk, chunks: chunks, total: n)
        var sums = (0.0, 0.0)
        if let first = values.baseAddress, !rows.isEmpty {
          withUnsafeMutableBytes(of: &sums) { bytes in
            rf_bisquare_rho_slope_sums(first + rows.lowerBound, caseWeights?.baseAddress.map { $0 + rows.lowerBound },
                                       rows.count, inverse, bytes.baseAddress!.assumingMemoryBound(to: Double.self))
          }
        }
        (slots + chunk).initialize(to: sums)
      }
      var total = (0.0, 0.0)
      for chunk in 0..<chunks {
        let part = (slots + chunk).move()
        total.0 += part.0
        total.1 += part.1
      }
      return total
    }
    return (total.0 / degreesOfFreedom, total.1 / degreesOfFreedom)
  }

  private static func largestAbsolute(_ r: UnsafeBufferPointer<Double>) -> Double {
    r.reduce(0) { max($0, abs($1)) }
  }
}
