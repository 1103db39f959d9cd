import RealModule

/// Why a fit (or a design, or a prediction) could not be made: every case names the problem in one
/// line, with column indices as well as names. Every public entry point throws these for bad input and
/// never traps.
public enum RegressionError: Error, Sendable, Hashable, CustomStringConvertible {
  /// y and the design disagree in length.
  case dimensionMismatch(rows: Int, responses: Int)
  /// A predictor column (0-based `column` among the predictors, named `name`) has `count` values where
  /// the design has `rows`.
  case predictorLength(column: Int, name: String, count: Int, rows: Int)
  /// `names` names, but `columns` columns.
  case nameCount(names: Int, columns: Int)
  /// Column-major values that are not `rows × columns` numbers.
  case valueCount(count: Int, rows: Int, columns: Int)
  /// The columns of a design given to ``RegressionFit/predict(_:)`` are not those of the fit.
  case columnMismatch(expected: [String], got: [String])
  /// Not enough observations: n must exceed p, and p must be at least 1.
  case tooFewObservations(n: Int, p: Int)
  /// Too few observations for a high-breakdown fit (S, MM): n must exceed 2p, so that half of the rows
  /// can determine the p coefficients.
  case tooFewObservationsForBreakdown(n: Int, p: Int)
  /// A NaN or infinite value in the data: in design column `column` (0-based) named `name`, or in y when
  /// `column` is nil; `row` is 0-based.
  case nonFinite(column: Int?, name: String, row: Int)
  /// The case weights number `count` where the design has `rows` rows.
  case weightCount(count: Int, rows: Int)
  /// A case weight (0-based `row`) is negative, NaN or infinite.
  case invalidWeight(row: Int, value: Double)
  /// Too few rows have a positive case weight (`positive` of them, summing to `total`): both must exceed
  /// `p`, the number of coefficients (`highBreakdown`: twice it, for S and MM).
  case tooFewWeightedObservations(positive: Int, total: Double, p: Int, highBreakdown: Bool = false)
  /// The design's columns are linearly dependent; `columns` (0-based) and `names` are the columns that add
  /// nothing.
  case collinear(columns: [Int], names: [String])
  /// A setting of the ``Regression`` or its ``Loss`` is out of its domain.
  case invalidArgument(InvalidArgument)
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
    case .predictorLength(let column, let name, let count, let rows):
      "predictor column \(column) (\(name)) has \(count) values but the design has \(rows) rows"
    case .nameCount(let names, let columns):
      "\(names) names for \(columns) columns: give one name per column"
    case .valueCount(let count, let rows, let columns):
      "\(count) values cannot fill \(rows) rows × \(columns) columns"
    case .columnMismatch(let expected, let got):
      "the design's columns (\(got.joined(separator: ", "))) are not the fit's (\(expected.joined(separator: ", ")))"
    case .tooFewObservations(let n, let p):
      p < 1 ? "the design has no columns: give at least one predictor or an intercept"
        : "too few observations: n = \(n) must exceed the number of coefficients p = \(p)"
    case .tooFewObservationsForBreakdown(let n, let p):
      "too few observations for a high-breakdown fit: n = \(n) must exceed 2p = \(2 * p), so that half of the "
        + "rows can determine the \(p) coefficients"
    case .nonFinite(let column, let name, let row):
      "non-finite value in \(column.map { "column \($0) (\(name))" } ?? name) at row \(row + 1)"
    case .weightCount(let count, let rows):
      "\(count) case weights for \(rows) rows: give one weight per row"
    case .invalidWeight(let row, let value):
      "the case weight of row \(row + 1) is \(value): weights must be finite and not negative"
    case .tooFewWeightedObservations(let positive, let total, let p, let highBreakdown):
      "too few weighted observations: \(positive) rows have a positive weight (Σw = \(total.threeDigits)); both "
        + (highBreakdown ? "must exceed 2p = \(2 * p) for a high-breakdown fit" : "must exceed the number of coefficients p = \(p)")
    case .collinear(_, let names):
      "the predictors are collinear: \(names.joined(separator: ", ")) "
        + (names.count == 1 ? "is a linear combination" : "are linear combinations")
        + " of the other columns"
    case .invalidArgument(let argument): argument.description
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

/// A setting out of its domain (``RegressionError/invalidArgument(_:)``).
public enum InvalidArgument: Sendable, Hashable, CustomStringConvertible {
  /// Barron's shape α is NaN.
  case shapeNotANumber
  /// The adaptive loss's α range does not lie within what its criterion admits: [0, ∞) for the
  /// likelihood, [−∞, 2] for the variance.
  case alphaRange(lower: Double, upper: Double, criterion: AdaptiveCriterion)
  /// The tuning constant k is not a positive finite number.
  case tuningConstant(Double)
  /// A fixed loss scale c is not a positive finite number.
  case lossScale(Double)
  /// The tolerance is not a positive finite number.
  case tolerance(Double)
  /// The iteration limit is below 1.
  case iterationLimit(Int)
  /// The confidence level is not in (0, 1).
  case confidenceLevel(Double)
  /// The outlier threshold is not a positive number.
  case outlierThreshold(Double)
  /// A start given as coefficients has `count` values (or a non-finite one) where the design has
  /// `columns` columns.
  case startCoefficients(count: Int, columns: Int)
  /// A custom loss decoded from an archive carries its name but not its functions.
  case customLossWithoutFunctions(name: String)
  /// A custom loss gives a NaN or infinite ρ, ψ, ψ′ or w, or a negative weight, at the standardised
  /// residual `u`.
  case customLossNotFinite(name: String, u: Double)

  public var description: String {
    switch self {
    case .shapeNotANumber: "Barron's shape α must be a number or ±infinity, not NaN"
    case .alphaRange(_, _, .likelihood):
      "the α range of the likelihood criterion must lie within [0, ∞) (the density is not normalisable for α < 0)"
    case .alphaRange(_, _, .variance):
      "the α range of the variance criterion must lie within [-inf, 2] (above 2 the loss is less robust than least squares)"
    case .tuningConstant(let k): "the tuning constant must be a positive finite number, not \(k)"
    case .lossScale(let c): "the loss scale must be a positive finite number, not \(c)"
    case .tolerance: "the tolerance must be a positive number"
    case .iterationLimit: "the iteration limit must be at least 1"
    case .confidenceLevel(let level): "the confidence level must lie strictly between 0 and 1, not \(level)"
    case .outlierThreshold(let t): "the outlier threshold must be a positive number, not \(t)"
    case .startCoefficients(_, let columns): "the start needs \(columns) finite coefficients"
    case .customLossWithoutFunctions(let name):
      "the custom loss \(name) was decoded without its functions: make it with Loss.custom(_:k:) to fit"
    case .customLossNotFinite(let name, let u):
      "the custom loss \(name) gives a non-finite value or a negative weight at u = \(u)"
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
  package static func aboutPowerOfTen(_ log10Magnitude: Double) -> String {
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
