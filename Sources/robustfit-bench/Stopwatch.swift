#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One timing: wall-clock seconds (`ContinuousClock`) and the CPU seconds of the whole process (all
/// threads, `CLOCK_PROCESS_CPUTIME_ID`). On a loaded machine the wall time includes waiting for a core;
/// the CPU time does not (but includes any spinning of OpenBLAS's threads).
struct Timing {
  var wall: Double
  var cpu: Double
}

/// Timing helpers; every figure the benchmark prints is a median.
enum Stopwatch {
  /// Wall and CPU seconds taken by `body`.
  static func measure(_ body: () throws -> Void) rethrows -> Timing {
    let clock = ContinuousClock()
    let cpuStart = processCPUSeconds()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    let cpu = processCPUSeconds() - cpuStart
    let (s, attoseconds) = elapsed.components
    return Timing(wall: Double(s) + Double(attoseconds) * 1e-18, cpu: cpu)
  }

  /// Medians (wall and CPU separately) of the times of `body`: at least `minimum` and at most `maximum`
  /// runs, stopping once `budget` wall seconds are spent (after the minimum).
  static func median(minimum: Int, maximum: Int, budget: Double, _ body: () throws -> Void) rethrows -> Timing {
    var samples: [Timing] = []
    var spent = 0.0
    while samples.count < maximum && (samples.count < minimum || spent < budget) {
      let t = try measure(body)
      samples.append(t)
      spent += t.wall
    }
    return Timing(wall: median(of: samples.map(\.wall)), cpu: median(of: samples.map(\.cpu)))
  }

  static func median(of samples: [Double]) -> Double {
    let sorted = samples.sorted()
    let k = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[k] : (sorted[k - 1] + sorted[k]) / 2
  }

  static func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }
}
