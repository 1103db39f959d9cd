/// The regression design: n rows, p columns, stored column-major (LAPACK's order), so column j
/// occupies `values[j*rows ..< (j+1)*rows]`.
///
/// With an intercept, column 0 is the column of ones and is named `"intercept"`.
public struct DesignMatrix: Sendable, Hashable {
  /// Number of observations n.
  public let rows: Int
  /// Number of coefficients p (including the intercept).
  public let columns: Int
  /// Column-major values, `rows × columns`.
  public private(set) var values: [Double]
  /// One name per column; `"intercept"` for the column of ones.
  public let names: [String]
  /// Whether column 0 is the intercept.
  public let hasIntercept: Bool

  /// The name of the column of ones.
  public static let interceptName = "intercept"

  /// Builds the design from predictor columns (each of length n), prepending a column of ones when
  /// `intercept` is true. `names` name the predictors (defaults `x1`, `x2`, …). `rows` gives n when there
  /// are no predictor columns (an intercept-only model); otherwise it may be left out.
  ///
  /// - Throws: ``RegressionError/predictorLength(column:name:count:rows:)`` when the columns differ in
  ///   length (or from `rows`), ``RegressionError/nameCount(names:columns:)`` when `names` does not name
  ///   each predictor once.
  public init(predictors: [[Double]], names: [String]? = nil, intercept: Bool = true,
              rows: Int? = nil) throws(RegressionError) {
    let n = rows ?? predictors.first?.count ?? 0
    let predictorNames = names ?? (0..<predictors.count).map { "x\($0 + 1)" }
    guard predictorNames.count == predictors.count else {
      throw .nameCount(names: predictorNames.count, columns: predictors.count)
    }
    if let j = predictors.firstIndex(where: { $0.count != n }) {
      throw .predictorLength(column: j, name: predictorNames[j], count: predictors[j].count, rows: n)
    }
    var values: [Double] = []
    values.reserveCapacity(n * (predictors.count + (intercept ? 1 : 0)))
    if intercept { values.append(contentsOf: repeatElement(1.0, count: n)) }
    for column in predictors { values.append(contentsOf: column) }
    self.init(checkedRows: n, columns: predictors.count + (intercept ? 1 : 0), values: values,
              names: (intercept ? [Self.interceptName] : []) + predictorNames, hasIntercept: intercept)
  }

  /// Wraps column-major values as they are: column j is `values[j*rows ..< (j+1)*rows]`.
  ///
  /// - Throws: ``RegressionError/valueCount(count:rows:columns:)`` or
  ///   ``RegressionError/nameCount(names:columns:)`` when the counts disagree.
  public init(rows: Int, columns: Int, columnMajor values: [Double], names: [String],
              hasIntercept: Bool) throws(RegressionError) {
    guard rows >= 0, columns >= 0, values.count == rows * columns else {
      throw .valueCount(count: values.count, rows: rows, columns: columns)
    }
    guard names.count == columns else { throw .nameCount(names: names.count, columns: columns) }
    self.init(checkedRows: rows, columns: columns, values: values, names: names, hasIntercept: hasIntercept)
  }

  /// The memberwise initialiser for counts already checked.
  init(checkedRows rows: Int, columns: Int, values: [Double], names: [String], hasIntercept: Bool) {
    assert(values.count == rows * columns && names.count == columns)
    self.rows = rows
    self.columns = columns
    self.values = values
    self.names = names
    self.hasIntercept = hasIntercept
  }

  /// Throws ``RegressionError/nonFinite(column:name:row:)`` for the first NaN or infinite value, by column.
  func checkFinite() throws(RegressionError) {
    for j in 0..<columns {
      if let i = (0..<rows).first(where: { !values[j * rows + $0].isFinite }) {
        throw .nonFinite(column: j, name: names[j], row: i)
      }
    }
  }

  /// The element in row i, column j.
  @inlinable public subscript(row: Int, column: Int) -> Double {
    values[column * rows + row]
  }

  /// X·β.
  package func multiplied(by beta: [Double]) -> [Double] {
    precondition(beta.count == columns, "β needs one value per column")
    var out = [Double](repeating: 0, count: rows)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        for j in 0..<columns where beta[j] != 0 {
          let b = beta[j], base = j * rows
          for i in 0..<rows { o[i] += b * x[base + i] }
        }
      }
    }
    return out
  }

  /// The design restricted to the given rows, in the given order.
  /// The rows multiplied by `factors` (one per row): √w-scaled rows for weighted least squares.
  package func scalingRows(by factors: [Double]) -> DesignMatrix {
    var scaled = values
    for j in 0..<columns { for i in 0..<rows { scaled[j * rows + i] *= factors[i] } }
    return DesignMatrix(checkedRows: rows, columns: columns, values: scaled, names: names, hasIntercept: hasIntercept)
  }

  package func selectingRows(_ indices: [Int]) -> DesignMatrix {
    var v = [Double]()
    v.reserveCapacity(indices.count * columns)
    for j in 0..<columns {
      for i in indices { v.append(values[j * rows + i]) }
    }
    return DesignMatrix(checkedRows: indices.count, columns: columns, values: v, names: names,
                        hasIntercept: hasIntercept)
  }
}
