import RealModule

/// Gauss–Legendre quadrature rules and composite integration over finite intervals.
///
/// Nodes are computed once by Newton's method on the Legendre recurrence (accurate to a few ulps for
/// the orders used here), so no table is copied from anywhere.
package struct GaussLegendre: Sendable {
  /// Nodes on [−1, 1], ascending.
  package let nodes: [Double]
  /// Weights matching `nodes`; they sum to 2.
  package let weights: [Double]

  /// The n-point rule (exact for polynomials of degree 2n − 1).
  package init(order n: Int) {
    precondition(n >= 1, "a Gauss–Legendre rule needs at least one node")
    var x = [Double](repeating: 0, count: n)
    var w = [Double](repeating: 0, count: n)
    for i in 0..<(n + 1) / 2 {
      // Chebyshev-like first guess for the i-th largest root, then Newton.
      var t = Double.cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
      var derivative = 0.0
      for _ in 0..<100 {
        // P_n(t) and P_{n−1}(t) by the three-term recurrence.
        var previous = 1.0, current = t
        if n == 1 { previous = 1; current = t }
        for k in stride(from: 2, through: n, by: 1) {
          let next = (Double(2 * k - 1) * t * current - Double(k - 1) * previous) / Double(k)
          previous = current
          current = next
        }
        // P′_n(t) = n (t P_n − P_{n−1}) / (t² − 1)
        derivative = Double(n) * (t * current - previous) / (t * t - 1)
        let step = current / derivative
        t -= step
        if abs(step) < 1e-16 { break }
      }
      x[n - 1 - i] = t
      x[i] = -t
      let weight = 2 / ((1 - t * t) * derivative * derivative)
      w[i] = weight
      w[n - 1 - i] = weight
    }
    nodes = x
    weights = w
  }

  /// The 20-point rule used by the library's integrals.
  package static let standard = GaussLegendre(order: 20)

  /// ∫ f over [a, b] with this rule applied once.
  @inlinable package func integrate(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> Double {
    let half = (b - a) / 2, mid = (a + b) / 2
    var sum = 0.0
    for i in nodes.indices { sum += weights[i] * f(mid + half * nodes[i]) }
    return sum * half
  }

  /// ∫ f over [a, b] split at `breakpoints` and into pieces no longer than `maxWidth`.
  package func integrate(
    from a: Double, to b: Double, breakpoints: [Double] = [], maxWidth: Double = 0.5,
    _ f: (Double) -> Double
  ) -> Double {
    var cuts = [a] + breakpoints.filter { $0 > a && $0 < b }.sorted() + [b]
    cuts = cuts.reduce(into: []) { if $0.last != $1 { $0.append($1) } }
    var total = 0.0
    for (lo, hi) in zip(cuts, cuts.dropFirst()) {
      let pieces = max(1, Int(((hi - lo) / maxWidth).rounded(.up)))
      let width = (hi - lo) / Double(pieces)
      for j in 0..<pieces {
        let left = lo + Double(j) * width
        total += integrate(left, j == pieces - 1 ? hi : left + width, f)
      }
    }
    return total
  }
}

/// E[f(Z)] for Z ~ N(0, 1) and an even function f, integrated over [0, 12] (the Gaussian mass beyond
/// 12 is below 1e-32) with breakpoints where f has kinks.
func gaussianExpectationOfEven(breakpoints: [Double] = [], _ f: (Double) -> Double) -> Double {
  let normaliser = 2 / (2 * Double.pi).squareRoot()
  return normaliser * GaussLegendre.standard.integrate(from: 0, to: 12, breakpoints: breakpoints) {
    z in f(z) * Double.exp(-z * z / 2)
  }
}
