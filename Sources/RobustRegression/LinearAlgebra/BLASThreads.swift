#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS's thread count, looked up at run time: `openblas_set_num_threads` is exported by
/// libopenblas.so.0, which the alternatives' libblas.so.3 loads but does not re-export, so it cannot be
/// linked by name. Without OpenBLAS (another BLAS behind libblas) the calls do nothing.
public enum BLASThreads {
  private typealias Setter = @convention(c) (Int32) -> Void
  private typealias Shutdown = @convention(c) () -> Int32

  private static let setter: Setter? =
    dlsym(nil, "openblas_set_num_threads").map { unsafeBitCast($0, to: Setter.self) }

  /// OpenBLAS's `blas_thread_shutdown_`, which it runs itself before a fork.
  private static let shutdown: Shutdown? =
    dlsym(nil, "blas_thread_shutdown_").map { unsafeBitCast($0, to: Shutdown.self) }

  /// Sets OpenBLAS to one thread, once for the process, before any fit's first BLAS or LAPACK call.
  ///
  /// The library parallelises its passes itself (one chunk of rows per core), so OpenBLAS's own pool
  /// would only wake per call and fight those workers for the cores. And the thread count decides
  /// OpenBLAS's summation order: were it raised and restored around each call, two fits running at
  /// once could each see the other's setting and differ in the last bit (dsyrk above 24 columns).
  /// Pinned, every fit is reproducible bit for bit, concurrent or not. A program that wants OpenBLAS's
  /// threads for its own work can set them again (`openblas_set_num_threads`) between fits.
  static func pin() { _ = pinned }

  /// ``pin()``, and OpenBLAS's idle worker threads ended, for a program whose own work starts at once
  /// (the CLI's parallel read). OpenBLAS starts its pool when it is loaded, and each worker waits for
  /// work spinning on `sched_yield` for about 2²⁸ cycles (≈ 0.1 s) before it sleeps: on two cores that
  /// took one core from the read for its first 80 ms. Pinned, no call of the library's fits hands work
  /// to the pool; OpenBLAS starts it again by itself at its next threaded call, should a program set a
  /// thread count above one later.
  public static func endIdleWorkers() {
    pin()
    _ = shutdown?()
  }

  private static let pinned: Void = { setter?(1) }()
}
