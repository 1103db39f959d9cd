import Foundation

/// Replicate data sets like the motivating video's, from fixed seeds: y = 1 + 2x + ε, x ~ U(0, 10),
/// n = 200, with four kinds of noise (`robustfit replicates`, the story's test, Docs/reproduction.md).
/// The same replicate on every machine: SplitMix64, Box–Muller and Bailey's polar method for t.
package enum VideoReplicates: String, CaseIterable, Sendable, CustomStringConvertible {
  /// ε ~ N(0, 0.5²), then 20 % of the points moved up by U(10, 40).
  case grossOneSided
  /// ε ~ N(0, 0.5²), then 20 % of the points moved by U(10, 40): 70 % of them up, 30 % down.
  case twoSided
  /// ε = 0.5·t with t ~ Student t(1.5).
  case studentT
  /// ε ~ N(0, 0.5²).
  case gaussian

  package var description: String { rawValue }

  /// The kind's name in tables and on the command line.
  package var label: String {
    switch self {
    case .grossOneSided: "gross"
    case .twoSided: "two-sided"
    case .studentT: "t(1.5)"
    case .gaussian: "gaussian"
    }
  }

  package static let truth = [1.0, 2.0]
  package static let rows = 200

  /// Replicate `index` of this kind: the same numbers on every machine.
  package func draw(_ index: Int) throws(RegressionError) -> (design: DesignMatrix, y: [Double]) {
    var generator = SplitMix64(seed: 0x5707_0000 &+ UInt64(index) &* 7919 &+ UInt64(Self.allCases.firstIndex(of: self)!) << 32)
    func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
    func gaussian() -> Double {
      // Box–Muller (one of the pair), u₁ in (0, 1].
      let u1 = 1 - uniform(), u2 = uniform()
      return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    func studentT(_ nu: Double) -> Double {
      // Bailey's polar method (1994): exact for any ν > 0.
      while true {
        let u = 2 * uniform() - 1, v = 2 * uniform() - 1
        let w = u * u + v * v
        guard w > 0, w < 1 else { continue }
        return u * (nu * (pow(w, -2 / nu) - 1) / w).squareRoot()
      }
    }
    let n = Self.rows
    let x = (0..<n).map { _ in 10 * uniform() }
    var y = x.map { Self.truth[0] + Self.truth[1] * $0 }
    for i in 0..<n { y[i] += self == .studentT ? 0.5 * studentT(1.5) : 0.5 * gaussian() }
    if self == .grossOneSided || self == .twoSided {
      // 20 % of the rows, chosen by a partial Fisher–Yates shuffle.
      var order = Array(0..<n)
      for k in 0..<(n / 5) {
        let j = k + Int(generator.next() % UInt64(n - k))
        order.swapAt(k, j)
        let shift = 10 + 30 * uniform()
        let down = self == .twoSided && uniform() < 0.3
        y[order[k]] += down ? -shift : shift
      }
    }
    return (try DesignMatrix(predictors: [x], names: ["x"]), y)
  }
}
