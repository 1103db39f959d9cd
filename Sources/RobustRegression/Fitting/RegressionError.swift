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
    }
  }
}
