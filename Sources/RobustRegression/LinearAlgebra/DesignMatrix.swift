/// The regression design: n rows, p columns, stored column-major (LAPACK's order), so column j
/// occupies `values[j*rows ..< (j+1)*rows]`.
///
/// With an intercept, column 0 is the column of ones and is named `"intercept"`.
public struct DesignMatrix: Sendable {
  /// Number of observations n.
  public let rows: Int
  /// Number of coefficients p (including the intercept).
  public let columns: Int
  /// Column-major values, `rows × columns`.
  public var values: [Double]
  /// One name per column; `"intercept"` for the column of ones.
  public let names: [String]
  /// Whether column 0 is the intercept.
  public let hasIntercept: Bool

  /// Builds the design from predictor columns (each of length n), prepending a column of ones when
  /// `intercept` is true. `names` name the predictors (defaults `x1`, `x2`, …).
  public init(predictors: [[Double]], names: [String]? = nil, intercept: Bool = true, rows: Int? = nil) {
    let n = rows ?? predictors.first?.count ?? 0
    precondition(predictors.allSatisfy { $0.count == n }, "every predictor column needs n values")
    let predictorNames = names ?? (0..<predictors.count).map { "x\($0 + 1)" }
    precondition(predictorNames.count == predictors.count, "one name per predictor column")
    var values: [Double] = []
    values.reserveCapacity(n * (predictors.count + (intercept ? 1 : 0)))
    if intercept { values.append(contentsOf: repeatElement(1.0, count: n)) }
    for column in predictors { values.append(contentsOf: column) }
    self.rows = n
    self.columns = predictors.count + (intercept ? 1 : 0)
    self.values = values
    self.names = (intercept ? ["intercept"] : []) + predictorNames
    self.hasIntercept = intercept
  }

  /// Wraps column-major values as they are.
  public init(rows: Int, columns: Int, columnMajor values: [Double], names: [String], hasIntercept: Bool) {
    precondition(values.count == rows * columns, "values must hold rows × columns numbers")
    precondition(names.count == columns, "one name per column")
    self.rows = rows
    self.columns = columns
    self.values = values
    self.names = names
    self.hasIntercept = hasIntercept
  }

  /// The element in row i, column j.
  @inlinable public subscript(row: Int, column: Int) -> Double {
    values[column * rows + row]
  }

  /// X·β.
  public func multiply(_ beta: [Double]) -> [Double] {
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
  public func selectingRows(_ indices: [Int]) -> DesignMatrix {
    var v = [Double]()
    v.reserveCapacity(indices.count * columns)
    for j in 0..<columns {
      for i in indices { v.append(values[j * rows + i]) }
    }
    return DesignMatrix(rows: indices.count, columns: columns, columnMajor: v, names: names,
                        hasIntercept: hasIntercept)
  }
}
