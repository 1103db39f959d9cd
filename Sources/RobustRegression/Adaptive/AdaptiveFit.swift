import CLapack
import RealModule

/// Barron's adaptive loss (``Loss/adaptive(alphaRange:)``): minimises the negative log-likelihood
///
///     NLL(β, α, c) = Σρ(rᵢ/c; α) + n·log c + n·log Z(α)
///
/// jointly over β, α in the loss's range (within [0, ∞); default [0, 2]) and c ≥ a data-relative floor
/// (Docs/spec.md §5). Each outer iteration is one fused IRLS pass over X at the current (α, c) followed by a
/// damped Newton step in (α, log c) on the new residuals; a β step that would raise the NLL is
/// halved, so the NLL never increases from one iteration to the next (see Docs/adaptive.md).
///
/// The outcome's objective is the NLL, its α and scale the learned shape and scale, and its adaptive
/// summary says whether either ended on a bound and gives their standard errors from the observed
/// information.
struct AdaptiveFitter {
  let fitProblem: FitProblem
  let alphaRange: ClosedRange<Double>

  /// How much a profiled point's last iteration may lower its NLL and still count as converged.
  enum ValueTolerance {
    case absolute(Double)
    /// A fraction of max(1, |NLL|).
    case relative(Double)

    func limit(at nll: Double) -> Double {
      switch self {
      case .absolute(let value): value
      case .relative(let fraction): fraction * max(1, abs(nll))
      }
    }
  }

  /// Where a descent ended: IRLS's outcome (its objective the NLL) and the shape α.
  struct State {
    var outcome: DescentOutcome
    var alpha: Double
    /// Whether the descent's last fused pass was at exactly this (β, α, c), with the shape sums: its
    /// residuals, weights, NLL and ``WeightedPass/shapeSums`` are the fit's (a deferred descent that
    /// converged, ``descend``'s `defersShapeTest`).
    var passIsCurrent = false
  }

  /// The tolerance of the scan's profiled fits (``descend``'s: NLL change, and its square root for the
  /// steps in β, α and c).
  static let scanTolerance = 1e-6

  /// How far the NLL of a profiled point may be above the profile. On a subsample the scan's points only
  /// pick a basin (against a threshold 1.92 above the optimum): 1e-2 absolute. Points the fit reports
  /// (the profile: the scan's on all rows, the interval's) are converged to 1e-9 relative, so the
  /// printed profile holds the digits it shows.
  static let scanValueTolerance = 1e-2, reportedValueTolerance = 1e-9

  /// Rows used by the variance criterion's search (``MinimumVarianceFitter``); above this a
  /// deterministic subsample of this many rows is searched.
  static let scanRows = 10_000

  /// Rows used by the likelihood's start and scan with p coefficients: above this the keyed sample of
  /// this many rows (at least 50 per coefficient; ``FitProblem/likelihoodSample(rows:)``, the rows a
  /// distributed fit draws too) is scanned. The scan only picks the basin
  /// (the descent on all rows, started from the subsample's optimum, finds the optimum in it) and the
  /// interval is then profiled on all rows.
  static func likelihoodScanRows(columns p: Int) -> Int { max(2_000, 50 * p) }

  /// Above this p/n the fit warns that α and c are biased down (``FitWarning/manyCoefficientsPerObservation(parameters:rows:)``):
  /// measured over n = 1000 with Gaussian noise, α̂ is near 2 up to p/n = 0.2, 0–2 at 0.25, 0 at 0.3.
  static let warnedParametersPerRow = 0.1

  /// The adaptive fit: a robust start, the scale floor from the start's residuals, a scan in α for the
  /// basin (on the likelihood's sample above ``likelihoodScanRows(columns:)`` rows), the joint descent on
  /// all rows, then the fit's description.
  func fit() throws -> FitOutcome {
    let options = fitProblem.options
    // Above `likelihoodScanRows` rows the start and scan run on a sample (see `scan`): the keyed sample a
    // distributed fit draws too (``FitProblem/likelihoodSample(rows:)``).
    let scanData = fitProblem.likelihoodSample(rows: Self.likelihoodScanRows(columns: fitProblem.design.columns))
    let subsampled = scanData.design.rows < fitProblem.design.rows
    let start = try startOnSample(scanData, subsampled: subsampled)
    let pass = Self.barronPass(for: fitProblem)
    let state = try descend(pass, beta: start.beta, alpha: start.alpha, scale: start.scale,
                            range: alphaRange, scaleFloor: start.scaleFloor, fixedScale: start.fixedScale,
                            maxIterations: options.maxIterations, tolerance: options.tolerance,
                            recordHistory: options.recordHistory,
                            lengthens: subsampled, defersShapeTest: subsampled)
    let optimum = try inspect(state, pass: pass, scaleFloor: start.scaleFloor, fixedScale: start.fixedScale)
    var outcome = try summarize(state, optimum: optimum, pass: pass)
    let onAllRows = !subsampled && !start.scanned.isEmpty
    outcome.adaptive?.selection = try selection(state, pass: pass, scaleFloor: start.scaleFloor,
                                                fixedScale: start.fixedScale,
                                                scanned: onAllRows ? start.scanned : nil, subsampled: subsampled,
                                                alphaStandardError: optimum.information?.alphaStandardError,
                                                profileSlope: optimum.profileSlope)
    if start.fixedScale { outcome.lossScaleSource = .given }
    return outcome
  }

  /// The pass of the adaptive fit's fused passes over `data`'s rows (the scan and polish on the likelihood's
  /// sample, the joint descent, its summary and the α interval's fits on all rows): cut into
  /// ``ParallelChunks/barronPass(rows:)`` chunks (each row of these passes costs Barron's functions, so they
  /// are cut finer than ``ParallelChunks/weightedPass(rows:columns:)``'s); `data`'s own pass where the counts
  /// agree.
  static func barronPass(for data: FitProblem) -> WeightedPass {
    let chunks = ParallelChunks.barronPass(rows: data.design.rows)
    guard chunks != data.pass.chunks else { return data.pass }
    return WeightedPass(design: data.design, response: data.response, caseWeights: data.caseWeights, chunks: chunks)
  }

  /// Where the joint descent on all rows starts, and what the start fixed: c's floor, whether c is
  /// held, and the scan's profiled points (the lower NLL of the two starts at each α).
  struct Start {
    var beta: [Double]
    var alpha: Double
    var scale: Double
    var nll: Double
    var scaleFloor: Double
    var fixedScale: Bool
    var scanned: [Profiled]
  }

  /// The start of the joint descent, from `scanData` in memory: all rows, or (`subsampled`) the
  /// likelihood's sample of ``likelihoodScanRows(columns:)`` rows — drawn from the rows in memory or, in
  /// a distributed fit, by the host (``DriverSample/sample(host:predictors:intercept:weighted:size:names:slack:)``,
  /// the same rows). The robust start, c's floor from its residuals, the α scan from it and from a
  /// Huber fit, and on a sample the polish of the best grid point to the sample's optimum.
  ///
  /// `concurrently` (the default) runs the Huber start's scan on a second thread on the sample; false runs
  /// it after the S scan on this thread (the same doubles; for the tests that show it).
  func startOnSample(_ scanData: FitProblem, subsampled: Bool, concurrently: Bool = true) throws -> Start {
    let options = fitProblem.options
    let fixedScale: Bool = { if case .fixed = options.scale { return true } else { return false } }()
    let scans = alphaRange.lowerBound < alphaRange.upperBound
    // The automatic start is the S-estimate; the scan also looks from the Huber fit's basin (which can
    // hold the lower NLL, e.g. at α near 2 on Gaussian data) and keeps the lower of the two.
    let scansFromHuber: Bool = {
      guard scans, case .automatic = options.start else { return false }
      return scanData.design.rows > 2 * scanData.design.columns
    }()
    // On the sample, the Huber start and its scan run on a second thread beside the S start and its scan
    // (the same doubles: ``ConcurrentHuberScan``).
    let huberScan = concurrently && subsampled && scansFromHuber
      ? ConcurrentHuberScan(fitter: self, sample: scanData, fixedScale: fixedScale) : nil
    do {
      let start = try startFromBoth(scanData, subsampled: subsampled, fixedScale: fixedScale, scans: scans,
                                    scansFromHuber: scansFromHuber, huberScan: huberScan)
      return start
    } catch {
      huberScan?.cancel()
      throw error
    }
  }

  /// ``startOnSample(_:subsampled:)``'s work on this thread: the S start (or the given one), c's floor, its
  /// scan, the Huber scan's points merged (run here, or on `huberScan`'s thread), and the polish.
  private func startFromBoth(_ scanData: FitProblem, subsampled: Bool, fixedScale: Bool, scans: Bool,
                             scansFromHuber: Bool, huberScan: ConcurrentHuberScan?) throws -> Start {
    let options = fitProblem.options
    let startBeta = try startingCoefficients(scanData: scanData, subsampled: subsampled)
    let (reference, scaleFloor) = Self.scaleFloor(of: scanData, from: startBeta)
    var startScale: Double
    if case .fixed(let c) = options.scale { startScale = c } else { startScale = max(reference, scaleFloor) }
    huberScan?.handOff.begin(scale: startScale, scaleFloor: scaleFloor)
    // The profile of the NLL in α can have several local minima (e.g. a "robust" one at small α with β on
    // the majority of the data and a "Gaussian" one at α = 2 with β near OLS), and the joint descent only
    // finds the one whose basin it starts in. So it starts from the best point of a coarse scan in α, each
    // point with β and c profiled (see `scan`).
    var start = (beta: startBeta, alpha: min(max(1, alphaRange.lowerBound), alphaRange.upperBound),
                 scale: startScale, nll: Double.infinity)
    // The scans' profiled points, the lower NLL of the two starts at each α: on all rows they are the
    // profile the selection reports (and brackets the interval's ends with).
    var scanned: [Double: Profiled] = [:]
    // On the sample the scan and polish run on ``barronPass(for:)``'s chunks.
    let samplePass = subsampled ? Self.barronPass(for: scanData) : scanData.pass
    if scans {
      start = try scan(scanData, pass: samplePass, subsampled: subsampled, from: startBeta, scale: startScale,
                       scaleFloor: scaleFloor, fixedScale: fixedScale, points: &scanned,
                       finished: huberScan.map { huber in { huber.handOff.finish($0, $1) } })
      if let huberScan {
        if let found = try huberScan.result() {
          // The Huber scan kept its points only where their NLL was below the S scan's (or the S scan had
          // none): the sequential scan's merge.
          scanned.merge(found.points) { _, huber in huber }
          if found.best.nll < start.nll { start = found.best }
        }
      } else if scansFromHuber {
        let subScratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: scanData.design.rows)
        defer { subScratch.deallocate() }
        let huberBeta = try scanData.huberStart(scratch: subScratch)
        let other = try scan(scanData, pass: samplePass, subsampled: subsampled, from: huberBeta, scale: startScale,
                             scaleFloor: scaleFloor, fixedScale: fixedScale, points: &scanned, joining: true)
        if other.nll < start.nll { start = other }
      }
    }
    // On a subsample the scan's best grid point is first taken to the subsample's optimum (cheap), which
    // lies within the sampling error of the all-row optimum: the descent on all rows starts there.
    if subsampled, start.nll.isFinite {
      let polished = try descend(samplePass, beta: start.beta, alpha: start.alpha, scale: start.scale,
                                 range: alphaRange, scaleFloor: scaleFloor, fixedScale: fixedScale,
                                 maxIterations: options.maxIterations, tolerance: Self.scanTolerance,
                                 recordHistory: false, lengthens: true, defersShapeTest: true)
      let end = polished.outcome
      if end.objective.isFinite, end.coefficients.allSatisfy(\.isFinite) {
        start = (end.coefficients, polished.alpha, end.scale, end.objective)
      }
    }
    return Start(beta: start.beta, alpha: start.alpha, scale: start.scale, nll: start.nll, scaleFloor: scaleFloor,
                 fixedScale: fixedScale, scanned: Array(scanned.values))
  }

  /// A robust start for β, unless the caller gave one. Above `likelihoodScanRows` rows the automatic
  /// start is made on the scan's subsample: it only has to put β in the robust basin, the descent refines
  /// it on all rows. There it is the S-estimate's minimum on the subsample reached from a candidate
  /// search on one group of its rows (``SEstimator/basinEstimate()``): a fifth of fast-S's work.
  private func startingCoefficients(scanData: FitProblem, subsampled: Bool) throws -> [Double] {
    guard case .automatic = fitProblem.options.start, subsampled else {
      let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: fitProblem.design.rows)
      defer { scratch.deallocate() }
      return try fitProblem.start(isConvex: false, scratch: scratch)
    }
    guard scanData.design.rows > 2 * scanData.design.columns else {
      let subScratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: scanData.design.rows)
      defer { subScratch.deallocate() }
      return try scanData.huberStart(scratch: subScratch)
    }
    return try SEstimator(problem: scanData, seed: fitProblem.options.seed).basinEstimate().coefficients
  }

  /// The start's residual scale s₀ (the reference for c's first value) and c's floor 1e-6·s₀, from the
  /// start's residuals on `data` (all rows, or above ``likelihoodScanRows(columns:)`` rows the likelihood's
  /// sample, where the scan starts: a distributed fit holds only the sample).
  ///
  /// The NLL runs to −∞ as c → 0 when residuals are exactly 0, so c has a data-relative floor:
  /// 1e-6 · s₀, with s₀ = median(|r|)/0.6745 over the start's residuals that are not 0 up to the
  /// rounding of their own evaluation (|rᵢ| ≤ 64ε·(|yᵢ| + Σⱼ|xᵢⱼβⱼ|), ``ExactFit``), or max|y| when all
  /// are (an exact fit). The test is row by row and free of the data's units: a gross outlier of any
  /// size does not make the other residuals "zero" (a cut-off relative to max|y| did, and the floor
  /// then held c at the outlier's scale), and rows that lie on the start's line only up to rounding do
  /// not pull the floor to 0 when more than half of the points lie exactly on it.
  static func scaleFloor(of data: FitProblem, from startBeta: [Double]) -> (reference: Double, floor: Double) {
    let pass = data.pass, design = data.design, response = data.response
    let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: design.rows)
    defer { scratch.deallocate() }
    pass.runWithUnitWeights(beta: startBeta, accumulate: false)
    let yScale = response.reduce(0) { max($0, abs($1)) }
    var count = 0
    var weights: [Double] = []  // of the rows kept, with case weights
    let bound = ExactFit.roundingBound(beta: startBeta, columnMagnitudes: data.columnMagnitudes)
    for i in 0..<design.rows where !ExactFit.isOnFit(row: i, design: design, response: response, beta: startBeta,
                                                     residual: pass.residuals[i], bound: bound) {
      scratch[count] = abs(pass.residuals[i])
      if let caseWeights = data.caseWeights { weights.append(caseWeights[i]) }
      count += 1
    }
    let kept = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
    let middle = data.caseWeights == nil
      ? Selection.median(reordering: kept)
      : weights.withUnsafeBufferPointer { Selection.weightedMedian(values: UnsafeBufferPointer(kept), weights: $0) }
    let nonzeroSigma = count > 0 && !middle.isNaN ? middle / Selection.madConsistency : 0
    let reference = nonzeroSigma > 0 ? nonzeroSigma : (yScale > 0 ? yScale : 1)
    return (reference, 1e-6 * reference)
  }

  /// The descent's end as the fit reports it, on any ``AdaptivePass``: the NLL there, whether α or c
  /// ended on a bound, the observed information (one pass of its sums), and the profile's slope in α
  /// there (``ObservedInformation/profileSlope``) for the interval's profiled fits. The pass's residuals
  /// are left at the end point.
  struct Optimum {
    var nll: Double
    var alphaOnBound: Bool
    var scaleOnBound: Bool
    var information: ObservedInformation?
    var profileSlope: ProfileSlope?
  }

  func inspect<P: AdaptivePass>(_ state: State, pass: P, scaleFloor: Double, fixedScale: Bool) throws -> Optimum {
    let beta = state.outcome.coefficients, alpha = state.alpha, scale = state.outcome.scale
    if !state.passIsCurrent {
      try pass.run(beta: beta, loss: BarronLoss(alpha: alpha), scale: scale, accumulate: false, shape: nil)
    }
    let nll = BarronNLL.value(sumRho: pass.objective, count: pass.totalWeight, scale: scale, alpha: alpha)
    guard nll.isFinite else { throw IRLS.overflow(pass: pass, scale: scale) }
    let alphaOnBound = alpha <= alphaRange.lowerBound || alpha >= alphaRange.upperBound
    let scaleOnBound = !fixedScale && scale <= scaleFloor * (1 + 1e-9)
    // α's rows of the information are summed also with α held on a bound (for the profile's slope).
    let alphaFree = !alphaOnBound, alphaSummed = alphaFree || (alpha.isFinite && alpha != 2)
    let sums = try pass.informationSums(alpha: alpha, scale: scale, alphaSummed: alphaSummed)
    let information = ObservedInformation.compute(sums: sums, count: pass.totalWeight, columns: pass.columns,
                                                  alpha: alpha, scale: scale, alphaFree: alphaFree,
                                                  alphaSummed: alphaSummed,
                                                  scaleFree: !scaleOnBound && !fixedScale)
    // With α on a bound, the profile's slope inwards there (∂NLL/∂α at the optimum: β and c are
    // stationary in it) for the interval's first step.
    var boundSlope: Double?
    if alphaOnBound, alpha.isFinite, alpha != 2 {
      let problem = ShapeScaleProblem(sums: pass.residualSums, alphaRange: alphaRange, scaleFloor: scaleFloor)
      // The last fused pass's sums when it was at this point.
      let local = try state.passIsCurrent && pass.shapeSums != nil
        ? problem.local(sums: pass.shapeSums!, alpha: alpha, scale: scale) : problem.local(alpha: alpha, scale: scale)
      boundSlope = local.gradient.alpha.isFinite ? local.gradient.alpha : nil
    }
    return Optimum(nll: nll, alphaOnBound: alphaOnBound, scaleOnBound: scaleOnBound, information: information,
                   profileSlope: information?.profileSlope.map {
                     ProfileSlope(beta: $0.beta, logScale: $0.logScale, curvature: $0.curvature,
                                  boundGradient: boundSlope)
                   })
  }

  /// The outcome at the descent's end (its pass's residuals there, ``inspect``'s optimum): residuals,
  /// weights, the NLL, the bounds, the observed information's standard errors and the warnings.
  private func summarize(_ state: State, optimum: Optimum, pass: WeightedPass) throws -> FitOutcome {
    let options = fitProblem.options, design = fitProblem.design
    let n = design.rows
    let beta = state.outcome.coefficients, alpha = state.alpha, scale = state.outcome.scale
    let termination = state.outcome.termination, iteration = state.outcome.iterations
    let residuals = Array(pass.residuals), weights = Array(pass.weights)
    let information = optimum.information
    var warnings: [FitWarning] = []
    var inference: Inference?
    if let information {
      inference = Inference(covariance: information.betaCovariance, coefficients: beta,
                            degreesOfFreedom: fitProblem.residualDegreesOfFreedom, method: .observedInformation,
                            confidenceLevel: options.confidenceLevel)
    }
    if inference == nil { warnings.append(.standardErrorsUnavailable(.informationNotPositiveDefinite)) }
    if termination == .iterationLimit { warnings.append(.adaptiveIterationLimit(iterations: iteration)) }
    if optimum.scaleOnBound { warnings.append(.lossScaleOnFloor) }
    if Double(design.columns) > Self.warnedParametersPerRow * Double(n) {
      warnings.append(.manyCoefficientsPerObservation(parameters: design.columns, rows: n))
    }
    let sigma = pass.residualScale(of: residuals)
    return FitOutcome(
      names: design.names, coefficients: beta, residuals: residuals, weights: weights,
      scale: scale, sigma: sigma, tuning: nil, alpha: alpha, objective: optimum.nll,
      objectiveKind: .negativeLogLikelihood,
      iterations: iteration, termination: termination, inference: inference,
      outliers: fitProblem.flagOutliers(residuals, sigma: sigma), history: state.outcome.history, warnings: warnings,
      adaptive: AdaptiveSummary(alphaRange: alphaRange, alphaOnBound: optimum.alphaOnBound,
                                scaleOnBound: optimum.scaleOnBound,
                                alphaStandardError: information?.alphaStandardError,
                                scaleStandardError: information?.scaleStandardError,
                                selection: RegressionFit.ShapeSelection(criterion: .likelihood, profile: [],
                                                                        alphaInterval: nil)))
  }

  /// The profile NLL_p(α) near the optimum (``ObservedInformation/profileSlope``): d(β, log c)/dα, its
  /// curvature d²NLL_p/dα², and with α on a bound its gradient dNLL_p/dα there.
  struct ProfileSlope {
    var beta: [Double]
    var logScale: Double
    var curvature: Double
    var boundGradient: Double?
  }

  /// The NLL minimised over β and c at one α.
  struct Profiled {
    var alpha: Double
    var nll: Double
    var beta: [Double]
    var scale: Double

    /// The same profiled point up to the tolerance of the fits that made it: NLLs within `tolerance`
    /// (relative, at least 1) and β and c within √tolerance (relative), the fits' own stopping rule.
    func isSame(as other: Profiled, tolerance: Double) -> Bool {
      abs(nll - other.nll) <= tolerance * max(1, abs(nll)) && IRLS.relativeChange(beta, other.beta) <= tolerance.squareRoot()
        && abs(scale - other.scale) <= tolerance.squareRoot() * scale
    }
  }

  /// The likelihood's selection: the NLL profiled over β and c (c held when fixed) over α, and the
  /// profile-likelihood interval {α : NLL_p(α) ≤ NLL_min + χ²₁(level)/2}, each end found by the Illinois
  /// method between the profile points that bracket the threshold, or on the range's bound when the
  /// profile stays below it. The profile is the start scan's (both starts, the lower NLL at each α of
  /// `scanGrid`) when it ran on all rows (`scanned`); above ``likelihoodScanRows(columns:)`` rows the grid points are profiled
  /// on all rows outwards from the optimum, each side only until it crosses the threshold.
  ///
  /// On all rows, with α inside its range and a standard error from the observed information, each side
  /// first tries the Wald end α̂ ± z·se (the profile is nearly quadratic there at such sizes), then, while
  /// the threshold is not crossed, where the quadratic through the optimum and the last point reaches it
  /// (``quadraticReach(from:rise:slope:to:)``), instead of walking the grid: two or three profiled fits a
  /// side where the grid walk took one per grid point plus the bracket's. With α on a bound of its range
  /// the inward side first tries where the profile's local quadratic (its slope there and curvature from
  /// the observed information with α free) reaches the threshold. A point that lands on the threshold
  /// (``meetsThreshold(_:threshold:)``) is the end. The profile then holds the points evaluated. Each profiled fit starts from its neighbour moved along the profile's slope
  /// d(β, log c)/dα at the optimum.
  func selection<P: AdaptivePass>(_ state: State, pass: P, scaleFloor: Double, fixedScale: Bool, scanned: [Profiled]?,
                                  subsampled: Bool, alphaStandardError: Double?, profileSlope: ProfileSlope?) throws
    -> RegressionFit.ShapeSelection {
    let optimum = Profiled(alpha: state.alpha, nll: state.outcome.objective, beta: state.outcome.coefficients,
                           scale: state.outcome.scale)
    let level = fitProblem.options.confidenceLevel
    let threshold = optimum.nll + Normal.chiSquaredOneQuantile(level) / 2
    // Each profiled fit starts from a neighbouring point moved along the profile's slope at the
    // optimum (first order in Δα; the descent takes it from there).
    func profiled(_ alpha: Double, from warm: Profiled) throws -> Profiled {
      var beta = warm.beta, scale = warm.scale
      if let profileSlope {
        let step = alpha - warm.alpha
        let movedBeta = zip(beta, profileSlope.beta).map { $0 + step * $1 }
        let movedScale = fixedScale ? scale : max(scaleFloor, scale * Double.exp(step * profileSlope.logScale))
        if movedBeta.allSatisfy(\.isFinite) && movedScale.isFinite { (beta, scale) = (movedBeta, movedScale) }
      }
      let end = try descend(pass, beta: beta, alpha: alpha, scale: scale, range: alpha...alpha,
                            scaleFloor: scaleFloor, fixedScale: fixedScale, maxIterations: 200, tolerance: 1e-9,
                            valueTolerance: .relative(Self.reportedValueTolerance), recordHistory: false,
                            defersShapeTest: subsampled)
      return Profiled(alpha: alpha, nll: end.outcome.objective, beta: end.outcome.coefficients, scale: end.outcome.scale)
    }
    let grid = Self.scanGrid(alphaRange)
    var points = [optimum]
    let known = Dictionary((scanned ?? []).map { ($0.alpha, $0) }, uniquingKeysWith: { $0.nll <= $1.nll ? $0 : $1 })
    // One side of the optimum: the profile at the grid points outwards until one lies above the
    // threshold, then the interval's end between it and the last point below.
    func side(_ outwards: [Double], bound: Double) throws -> (end: Double, onBound: Bool) {
      var inside = optimum
      var crossed: (Profiled, Profiled)?
      for alpha in outwards {
        let point = try known[alpha] ?? profiled(alpha, from: inside)
        points.append(point)
        if crossed == nil, !(point.nll.isFinite && point.nll <= threshold) {
          crossed = (inside, point)
          if scanned == nil { break }
        } else if crossed == nil {
          inside = point
        }
      }
      guard let (lastInside, firstOutside) = crossed else { return (bound, true) }
      return (try crossing(inside: lastInside, outside: firstOutside, threshold: threshold, minimum: optimum.nll,
                           profiled: profiled), false)
    }
    // The search seeded from the profile's local shape (above `likelihoodScanRows` rows): the first step
    // outwards, then while the threshold is not crossed the step where the quadratic through the optimum
    // (its slope outwards `slope` there: 0 with α inside its range) and the last point reaches it.
    func waldSide(direction: Double, bound: Double, step: Double, slope: Double) throws -> (end: Double, onBound: Bool)? {
      var inside = optimum
      var distance = step
      for _ in 0..<4 {
        var alpha = optimum.alpha + direction * distance
        let atBound = direction > 0 ? alpha >= bound : alpha <= bound
        if atBound { alpha = bound }
        let point = try profiled(alpha, from: inside)
        points.append(point)
        if !(point.nll.isFinite && point.nll <= threshold) {
          return (try crossing(inside: inside, outside: point, threshold: threshold, minimum: optimum.nll,
                               profiled: profiled), false)
        }
        if atBound { return (bound, true) }
        // A step that lands on the threshold (the profile's local shape predicted it) is the end: the
        // crossing's own stopping rule, without a second point to bracket it.
        if Self.meetsThreshold(point.nll - threshold, threshold: threshold) { return (point.alpha, false) }
        inside = point
        distance = Self.quadraticReach(from: abs(alpha - optimum.alpha), rise: point.nll - optimum.nll,
                                       slope: slope, to: threshold - optimum.nll)
      }
      return nil  // not crossed within 4 steps: the grid walk decides
    }
    // The first steps: with α inside its range the Wald end's z·se; from α on a bound, inwards, where the
    // quadratic profile g·Δ + h·Δ²/2 (g its slope inwards, h its curvature) reaches the threshold,
    // Δ = 2q/(g + √(g² + 2hq)), q = χ²₁(level)/2.
    var firstStep: (upper: (step: Double, slope: Double)?, lower: (step: Double, slope: Double)?) = (nil, nil)
    if scanned == nil {
      if let se = alphaStandardError, se > 0, se.isFinite {
        let z = Normal.quantile(0.5 + level / 2)
        firstStep = ((z * se, 0), (z * se, 0))
      } else if let profileSlope, let gradient = profileSlope.boundGradient, profileSlope.curvature > 0 {
        let atLower = optimum.alpha <= alphaRange.lowerBound
        let g = max(0, atLower ? gradient : -gradient), h = profileSlope.curvature, q = threshold - optimum.nll
        let step = 2 * q / (g + (g * g + 2 * h * q).squareRoot())
        if step > 0 && step.isFinite { firstStep = atLower ? ((step, g), nil) : (nil, (step, g)) }
      }
    }
    let upper = try firstStep.upper.flatMap {
      try waldSide(direction: 1, bound: alphaRange.upperBound, step: $0.step, slope: $0.slope)
    } ?? side(grid.filter { $0 > optimum.alpha }, bound: alphaRange.upperBound)
    let lower = try firstStep.lower.flatMap {
      try waldSide(direction: -1, bound: alphaRange.lowerBound, step: $0.step, slope: $0.slope)
    } ?? side(grid.filter { $0 < optimum.alpha }.reversed(), bound: alphaRange.lowerBound)
    let profile = points.sorted { $0.alpha < $1.alpha }.map {
      RegressionFit.ProfilePoint(alpha: $0.alpha, value: $0.nll, lossScale: $0.scale)
    }
    return RegressionFit.ShapeSelection(
      criterion: .likelihood, profile: profile,
      alphaInterval: RegressionFit.AlphaInterval(level: level, lower: lower.end, upper: upper.end,
                                                 lowerOnBound: lower.onBound, upperOnBound: upper.onBound))
  }

  /// Whether a profiled point `f` = NLL_p − threshold from the interval's threshold is on it: within 1e-9
  /// relative (at least 1e-9), the digits the profiled fits resolve (``reportedValueTolerance``).
  static func meetsThreshold(_ f: Double, threshold: Double) -> Bool {
    abs(f) < 1e-9 * max(1, abs(threshold))
  }

  /// How far from the optimum the profile reaches the threshold, `reach` above the optimum's NLL, on the
  /// quadratic g·Δ + a·Δ² through the optimum (slope g outwards there: 0 with α inside its range) and a
  /// point at `distance` that rose by `rise` < `reach`: Δ = 2·reach/(g + √(g² + 4a·reach)); with α inside
  /// its range that is distance·√(reach/rise), the signed root's linear extrapolation. Between 1 and 4
  /// times `distance` (twice it where the points give no positive curvature).
  static func quadraticReach(from distance: Double, rise: Double, slope g: Double, to reach: Double) -> Double {
    let a = (rise - g * distance) / (distance * distance)
    let next = 2 * reach / (g + (g * g + 4 * a * reach).squareRoot())
    guard a > 0, next.isFinite else { return 2 * distance }
    return min(max(next, distance), 4 * distance)
  }

  /// The α between `inside` (profile at or below `threshold`) and `outside` (above it) where the profile
  /// crosses the threshold, by the Illinois method to 5e-4 in α, each point warm-started from the
  /// nearest inside point; the end is the bracket's linear interpolation. Both work on the signed root
  /// √(2(NLL_p − `minimum`)) against √(2(threshold − `minimum`)), which is nearly linear in α where the
  /// profile is nearly quadratic (near its optimum: the Wald interval's premise), so that the secant
  /// steps land close to the end where on the NLL itself they fall short on the convex side.
  private func crossing(inside start: Profiled, outside end: Profiled, threshold: Double, minimum: Double,
                        profiled: (Double, Profiled) throws -> Profiled) throws -> Double {
    let target = (2 * (threshold - minimum)).squareRoot()
    // The signed root's distance from the target (1 where the NLL is not finite: outside).
    func distance(_ point: Profiled) -> Double {
      point.nll.isFinite ? (2 * max(0, point.nll - minimum)).squareRoot() - target : 1
    }
    var inside = start, outside = end
    var fInside = distance(inside), fOutside = distance(outside)
    var retained = 0
    for _ in 0..<40 where abs(outside.alpha - inside.alpha) > 5e-4 {
      var alpha = (inside.alpha * fOutside - outside.alpha * fInside) / (fOutside - fInside)
      let lo = min(inside.alpha, outside.alpha), hi = max(inside.alpha, outside.alpha)
      if !(alpha > lo && alpha < hi) { alpha = (inside.alpha + outside.alpha) / 2 }
      let point = try profiled(alpha, inside)
      let f = distance(point)
      if point.nll.isFinite && point.nll <= threshold {
        inside = point; fInside = f
        retained += 1
        if retained >= 2 { fOutside /= 2 }
      } else {
        outside = point; fOutside = f
        retained = 0
      }
      if point.nll.isFinite && Self.meetsThreshold(point.nll - threshold, threshold: threshold) { return point.alpha }
    }
    // The bracket is within 5e-4: its linear interpolation (the profile is smooth across it; the
    // midpoint when the outside value is not finite).
    guard outside.nll.isFinite else { return (inside.alpha + outside.alpha) / 2 }
    let f0 = distance(inside), f1 = distance(outside)
    let alpha = inside.alpha + (outside.alpha - inside.alpha) * (-f0) / (f1 - f0)
    return alpha.isFinite ? min(max(alpha, min(inside.alpha, outside.alpha)), max(inside.alpha, outside.alpha))
      : (inside.alpha + outside.alpha) / 2
  }

  /// The α values of the scan on a subsample (`coarse`, above ``likelihoodScanRows(columns:)`` rows):
  /// every other point of ``scanGrid(_:)`` (0, 0.5, 1, 1.5, 2 on the default range), its last point and
  /// α = 2 kept. That scan only picks the basin for the descent on all rows and reports no profile, and
  /// its profiled fits are its largest cost at n = 1e4. Otherwise ``scanGrid(_:)`` itself.
  static func scanGrid(_ range: ClosedRange<Double>, coarse: Bool) -> [Double] {
    let grid = scanGrid(range)
    guard coarse else { return grid }
    return grid.indices.filter { $0 % 2 == 0 || $0 == grid.count - 1 || grid[$0] == 2 }.map { grid[$0] }
  }

  /// The α values of the start scan: 8 equal steps over the range when it is at most 8 wide (steps of
  /// 0.25 on the default [0, 2]), else steps of 0.5 up to lo + 4 and then doubling steps up to hi; α = 2
  /// is always included when it lies inside the range. At most 24 values; α = +∞ is not scanned.
  static func scanGrid(_ range: ClosedRange<Double>) -> [Double] {
    let lo = range.lowerBound, hi = range.upperBound
    var grid: [Double] = []
    if hi - lo <= 8 {
      grid = (0...8).map { lo + Double($0) / 8 * (hi - lo) }
      grid[8] = hi
    } else {
      var a = lo, step = 0.5
      while a < hi && grid.count < 23 {
        grid.append(a)
        if a >= lo + 4 { step *= 2 }
        a += step
      }
      if hi.isFinite { grid.append(hi) }
    }
    if range.contains(2) && !grid.contains(2) { grid.append(2) }
    return grid.sorted()
  }

  /// The start of the joint descent: for each α of `scanGrid`, in increasing order, β and c are profiled
  /// (the outer iteration with α held, to a loose tolerance, warm-started from the previous α: from the
  /// most robust shape to the least), and the (β, α, c) with the lowest NLL is returned. Above
  /// `likelihoodScanRows` rows the scan runs on the keyed sample of that many rows
  /// (``FitProblem/likelihoodSample(rows:)``), since it only has to pick a basin; the descent that follows
  /// uses every row.
  ///
  /// With `joining`, a second scan (from another start) stops at the first α where its profiled point is
  /// the earlier scan's (``Profiled/isSame(as:)``): from there on each α would start from the same
  /// (β, c) and end at the same point, so the earlier scan's points stand for the rest of it.
  ///
  /// Its profiled fits run on `pass` (over `data`'s rows). `earlier` gives the earlier scan's point at α where it is not in `points` (the scan on a second
  /// thread, ``ConcurrentHuberScan``, whose `points` hold its own only), and `finished` is told each α's
  /// point (nil where none was finite) as the scan finishes it.
  func scan(_ data: FitProblem, pass: WeightedPass, subsampled: Bool, from beta: [Double], scale: Double, scaleFloor: Double,
            fixedScale: Bool, points: inout [Double: Profiled], joining: Bool = false,
            earlier earlierScan: ((Double) -> Profiled?)? = nil,
            finished: ((Double, Profiled?) -> Void)? = nil) throws
    -> (beta: [Double], alpha: Double, scale: Double, nll: Double) {
    var best: (beta: [Double], alpha: Double, scale: Double, nll: Double)?
    var warm = (beta: beta, scale: scale)
    // On all rows the scan's points are the reported profile.
    let valueTolerance: ValueTolerance = subsampled
      ? .absolute(Self.scanValueTolerance) : .relative(Self.reportedValueTolerance)
    for alpha in Self.scanGrid(alphaRange, coarse: subsampled) {
      let state = try descend(pass, beta: warm.beta, alpha: alpha, scale: warm.scale, range: alpha...alpha,
                              scaleFloor: scaleFloor, fixedScale: fixedScale, maxIterations: 100,
                              tolerance: Self.scanTolerance, valueTolerance: valueTolerance,
                              recordHistory: false, lengthens: subsampled, defersShapeTest: subsampled)
      let end = state.outcome
      guard end.objective.isFinite, end.coefficients.allSatisfy(\.isFinite) else {
        finished?(alpha, nil)
        continue
      }
      warm = (end.coefficients, end.scale)
      let point = Profiled(alpha: alpha, nll: end.objective, beta: end.coefficients, scale: end.scale)
      finished?(alpha, point)
      let earlier = earlierScan.map { $0(alpha) } ?? points[alpha]
      if earlier.map({ end.objective < $0.nll }) ?? true { points[alpha] = point }
      if best == nil || end.objective < best!.nll { best = (end.coefficients, alpha, end.scale, end.objective) }
      if joining, let earlier, point.isSame(as: earlier, tolerance: Self.scanTolerance) { break }
    }
    guard let best else { return (beta, min(max(1, alphaRange.lowerBound), alphaRange.upperBound), scale, .infinity) }
    return best
  }

  /// The outer iteration on `data` from (β, α, c): one fused IRLS pass over X at the current (α, c), a β
  /// step that is halved back while it would raise the NLL, then one damped Newton step in
  /// (α, log c) on the new residuals (α within `range`, c above `scaleFloor` or held when `fixedScale`).
  /// The NLL never increases from one iteration to the next.
  ///
  /// With `valueTolerance` (for points of the profile, where only the NLL is wanted) it stops once an
  /// iteration lowers the NLL by at most that much, whatever the steps in β and c: the NLL is
  /// stationary there, so it is already accurate while β still moves in its last digits.
  ///
  /// With `lengthens` each β step is the IRLS step lengthened by ``StepLength`` (the NLL test above still
  /// applies to it).
  ///
  /// With `defersShapeTest` (above ``likelihoodScanRows(columns:)`` rows: the scan and polish on the
  /// subsample, the joint descent and the interval's profiled fits on all rows) the (α, c) step is the
  /// untested Newton step (``ShapeScaleProblem/proposal(_:alpha:scale:)``), taken with the next β step:
  /// the next fused pass evaluates the NLL at the new (β, α, c), and a rise halves β, α and log c back
  /// together. This saves the step's own pass over the residuals (and the start's settling passes). Where
  /// no untested step is offered (α = 2 or near it, no positive-definite Hessian, c held), or after a
  /// joint step was halved away entirely, that iteration's step is tested as above. The iteration is
  /// settled when its decrease plus the pending step's promised decrease is within the tolerance and
  /// both (α, c) steps, taken and pending, are small; it then ends at the evaluated point, whose pass the
  /// summary reuses (``State/passIsCurrent``).
  func descend<P: AdaptivePass>(_ pass: P, beta start: [Double], alpha startAlpha: Double, scale startScale: Double,
                       range: ClosedRange<Double>, scaleFloor: Double, fixedScale: Bool, maxIterations: Int,
                       tolerance: Double, valueTolerance: ValueTolerance? = nil, recordHistory: Bool,
                       lengthens: Bool = false, defersShapeTest: Bool = false) throws -> State {
    var beta = start, alpha = startAlpha, scale = startScale
    // log Z at the α of the passes (and its derivatives for the (α, c) steps), kept while α stays: a
    // profiled fit asks for them at one α throughout.
    let partition = LogPartitionMemo()
    // A fit profiled at a fixed α (a point of the profile) moves c alone: its passes sum ρ's
    // λ-derivatives only (``AdaptivePass/runProfiled``).
    let profiled = valueTolerance != nil && range.lowerBound == range.upperBound
    func fusedPass(_ loss: BarronLoss, _ shape: BarronShapeDerivatives?) throws {
      if profiled, let shape {
        try pass.runProfiled(beta: beta, loss: loss, scale: scale, shape: shape)
      } else {
        try pass.run(beta: beta, loss: loss, scale: scale, accumulate: true, shape: shape)
      }
    }
    func passValue() -> Double {
      BarronNLL.value(sumRho: pass.objective, count: pass.totalWeight, scale: scale,
                      logPartition: partition.logZ(alpha: alpha))
    }
    // Settle (α, c) on the start's residuals; not for a point of the profile (warm-started from a
    // neighbouring point): there the first fused pass's (α, c) step moves c, and that pass is saved. Nor
    // with `defersShapeTest`: each fused pass's untested Newton step in (α, c) settles them as β moves.
    var nll = Double.infinity
    if valueTolerance == nil && !defersShapeTest {
      try pass.prepareResiduals(beta: beta)
      let problem = ShapeScaleProblem(sums: pass.residualSums, alphaRange: range,
                                      scaleFloor: fixedScale ? scale : scaleFloor, partition: partition)
      nll = try problem.value(alpha: alpha, scale: scale)
      (alpha, scale, nll) = try settle(problem, alpha: alpha, scale: scale, value: nll, fixedScale: fixedScale,
                                   steps: 50, tolerance: tolerance)
    }
    var history: [IterationRecord] = []
    var termination = Termination.iterationLimit
    var iteration = 0
    // The last evaluated iterate, whose NLL is `nll`: β steps are halved back towards it, and with
    // `defersShapeTest` the untested (α, c) step with them.
    var previous = (beta: beta, alpha: alpha, scale: scale)
    // With `lengthens`, the β step's length factor and the last plain step (see `StepLength`).
    var length = StepLength()
    // Set when a deferred (α, c) step could not be kept: this iteration's step is tested by its trial.
    var testsShape = !defersShapeTest
    var passIsCurrent = false
    while iteration < maxIterations {
      iteration += 1
      // Fused pass at (β, α, c): residuals, NLL, XᵀWX, XᵀWy.
      // (With the shape derivatives summed in the same pass, for the (α, c) step below; not at α = 2,
      // where that step looks at 2 ± 1e-6 instead.)
      var loss = BarronLoss(alpha: alpha)
      var shape = alpha == 2 ? nil : BarronShapeDerivatives(alpha: alpha)
      try fusedPass(loss, shape)
      var current = passValue()
      // Never accept a higher NLL: halve the β step back towards the previous iterate (and a deferred
      // (α, c) step with it: α linearly, c geometrically).
      var halvings = 0
      while !(current <= nll + 1e-13 * max(1, abs(nll))) && halvings < 30 {
        for j in beta.indices { beta[j] = (beta[j] + previous.beta[j]) / 2 }
        if alpha != previous.alpha || scale != previous.scale {
          alpha = (alpha + previous.alpha) / 2
          scale = (scale * previous.scale).squareRoot()
          loss = BarronLoss(alpha: alpha)
          shape = alpha == 2 ? nil : BarronShapeDerivatives(alpha: alpha)
        }
        try fusedPass(loss, shape)
        current = passValue()
        halvings += 1
      }
      if !(current <= nll) { // no step lowers it: stay at the previous iterate
        let deferred = alpha != previous.alpha || scale != previous.scale
        (beta, alpha, scale) = previous
        loss = BarronLoss(alpha: alpha)
        shape = alpha == 2 ? nil : BarronShapeDerivatives(alpha: alpha)
        try fusedPass(loss, shape)
        current = nll
        if deferred { testsShape = true }
      }
      let betaStep = IRLS.relativeChange(beta, previous.beta)
      let betaChange = nll - current
      // (α, c) step on these residuals.
      let problem = ShapeScaleProblem(sums: pass.residualSums, alphaRange: range,
                                      scaleFloor: fixedScale ? scale : scaleFloor, partition: partition)
      let initial = pass.shapeSums.map { problem.local(sums: $0, alpha: alpha, scale: scale) }
      let proposal = testsShape || fixedScale ? nil
        : initial.flatMap { problem.proposal($0, alpha: alpha, scale: scale) }
      testsShape = !defersShapeTest
      if let proposal {
        // Deferred: the (α, c) step is the Newton step, tested by the next fused pass. Settled when this
        // iteration (β step and the previous (α, c) step) and the pending step together lower the NLL by
        // at most the tolerance and both steps are small.
        let moved = max(ShapeScaleProblem.shapeDistance(previous.alpha, alpha), abs(scale - previous.scale) / scale)
        let pending = max(ShapeScaleProblem.shapeDistance(alpha, proposal.alpha),
                          abs(proposal.scale - scale) / scale)
        nll = current
        if recordHistory {
          history.append(IterationRecord(iteration: iteration, objective: nll, scale: scale, coefficients: beta,
                                         relativeStep: betaStep))
        }
        let decrease = betaChange + proposal.decrease
        let settled = valueTolerance.map { decrease <= $0.limit(at: nll) }
          ?? (decrease / max(1, abs(nll)) <= tolerance && betaStep <= tolerance.squareRoot()
              && max(moved, pending) <= tolerance.squareRoot())
        if iteration > 1 && settled {
          termination = .converged
          // (A profiled fit's pass summed no α-derivatives: its sums are not the summary's.)
          passIsCurrent = pass.shapeSums != nil && !profiled
          break
        }
        guard let next = try IRLS.solveStep(pass: pass, scale: scale) else {
          termination = .rankDeficient
          break
        }
        previous = (beta, alpha, scale)
        beta = lengthens ? length.step(from: beta, plain: next) : next
        (alpha, scale) = (proposal.alpha, proposal.scale)
        continue
      }
      nll = current
      let before = (alpha, scale)
      (alpha, scale, nll) = try settle(problem, alpha: alpha, scale: scale, value: nll, fixedScale: fixedScale,
                                       steps: 1, tolerance: tolerance, initial: initial)
      let shapeChange = max(ShapeScaleProblem.shapeDistance(before.0, alpha), abs(scale - before.1) / scale)
      if recordHistory {
        history.append(IterationRecord(iteration: iteration, objective: nll, scale: scale, coefficients: beta,
                                       relativeStep: betaStep))
      }
      let objectiveChange = (betaChange + (current - nll)) / max(1, abs(nll))
      let settled = valueTolerance.map { betaChange + (current - nll) <= $0.limit(at: nll) }
        ?? (objectiveChange <= tolerance && betaStep <= tolerance.squareRoot() && shapeChange <= tolerance.squareRoot())
      if iteration > 1 && settled {
        termination = .converged
        break
      }
      // The next β from the weighted system of this pass (weights at the previous (α, c)).
      guard let next = try IRLS.solveStep(pass: pass, scale: scale) else {
        termination = .rankDeficient
        break
      }
      previous = (beta, alpha, scale)
      beta = lengthens ? length.step(from: beta, plain: next) : next
    }
    return State(outcome: DescentOutcome(coefficients: beta, scale: scale, objective: nll, iterations: iteration,
                                         termination: termination, history: history),
                 alpha: alpha, passIsCurrent: passIsCurrent)
  }

  /// The lengthened β step of ``descend``'s `lengthens` (used once the scan ran on a subsample: by the
  /// scan and polish on it and by the joint descent on all rows; never for fits of at most
  /// `likelihoodScanRows` rows, whose path is unchanged). IRLS's plain step
  /// s = β⁺ − β contracts β's error by a factor λ per iteration (about 0.5 at α = 0 on the benchmark
  /// data: 14 iterations from the subsample's optimum); the step taken is f·s, with f = 1/(1 − λ̂) (capped
  /// at 3), the factor that removes the error along s. λ̂ comes from consecutive plain steps: after a
  /// step f·s₀, the next plain step is (1 − f(1 − λ))·s₀ along s₀, so with r = ⟨s₁, s₀⟩/⟨s₀, s₀⟩ the next
  /// factor is f/(1 − r). Once a plain step is no shorter than the one before (r ≥ 1) the lengthening
  /// stops for good. The descent's NLL test (a β step that raises the NLL is halved back) still holds
  /// every step, so the NLL never increases.
  struct StepLength {
    var factor = 1.0
    var previous: [Double]?
    var active = true

    mutating func step(from beta: [Double], plain next: [Double]) -> [Double] {
      let s = zip(next, beta).map { $0 - $1 }
      if active, let previous {
        let dot = zip(s, previous).reduce(0) { $0 + $1.0 * $1.1 }
        let norm = previous.reduce(0) { $0 + $1 * $1 }
        let r = norm > 0 ? dot / norm : .nan
        if r.isFinite && r < 1 {
          factor = min(3, max(1, factor / (1 - r)))
        } else {
          active = false
          factor = 1
        }
      }
      previous = s
      return zip(beta, s).map { $0 + factor * $1 }
    }
  }

  private func settle(_ problem: ShapeScaleProblem, alpha: Double, scale: Double, value: Double,
                      fixedScale: Bool, steps: Int, tolerance: Double,
                      initial: ShapeScaleProblem.Local? = nil) throws -> (Double, Double, Double) {
    if fixedScale {
      return try problem.withScaleFloor(scale).descendAlphaOnly(alpha: alpha, scale: scale, value: value, steps: steps)
    }
    return try problem.descend(alpha: alpha, scale: scale, value: value, steps: steps, tolerance: tolerance,
                               initial: initial)
  }
}
