import Dispatch
import Foundation

/// The adaptive start's second scan (from the Huber fit, ``AdaptiveFitter/startOnSample(_:subsampled:)``) on a
/// thread of its own, beside the S start and its scan: above ``AdaptiveFitter/likelihoodScanRows(columns:)``
/// rows, where the start runs on the likelihood's sample.
///
/// The Huber start needs nothing from the S start, so it runs while the S-estimate is searched. Its scan
/// starts from the S start's c and c floor, which it waits for (``HandOff/begin(scale:scaleFloor:)``), and
/// at each α it needs the S scan's profiled point there (to keep the lower NLL, and to stop once it has
/// joined the S scan's path: ``AdaptiveFitter/Profiled/isSame(as:tolerance:)``), which it waits for too
/// (``HandOff/point(at:)``). It so reads what the sequential order (S scan first, then the Huber scan)
/// gave it, on a pass of its own (a copy of the sample's problem: the same doubles), and its points and
/// best point are the same doubles whatever the threads' timing. Its points are kept apart and merged by
/// the caller, as the sequential scan merged them (``AdaptiveFitter/mergeScan(_:into:)``).
final class ConcurrentHuberScan: @unchecked Sendable {
  /// The S side's values as the Huber side waits for them.
  final class HandOff: @unchecked Sendable {
    private let condition = NSCondition()
    private var start: (scale: Double, scaleFloor: Double)?
    /// The S scan's point at each α it has finished (nil: no finite point there).
    private var points: [Double: AdaptiveFitter.Profiled?] = [:]
    private var closed = false

    /// The S start's c and c floor, where the Huber scan starts.
    func begin(scale: Double, scaleFloor: Double) {
      condition.withLock {
        start = (scale, scaleFloor)
        condition.broadcast()
      }
    }

    /// The S scan's point at α, once it has finished α.
    func finish(_ alpha: Double, _ point: AdaptiveFitter.Profiled?) {
      condition.withLock {
        points[alpha] = .some(point)
        condition.broadcast()
      }
    }

    /// No more values: the S side ended (or threw); whoever waits gets nil.
    func close() {
      condition.withLock {
        closed = true
        condition.broadcast()
      }
    }

    /// Waits for the S start's c and c floor; nil when the S side ended without them.
    func waitForStart() -> (scale: Double, scaleFloor: Double)? {
      condition.withLock {
        while start == nil && !closed { condition.wait() }
        return start
      }
    }

    /// Waits for the S scan's point at α (nil where it had none, or when the S side ended before α).
    func point(at alpha: Double) -> AdaptiveFitter.Profiled? {
      condition.withLock {
        while points[alpha] == nil && !closed { condition.wait() }
        return points[alpha] ?? nil
      }
    }
  }

  /// What the Huber scan found: its best point and its profiled points (before the merge), or nil when
  /// the S side ended before the scan could start.
  typealias Found = (best: (beta: [Double], alpha: Double, scale: Double, nll: Double), points: [Double: AdaptiveFitter.Profiled])

  let handOff = HandOff()
  private let group = DispatchGroup()
  private var found: Result<Found?, any Error> = .success(nil)

  /// Starts the Huber fit on `sample` and its scan on a thread of their own.
  init(fitter: AdaptiveFitter, sample: FitProblem, fixedScale: Bool) {
    let handOff = self.handOff
    DispatchQueue.global(qos: .userInitiated).async(group: group) { [self] in
      found = Result {
        // A pass of its own: the S side uses the sample's.
        let data = try FitProblem(design: sample.design, response: sample.response, caseWeights: sample.caseWeights,
                                  options: sample.options, responseUnit: sample.responseUnit,
                                  columnMagnitudes: sample.columnMagnitudes)
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: data.design.rows)
        defer { scratch.deallocate() }
        let huberBeta = try data.huberStart(scratch: scratch)
        guard let start = handOff.waitForStart() else { return nil }
        var points: [Double: AdaptiveFitter.Profiled] = [:]
        let best = try fitter.scan(data, pass: AdaptiveFitter.barronPass(for: data), subsampled: true, from: huberBeta, scale: start.scale,
                                   scaleFloor: start.scaleFloor, fixedScale: fixedScale,
                                   points: &points, joining: true, earlier: { handOff.point(at: $0) })
        return (best, points)
      }
    }
  }

  /// Waits for the thread (closing the hand-off first, so that it cannot wait for the S side) and
  /// returns what it found, or throws what it threw.
  func result() throws -> Found? {
    handOff.close()
    group.wait()
    return try found.get()
  }

  /// Closes the hand-off and waits for the thread, discarding what it found (the S side threw).
  func cancel() {
    handOff.close()
    group.wait()
  }
}
