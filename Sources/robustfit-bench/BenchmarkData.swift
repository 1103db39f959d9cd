import RobustRegression

/// The standard benchmark data (Docs/performance.md): an intercept plus p − 1 standard normal columns,
/// y = X·β + N(0, 1) noise, and exactly ⌊0.2·n⌉ rows (chosen at random) shifted up by U(20, 50).
///
/// β₀ = 1 and β_j = 2 for odd j, −1 for even j. The draws come in a fixed order (the columns of X one
/// after the other, then the noise, then the outlier rows, then their shifts), so (n, p, seed)
/// determines the data exactly.
///
/// The tied variant (`--data tied`) makes the same draws and then rounds: every predictor to the grid
/// {−1, 0, 1} (round, then clamp), and y to the nearest integer of X_tied·β plus the same noise and
/// shift. With p = 10 there are 3⁹ = 19 683 distinct rows of X and a handful of values of y for each,
/// so at n = 1e6 most rows are repeated many times and the L1 optimum is a degenerate vertex.
struct BenchmarkData {
  /// Which data: the standard continuous data, or the tied one of repeated rows and integer y.
  enum Kind: String, CaseIterable {
    case standard, tied
  }

  let design: DesignMatrix
  let response: [Double]
  let trueCoefficients: [Double]
  let outlierCount: Int

  init(rows n: Int, columns p: Int, seed: UInt64, kind: Kind) {
    let standard = BenchmarkData(rows: n, columns: p, seed: seed)
    guard kind == .tied else { self = standard; return }
    let beta = standard.trueCoefficients
    var values = standard.design.values
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var clean = beta[0], tied = beta[0]
      for j in 1..<max(p, 1) {
        let x = values[j * n + i]
        let rounded = max(-1, min(1, x.rounded()))
        values[j * n + i] = rounded
        clean += beta[j] * x
        tied += beta[j] * rounded
      }
      y[i] = (tied + (standard.response[i] - clean)).rounded()
    }
    design = try! DesignMatrix(rows: n, columns: p, columnMajor: values, names: standard.design.names,
                               hasIntercept: true)
    response = y
    trueCoefficients = beta
    outlierCount = standard.outlierCount
  }

  init(rows n: Int, columns p: Int, seed: UInt64) {
    precondition(n > p && p >= 1, "need n > p ≥ 1")
    var random = RandomSource(seed: seed)
    let beta = (0..<p).map { j in j == 0 ? 1.0 : (j % 2 == 1 ? 2.0 : -1.0) }
    var values = [Double](repeating: 1, count: n * p)
    var y = [Double](repeating: beta[0], count: n)
    values.withUnsafeMutableBufferPointer { x in
      y.withUnsafeMutableBufferPointer { yb in
        for j in 1..<max(p, 1) {
          let bj = beta[j]
          for i in 0..<n {
            let v = random.normal()
            x[j * n + i] = v
            yb[i] += bj * v
          }
        }
        for i in 0..<n { yb[i] += random.normal() }
      }
    }
    // Exactly round(0.2 n) distinct rows by a partial Fisher–Yates shuffle.
    let outliers = Int((0.2 * Double(n)).rounded())
    var order = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
      for i in 0..<n { buffer[i] = Int32(i) }
      count = n
    }
    for k in 0..<outliers {
      let pick = k + random.integer(below: n - k)
      order.swapAt(k, pick)
    }
    for k in 0..<outliers { y[Int(order[k])] += random.uniform(20, 50) }
    design = try! DesignMatrix(rows: n, columns: p, columnMajor: values,
                          names: ["intercept"] + (1..<max(p, 1)).map { "x\($0)" }, hasIntercept: true)
    response = y
    trueCoefficients = beta
    outlierCount = outliers
  }
}
