extension Regression {
  /// Fits Barron's adaptive loss: minimises the NLL over β, α ∈ `alphaRange` and c > 0 (SPEC §5).
  public static func fitAdaptive(_ design: DesignMatrix, response: [Double],
                                 alphaRange: ClosedRange<Double> = 0...2,
                                 options: FitOptions = FitOptions()) throws -> RegressionFit {
    throw RegressionError.invalidOption("the adaptive fit is being written")
  }
}
