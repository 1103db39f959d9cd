/// One pass over all rows of a fit, as the IRLS loop (``IRLS``) sees it: the loop only asks for sums over
/// the rows at a β (XᵀWX, XᵀWy, Σρ, the rounding floor of Σρ) and for the MAD scale of the residuals at
/// a β, and solves the p × p system itself. ``WeightedPass`` is the pass over a design held in memory;
/// ``DistributedPass`` hands each pass to a host (Spark) that runs the library's own row code on every
/// partition and returns the merged sums. The loop is the same code for both.
protocol RowPass: AnyObject {
  /// p, the number of coefficients.
  var columns: Int { get }
  /// XᵀWX (upper triangle valid, column-major p × p) from the last `run`.
  var gram: [Double] { get }
  /// XᵀWy from the last `run`.
  var rhs: [Double] { get }
  /// Σρ(r/c) from the last `run`.
  var objective: Double { get }
  /// max |yᵢ|: the size below which σ̂ is rounding noise of the response (``ScaleTracker``).
  var responseMagnitude: Double { get }

  /// The fused pass at `beta` and loss scale `scale` (with `accumulate` false: no XᵀWX and XᵀWy).
  func run<L: RobustLoss>(beta: [Double], loss: L, scale: Double, accumulate: Bool) throws
  /// The residuals at `beta` alone, with an optional window expected to hold median(|r|) and its
  /// selection buffer (a pass that keeps no residuals may only remember `beta`).
  func sweepResiduals(beta: [Double], medianWindow: WeightedPass.MedianWindow?,
                      selection: UnsafeMutableBufferPointer<Double>?) throws
  /// median(|r|) from the last sweep's window, or nil when the window missed it or the pass has none.
  func medianAbsoluteResidual(scratch: UnsafeMutableBufferPointer<Double>) throws -> Double?
  /// The exact MAD scale median(|r|)/0.6745 of the residuals of the last sweep or run.
  func residualScale(scratch: UnsafeMutableBufferPointer<Double>) throws -> Double
  /// Σ|ψ(rᵢ/c)|·(|yᵢ| + |ŷᵢ|)·16ε/c of the last run's residuals (``IRLS/roundingFloor(pass:loss:scale:)``).
  func roundingFloor<L: RobustLoss>(loss: L, scale c: Double) throws -> Double
  /// The hyperplane through more than half of the rows (``ExactFit``), or nil.
  func exactFit(scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double]?
  /// The weighted least-squares step when the Cholesky solve of the last run's system failed: QR on
  /// the rows, or nil (rank deficient).
  func solveByQR() throws -> [Double]?
  /// The error of an objective that overflowed at scale c.
  func overflow(scale c: Double) -> RegressionError
}

extension RowPass {
  /// `run` with XᵀWX and XᵀWy.
  func run<L: RobustLoss>(beta: [Double], loss: L, scale: Double) throws {
    try run(beta: beta, loss: loss, scale: scale, accumulate: true)
  }
}

extension WeightedPass: RowPass {
  var responseMagnitude: Double { response.reduce(0) { max($0, abs($1)) } }

  func run<L: RobustLoss>(beta: [Double], loss: L, scale: Double, accumulate: Bool) {
    run(beta: beta, loss: loss, scale: scale, accumulate: accumulate, medianWindow: nil, selection: nil)
  }

  func roundingFloor<L: RobustLoss>(loss: L, scale c: Double) -> Double {
    Self.roundingFloor(sum: roundingFloorSum(loss: loss, scale: c), scale: c)
  }

  /// Σ|ψ(rᵢ/c)|·(|yᵢ| + |yᵢ − rᵢ|) over the pass's residuals: the rounding floor's sum, which a
  /// distributed pass adds over batches before the factor is applied once.
  func roundingFloorSum<L: RobustLoss>(loss: L, scale c: Double) -> Double {
    var floor = 0.0
    for i in 0..<design.rows {
      let r = residuals[i], y = response[i]
      floor += abs(loss.psi(r / c)) * (abs(y) + abs(y - r))
    }
    return floor
  }

  /// The rounding floor of Σρ from its sum: 16ε·sum/c.
  static func roundingFloor(sum: Double, scale c: Double) -> Double { 16 * Double.ulpOfOne * sum / c }

  func exactFit(scratch: UnsafeMutableBufferPointer<Double>) throws -> [Double]? {
    try ExactFit.detect(pass: self, scratch: scratch)
  }

  func solveByQR() throws -> [Double]? {
    let weights = self.weights
    return try weights.withUnsafeBufferPointer {
      try NormalEquations.solveQR(design: design, response: response, weights: $0)
    }
  }

  func overflow(scale c: Double) -> RegressionError {
    .objectiveOverflow(residuals: UnsafeBufferPointer(residuals), scale: c)
  }
}
