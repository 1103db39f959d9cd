import Foundation

/// Data sets the tests write to temporary files. Each carries its independent reference where it has one.
enum TestData {
  /// R's `stackloss` (Brownlee 1965), columns Air.Flow, Water.Temp, Acid.Conc., stack.loss.
  static let stackloss = """
    Air.Flow,Water.Temp,Acid.Conc.,stack.loss
    80,27,89,42
    80,27,88,37
    75,25,90,37
    62,24,87,28
    62,22,87,18
    62,23,87,18
    62,24,93,19
    62,24,93,20
    58,23,87,15
    58,18,80,14
    58,18,89,14
    58,17,88,13
    58,18,82,11
    58,19,93,12
    50,18,89,8
    50,18,86,7
    50,19,72,8
    50,19,79,8
    50,20,80,9
    56,20,82,15
    70,20,91,15

    """

  /// statsmodels `RLM(stack.loss ~ ., HuberT())` with its defaults (Docs/spec.md §4).
  static let stacklossHuberBeta = [-41.02649835, 0.82938433, 0.92606597, -0.12784672]
  /// Its H1 standard errors.
  static let stacklossHuberSE = [9.79189854, 0.11100521, 0.30293016, 0.12864961]

  /// A line y = 1 + 2x with small deterministic wiggles and three gross outliers (rows 4, 11, 17 of
  /// the data, file lines 5, 12, 18), 20 rows, header `x,y`.
  static let line: (x: [Double], y: [Double]) = {
    let x = (0..<20).map { Double($0) * 0.5 }
    var y = x.indices.map { 1 + 2 * x[$0] + 0.3 * sin(Double($0) * 1.7) }
    y[3] += 15
    y[10] -= 12
    y[16] += 20
    return (x, y)
  }()

  /// `line` as CSV text, numbers in Swift's shortest round-trip form.
  static var lineCSV: String {
    "x,y\n" + zip(line.x, line.y).map { "\($0),\($1)\n" }.joined()
  }
}
