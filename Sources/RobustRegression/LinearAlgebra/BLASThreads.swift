#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS's thread count, looked up at run time: `openblas_set_num_threads` is exported by
/// libopenblas.so.0, which the alternatives' libblas.so.3 loads but does not re-export, so it cannot be
/// linked by name. Without OpenBLAS (another BLAS behind libblas) the calls do nothing.
enum BLASThreads {
  private typealias Setter = @convention(c) (Int32) -> Void

  private static let setter: Setter? =
    dlsym(nil, "openblas_set_num_threads").map { unsafeBitCast($0, to: Setter.self) }

  /// Sets OpenBLAS to one thread, once for the process, before any fit's first BLAS or LAPACK call.
  ///
  /// The library parallelises its passes itself (one chunk of rows per core), so OpenBLAS's own pool
  /// would only wake per call and fight those workers for the cores. And the thread count decides
  /// OpenBLAS's summation order: were it raised and restored around each call, two fits running at
  /// once could each see the other's setting and differ in the last bit (dsyrk above 24 columns).
  /// Pinned, every fit is reproducible bit for bit, concurrent or not. A program that wants OpenBLAS's
  /// threads for its own work can set them again (`openblas_set_num_threads`) between fits.
  static func pin() { _ = pinned }

  private static let pinned: Void = { setter?(1) }()
}
