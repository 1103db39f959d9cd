/// The worker side of a distributed fit: one ``PassRequest`` over one batch of rows (Arrow columns in
/// a Spark task), computed by the library's own row code — the batch becomes a design in memory and a
/// ``WeightedPass`` over it gives the residuals, weights and sums, exactly as a fit in memory computes
/// them row by row (the batches' sums then differ from one machine's only in the order of additions).
package enum BatchPass {
  /// What went wrong with a batch.
  package enum Failure: Error, CustomStringConvertible {
    case badRequest
    case capacity(needed: Int, given: Int)
    case unsupported(String)

    package var description: String {
      switch self {
      case .badRequest: "the pass request is malformed (its layout is PassRequest's)"
      case .capacity(let needed, let given): "the output buffer holds \(given) doubles; the batch needs \(needed)"
      case .unsupported(let what): what
      }
    }
  }

  /// Writes the answer of `request` for the `rows` rows of `x` (one pointer per predictor column, in
  /// the request's order), `y` and the case `weights` (given exactly when the request is weighted) to
  /// `output`; returns the number of doubles written.
  package static func evaluate(_ request: PassRequest, x: [UnsafePointer<Double>], y: UnsafePointer<Double>,
                               weights: UnsafePointer<Double>? = nil, rows n: Int,
                               output: UnsafeMutableBufferPointer<Double>) throws(Failure) -> Int {
    guard x.count == request.predictors else { throw .badRequest }
    guard request.weighted == (weights != nil) else {
      throw .unsupported(request.weighted ? "the fit has case weights and the batch came without a weights column"
                                          : "the batch has a weights column and the fit has no case weights")
    }
    let needed = request.batchCapacity(rows: n)
    guard output.count >= needed else { throw .capacity(needed: needed, given: output.count) }
    if request.kind == .range { return range(request, x: x, y: y, weights: weights, rows: n, output: output) }
    if request.kind == .rows || request.kind == .keyHistogram || request.kind == .sampleRows,
       !request.conditioning.isEmpty {
      // The rows, their keys and the sample in the conditioned units (the keys of the rows a fit in
      // memory of the conditioned data draws).
      var plain = request
      plain.conditioning = []
      let columns = conditionedColumns(request, x: x, y: y, rows: n)
      return try columns.withUnsafeBufferPointer { all throws(Failure) in
        let base = all.baseAddress!
        return try evaluate(plain, x: (1...x.count).map { base + $0 * n }, y: base, weights: weights, rows: n,
                            output: output)
      }
    }
    if request.kind == .rows { return rows(x: x, y: y, weights: weights, rows: n, output: output) }
    if request.kind == .keyHistogram { return keyHistogram(request, x: x, y: y, weights: weights, rows: n, output: output) }
    if request.kind == .sampleRows { return sampleRows(request, x: x, y: y, weights: weights, rows: n, output: output) }
    // A weighted pass in memory checks its weights once (Regression.validate); here the range pass
    // has, and every later pass meets the same column.
    let pass = makePass(request, x: x, y: y, weights: weights, rows: n)
    if request.kind == .residualHistogram || request.kind == .residualValues {
      return residualSummary(request, pass: pass, y: y, output: output)
    }
    switch request.loss {
    case .unitWeights: return evaluate(request, pass: pass, loss: UnitWeights(), output: output)
    case .huber: return evaluate(request, pass: pass, loss: HuberLoss(), output: output)
    case .barron: return evaluate(request, pass: pass, loss: BarronLoss(alpha: request.alpha), output: output)
    case .tukey: return evaluate(request, pass: pass, loss: TukeyBiweightLoss(), output: output)
    }
  }

  /// The batch as a design (intercept first) and its pass, in the request's units and origins (its
  /// conditioning: x̃ = s·(x − m) per variable, as ``DataConditioning/conditioned(_:)-(DesignMatrix)`` makes them).
  static func makePass(_ request: PassRequest, x: [UnsafePointer<Double>], y: UnsafePointer<Double>,
                       weights: UnsafePointer<Double>?, rows n: Int) -> WeightedPass {
    let p = request.columns
    let values = [Double](unsafeUninitializedCapacity: n * p) { buffer, count in
      var j = 0
      if request.intercept {
        for i in 0..<n { buffer[i] = 1 }
        j = 1
      }
      for (k, column) in x.enumerated() {
        copy(column, to: buffer.baseAddress! + j * n, rows: n, change: change(request, variable: k + 1))
        j += 1
      }
      count = n * p
    }
    let names = (0..<p).map { "x\($0)" }
    let design = DesignMatrix(checkedRows: n, columns: p, values: values, names: names,
                              hasIntercept: request.intercept)
    let response = [Double](unsafeUninitializedCapacity: n) { buffer, count in
      copy(y, to: buffer.baseAddress!, rows: n, change: change(request, variable: 0))
      count = n
    }
    return WeightedPass(design: design, response: response,
                        caseWeights: weights.map { Array(UnsafeBufferPointer(start: $0, count: n)) })
  }

  /// y and the predictors one after another, each in the request's units and origin.
  static func conditionedColumns(_ request: PassRequest, x: [UnsafePointer<Double>], y: UnsafePointer<Double>,
                                 rows n: Int) -> [Double] {
    [Double](unsafeUninitializedCapacity: n * (x.count + 1)) { buffer, count in
      for (k, column) in ([y] + x).enumerated() {
        copy(column, to: buffer.baseAddress! + k * n, rows: n, change: change(request, variable: k))
      }
      count = n * (x.count + 1)
    }
  }

  /// Initialises n values at `target` from `column`, as (v − m)·s under a change, else as they are.
  static func copy(_ column: UnsafePointer<Double>, to target: UnsafeMutablePointer<Double>, rows n: Int,
                   change: (shift: Double, factor: Double)?) {
    guard let (m, s) = change else { return target.initialize(from: column, count: n) }
    for i in 0..<n { (target + i).initialize(to: (column[i] - m) * s) }
  }

  /// Variable k's (0: y) shift and factor, nil when the request leaves it as it is.
  static func change(_ request: PassRequest, variable k: Int) -> (shift: Double, factor: Double)? {
    guard !request.conditioning.isEmpty else { return nil }
    let m = request.conditioning[2 * k], s = request.conditioning[2 * k + 1]
    return m == 0 && s == 1 ? nil : (m, s)
  }

  static func evaluate<L: RobustLoss>(_ request: PassRequest, pass: WeightedPass, loss: L,
                                      output: UnsafeMutableBufferPointer<Double>) -> Int {
    let p = request.columns, n = pass.rows, c = request.scale, beta = request.beta
    switch request.kind {
    case .run:
      pass.run(beta: beta, loss: loss, scale: c, accumulate: request.accumulate)
      let count = p * p + p + 1
      for k in 0..<count { output[k] = 0 }
      if request.accumulate {
        for k in 0..<(p * p) { output[k] = pass.gram[k] }
        for k in 0..<p { output[p * p + k] = pass.rhs[k] }
      }
      output[p * p + p] = pass.objective
      return count
    case .roundingFloor:
      pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
      // The floor's sum, without its factor 16ε/c (applied once, by the driver, to the merged sum).
      output[0] = pass.roundingFloorSum(loss: loss, scale: c)
      return 1
    case .histogram:
      pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
      let buckets = request.bucketCount
      let total = request.mergedCount!
      for k in 0..<total { output[k] = 0 }
      // Weighted: the counts are of the rows of positive weight (those a weighted median ranks), and the
      // weights' sums follow the counts, bucket for bucket.
      let caseWeights = pass.caseWeights
      let sums = buckets + 3
      var below = 0, above = 0, nan = 0
      for i in 0..<n {
        let a = abs(pass.residuals[i])
        if a.isNaN { nan += 1; above += 1; continue }
        let w = caseWeights?[i] ?? 1
        guard w > 0 else { continue }
        let slot = request.slot(of: a.bitPattern)
        if slot == 0 { below += 1 } else if slot == buckets + 1 { above += 1 } else { output[slot] += 1 }
        if caseWeights != nil { output[sums + slot] += w }
      }
      output[0] = Double(below)
      output[buckets + 1] = Double(above)
      output[buckets + 2] = Double(nan)
      return total
    case .values:
      pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
      var count = 0
      let caseWeights = pass.caseWeights
      for i in 0..<n {
        let a = abs(pass.residuals[i])
        if !a.isNaN, (request.low...request.high).contains(a.bitPattern) {
          if let caseWeights {
            guard caseWeights[i] > 0 else { continue }
            output[count] = a
            output[count + 1] = caseWeights[i]
            count += 2
          } else {
            output[count] = a
            count += 1
          }
        }
      }
      return count
    case .window:
      pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
      if let caseWeights = pass.caseWeights {
        // Weighted: the weights below and above the window and the (|r|, w) pairs inside it, of the rows
        // of positive weight.
        var below = 0.0, above = 0.0, nan = 0, count = 0
        for i in 0..<n {
          let a = abs(pass.residuals[i]), w = caseWeights[i]
          if a.isNaN { nan += 1; continue }
          guard w > 0 else { continue }
          let bits = a.bitPattern
          if bits < request.low { below += w } else if bits > request.high { above += w } else {
            output[4 + 2 * count] = a
            output[5 + 2 * count] = w
            count += 1
          }
        }
        output[0] = below
        output[1] = above
        output[2] = Double(nan)
        output[3] = Double(count)
        return 4 + 2 * count
      }
      var below = 0, above = 0, nan = 0, count = 0
      for i in 0..<n {
        let a = abs(pass.residuals[i])
        if a.isNaN { nan += 1; continue }
        let bits = a.bitPattern
        if bits < request.low { below += 1 } else if bits > request.high { above += 1 } else {
          output[4 + count] = a
          count += 1
        }
      }
      output[0] = Double(below)
      output[1] = Double(above)
      output[2] = Double(nan)
      output[3] = Double(count)
      return 4 + count
    case .sandwich:
      // The sums of Sandwich.varianceFactor, row by row as it computes them (each times wᵢ when weighted).
      pass.sweepResiduals(beta: beta, medianWindow: nil, selection: nil)
      var sumScaledPsiSquared = 0.0, sumSlope = 0.0, deviations = 0.0, observations = 0.0
      let caseWeights = pass.caseWeights
      for i in 0..<n {
        let w = caseWeights?[i] ?? 1
        let u = pass.residuals[i] / c
        let scaledPsi = c * loss.psi(u)
        sumScaledPsiSquared += w * scaledPsi * scaledPsi
        let slope = loss.psiDerivative(u)
        sumSlope += w * slope
        let d = slope - request.meanSlope
        deviations += w * d * d
        observations += w
      }
      output[0] = sumScaledPsiSquared
      output[1] = sumSlope
      output[2] = deviations
      output[3] = caseWeights == nil ? Double(n) : observations
      return 4
    case .sRefinement:
      // SEstimator.refine's pass: Tukey's weights at c, their XᵀWX and XᵀWy, and the sums of the scale
      // step; then the count of non-zero residuals (the M-scale's root exists when they are more than b·(n − p)).
      let sums = pass.run(beta: beta, rows: SRefinementRows(), scale: c, accumulate: request.accumulate)
      for k in 0..<(p * p + p) { output[k] = 0 }
      if request.accumulate {
        for k in 0..<(p * p) { output[k] = pass.gram[k] }
        for k in 0..<p { output[p * p + k] = pass.rhs[k] }
      }
      var nonzero = 0.0
      for i in 0..<n where pass.residuals[i] != 0 { nonzero += pass.caseWeights?[i] ?? 1 }
      for k in 0..<4 { output[p * p + p + k] = sums[k] }
      output[p * p + p + 4] = nonzero
      return p * p + p + 5
    case .mmCovariance:
      pass.sweepResiduals(beta: Array(beta[p...]), medianWindow: nil, selection: nil)
      let sResiduals = Array(pass.residuals)
      pass.sweepResiduals(beta: Array(beta[..<p]), medianWindow: nil, selection: nil)
      let sums = MMInference.sums(design: pass.design, residuals: Array(pass.residuals), sResiduals: sResiduals,
                                  scale: c, k: request.alpha, caseWeights: pass.caseWeights.map { Array($0) })
      let flat = sums.flat
      for k in flat.indices { output[k] = flat[k] }
      return flat.count
    case .barronShape, .information:
      return adaptive(request, pass: pass, output: output)
    case .range, .rows, .keyHistogram, .sampleRows, .residualHistogram, .residualValues:
      preconditionFailure("handled before a pass is made")
    }
  }

  /// The adaptive fit's passes at β, α (`alpha`) and c (`scale`): the fused pass with the shape sums
  /// (``BarronShapeRows``), or the observed information's sums (``ObservedInformation/accumulate``).
  static func adaptive(_ request: PassRequest, pass: WeightedPass, output: UnsafeMutableBufferPointer<Double>) -> Int {
    let p = request.columns, alpha = request.alpha, c = request.scale
    if request.kind == .information {
      pass.sweepResiduals(beta: request.beta, medianWindow: nil, selection: nil)
      let flat = ObservedInformation.accumulate(design: pass.design, residuals: Array(pass.residuals), alpha: alpha,
                                                scale: c, alphaFree: request.accumulate,
                                                weights: pass.caseWeights.map { Array($0) }).flat
      for k in flat.indices { output[k] = flat[k] }
      return flat.count
    }
    let rows = BarronShapeRows(loss: BarronLoss(alpha: alpha), shape: BarronShapeDerivatives(alpha: alpha))
    let sums = pass.run(beta: request.beta, rows: rows, scale: c, accumulate: request.accumulate).array
    for k in 0..<(p * p + p) { output[k] = 0 }
    if request.accumulate {
      for k in 0..<(p * p) { output[k] = pass.gram[k] }
      for k in 0..<p { output[p * p + k] = pass.rhs[k] }
    }
    for k in sums.indices { output[p * p + p + k] = sums[k] }
    return p * p + p + sums.count
  }

  /// The row count, then per variable (y, then the predictors): min, max, the smallest nonzero
  /// magnitude, the count of non-finite values; with weights, then Σwᵢ, the count of wᵢ > 0 and the count
  /// of invalid weights (negative, NaN or infinite).
  static func range(_ request: PassRequest, x: [UnsafePointer<Double>], y: UnsafePointer<Double>,
                    weights: UnsafePointer<Double>?, rows n: Int, output: UnsafeMutableBufferPointer<Double>) -> Int {
    let written = range(x: x, y: y, weights: weights, rows: n, output: output)
    guard !request.conditioning.isEmpty else { return written }
    let section = PassRequest.magnitudeSection
    for (k, column) in ([y] + x).enumerated() {
      let m = request.conditioning[2 * k], split = request.conditioning[2 * k + 1]
      let base = output.baseAddress! + written + k * section
      base.initialize(repeating: 0, count: section)
      var count = 0, smallest = Double.infinity, largest = 0.0, below = 0.0, above = Double.infinity, edge = 0
      for i in 0..<n where column[i] != m {
        let a = abs(column[i] - m)
        count += 1
        smallest = min(smallest, a)
        largest = max(largest, a)
        if a < split { below = max(below, a) } else { above = min(above, a) }
        if a == 0x1p100 { edge += 1 }
        base[6 + Int(a.exponent) + 1074] += 1
      }
      (base[0], base[1], base[2], base[3], base[4], base[5]) = (Double(count), smallest, largest, below, above, Double(edge))
    }
    return written + (x.count + 1) * section
  }

  static func range(x: [UnsafePointer<Double>], y: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                    rows n: Int, output: UnsafeMutableBufferPointer<Double>) -> Int {
    for (k, column) in ([y] + x).enumerated() {
      var low = Double.infinity, high = -Double.infinity, smallest = Double.infinity, nonFinite = 0
      for i in 0..<n {
        let v = column[i]
        guard v.isFinite else { nonFinite += 1; continue }
        low = min(low, v)
        high = max(high, v)
        if v != 0 { smallest = min(smallest, abs(v)) }
      }
      output[1 + 4 * k] = low
      output[1 + 4 * k + 1] = high
      output[1 + 4 * k + 2] = smallest
      output[1 + 4 * k + 3] = Double(nonFinite)
    }
    output[0] = Double(n)
    guard let weights else { return 1 + 4 * (x.count + 1) }
    var total = 0.0, positive = 0, invalid = 0
    for i in 0..<n {
      let w = weights[i]
      guard w >= 0 && w.isFinite else { invalid += 1; continue }
      total += w
      if w > 0 { positive += 1 }
    }
    let base = 1 + 4 * (x.count + 1)
    output[base] = total
    output[base + 1] = Double(positive)
    output[base + 2] = Double(invalid)
    return base + 3
  }

  /// The counts of the rows' sample keys in the request's buckets (rows of positive weight only).
  static func keyHistogram(_ request: PassRequest, x: [UnsafePointer<Double>], y: UnsafePointer<Double>,
                           weights: UnsafePointer<Double>?, rows n: Int,
                           output: UnsafeMutableBufferPointer<Double>) -> Int {
    let buckets = request.bucketCount
    for k in 0..<(buckets + 2) { output[k] = 0 }
    DriverSample.forEachKey(y: y, x: x, weights: weights, rows: 0..<n) { i, key in
      if weights.map({ $0[i] > 0 }) ?? true { output[request.slot(of: key)] += 1 }
    }
    return buckets + 2
  }

  /// The distinct rows whose sample key lies in [low, high] with their counts in the batch, `[y, x₁, …,
  /// x_k, (w), count]` each (rows of positive weight only; ``DriverSample/distinct(_:stride:)``): a row
  /// copied a million times in the batch is sent once.
  static func sampleRows(_ request: PassRequest, x: [UnsafePointer<Double>], y: UnsafePointer<Double>,
                         weights: UnsafePointer<Double>?, rows n: Int,
                         output: UnsafeMutableBufferPointer<Double>) -> Int {
    let stride = request.sampleStride
    var selected = [Double]()
    DriverSample.forEachKey(y: y, x: x, weights: weights, rows: 0..<n) { i, key in
      guard weights.map({ $0[i] > 0 }) ?? true, (request.low...request.high).contains(key) else { return }
      selected.append(y[i])
      for column in x { selected.append(column[i]) }
      if let weights { selected.append(weights[i]) }
      selected.append(1)
    }
    let rows = DriverSample.distinct(selected, stride: stride)
    for k in rows.indices { output[k] = rows[k] }
    return rows.count
  }

  /// Row i as `[y, x₁, …, x_k, (w)]` at `output[base...]`; returns the doubles written.
  @inline(__always)
  static func write(row i: Int, x: [UnsafePointer<Double>], y: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                    to output: UnsafeMutableBufferPointer<Double>, at base: Int) -> Int {
    output[base] = y[i]
    for (j, column) in x.enumerated() { output[base + 1 + j] = column[i] }
    guard let weights else { return 1 + x.count }
    output[base + 1 + x.count] = weights[i]
    return 2 + x.count
  }

  /// The rows as they are, `[y, x₁, …, x_k, (w)]` each.
  static func rows(x: [UnsafePointer<Double>], y: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
                   rows n: Int, output: UnsafeMutableBufferPointer<Double>) -> Int {
    var count = 0
    for i in 0..<n { count += write(row: i, x: x, y: y, weights: weights, to: output, at: count) }
    return count
  }
}
