extension DesignMatrix {
  /// The distance between two coefficient vectors as fitted functions on this design: the root mean
  /// square of X·(β − β₀) over the rows, in the units of y. For a line this is the RMS vertical gap
  /// between the two lines over the observed x values — how the reproduction measures "distance to
  /// the true line".
  package func rmsDistance(_ beta: [Double], _ reference: [Double]) -> Double {
    precondition(beta.count == columns && reference.count == columns, "one coefficient per column")
    let difference = zip(beta, reference).map { $0 - $1 }
    let gap = multiplied(by: difference)
    return (gap.reduce(0) { $0 + $1 * $1 } / Double(max(rows, 1))).squareRoot()
  }
}
