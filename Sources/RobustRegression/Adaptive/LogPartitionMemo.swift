/// log Z(α) and its α-derivatives (``LogPartition``) kept for the last α asked: one descent's own
/// memory, for the fits profiled at a fixed α (the scan's points, the interval's), which ask for them
/// at the same α on every pass and every step (15–55 µs of quadrature each, as much as a pass over
/// 2000 rows). The values are ``LogPartition``'s own doubles. Not shared between descents or threads.
final class LogPartitionMemo {
  private var value: (alpha: Double, logZ: Double)?
  private var jet: (alpha: Double, derivatives: (value: Double, first: Double, second: Double))?

  /// ``LogPartition/logZ(alpha:)``.
  func logZ(alpha: Double) -> Double {
    if let value, value.alpha == alpha { return value.logZ }
    let logZ = LogPartition.logZ(alpha: alpha)
    value = (alpha, logZ)
    return logZ
  }

  /// ``LogPartition/derivatives(alpha:)``.
  func derivatives(alpha: Double) -> (value: Double, first: Double, second: Double) {
    if let jet, jet.alpha == alpha { return jet.derivatives }
    let derivatives = LogPartition.derivatives(alpha: alpha)
    jet = (alpha, derivatives)
    return derivatives
  }
}
