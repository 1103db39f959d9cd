import RealModule

/// Why a fit could not start: every case names the problem in one line.
public enum RegressionError: Error, Sendable, Hashable, CustomStringConvertible {
  /// y and the predictors disagree in length.
  case dimensionMismatch(rows: Int, responses: Int)
  /// Not enough observations: n must exceed p.
  case tooFewObservations(n: Int, p: Int)
  /// A non-finite value in the data.
  case nonFinite(variable: String, row: Int)
  /// The design's columns are linearly dependent; `dependent` names the columns that add nothing.
  case collinear(dependent: [String])
  /// An option is out of its domain.
  case invalidOption(String)
  /// A result in the units of the data lies beyond the double range (about 10^`log10Magnitude`): the
  /// data span more than a double can (a column of 1e-300 against y of 1e300, or half the values of y
  /// near ±1e308, whose scale is then above the largest double).
  case outOfRange(OutOfRangeQuantity, log10Magnitude: Double)
  /// The objective Σρ(rᵢ/c) exceeds the largest double: some |rᵢ|/c is too large for the loss's ρ
  /// (the squared loss, or Barron's with α > 2, on a value near the top of the double range, or a fixed
  /// scale c far below the residuals). `row` is the row with the largest |r|/c, `ratio` that |r|/c.
  case objectiveOverflow(row: Int, ratio: Double)

  /// One line for people.
  public var description: String {
    switch self {
    case .dimensionMismatch(let rows, let responses):
      "the design has \(rows) rows but y has \(responses) values"
    case .tooFewObservations(let n, let p):
      "too few observations: n = \(n) must exceed the number of coefficients p = \(p)"
    case .nonFinite(let variable, let row):
      "non-finite value in \(variable) at row \(row + 1)"
    case .collinear(let dependent):
      "the predictors are collinear: \(dependent.joined(separator: ", ")) "
        + (dependent.count == 1 ? "is a linear combination" : "are linear combinations")
        + " of the other columns"
    case .invalidOption(let message): message
    case .outOfRange(let quantity, let magnitude):
      "\(quantity) is \(RegressionError.aboutPowerOfTen(magnitude)), beyond the range of a double: rescale "
        + (quantity.isCoefficient ? "that column" : "y") + " (by a power of ten) and fit again"
    case .objectiveOverflow(let row, let ratio):
      "the objective Σρ(r/c) overflows the double range: the residual of row \(row + 1) is "
        + "\(ratio.isFinite ? ratio.threeDigits : "more than 1.8e308") × the loss scale c; use a bounded loss "
        + "(huber, cauchy, …), a larger scale, or remove the value"
    }
  }
}

extension RegressionError {
  /// ``objectiveOverflow(row:ratio:)`` for the row with the largest |rᵢ| among `residuals` at scale c.
  static func objectiveOverflow<Residuals: Collection<Double>>(residuals: Residuals, scale c: Double)
    -> RegressionError where Residuals.Index == Int {
    let row = residuals.indices.max { abs(residuals[$0]) < abs(residuals[$1]) } ?? 0
    return .objectiveOverflow(row: row - residuals.startIndex,
                              ratio: residuals.isEmpty ? .infinity : abs(residuals[row]) / c)
  }

  /// `about 1e614`, or `beyond 1e308` when the size itself is not known.
  public static func aboutPowerOfTen(_ log10Magnitude: Double) -> String {
    log10Magnitude.isFinite ? "about 1e\(Int(min(log10Magnitude, 1e6).rounded()))" : "beyond 1e308"
  }
}

/// What ``RegressionError/outOfRange(_:log10Magnitude:)`` is about.
public enum OutOfRangeQuantity: Sendable, Hashable, CustomStringConvertible {
  /// The coefficient (or its standard error or interval) of the named column.
  case coefficient(String)
  /// The loss scale c.
  case lossScale
  /// The residual scale σ̂.
  case residualScale
  /// The residual of a row (0-based).
  case residual(row: Int)

  /// Whether this is a coefficient (whose column, not y, is to be rescaled).
  public var isCoefficient: Bool { if case .coefficient = self { true } else { false } }

  public var description: String {
    switch self {
    case .coefficient(let name): "the coefficient of \(name)"
    case .lossScale: "the loss scale c"
    case .residualScale: "the residual scale σ̂"
    case .residual(let row): "the residual of row \(row + 1)"
    }
  }
}

extension Double {
  /// Three significant digits, for messages (`2.5e+307`).
  var threeDigits: String {
    guard isFinite, self != 0 else { return "\(self)" }
    let exponent = Int(Double.log10(abs(self)).rounded(.down))
    if (-4..<6).contains(exponent) {
      let text = "\((self * 1000).rounded() / 1000)"
      return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
    let mantissa = self / Double.pow(10, Double(exponent))
    return "\((mantissa * 100).rounded() / 100)e\(exponent)"
  }
}
