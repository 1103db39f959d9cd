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
  private typealias Getter = @convention(c) () -> Int32

  nonisolated(unsafe) private static let setter: Setter? =
    dlsym(nil, "openblas_set_num_threads").map { unsafeBitCast($0, to: Setter.self) }
  nonisolated(unsafe) private static let getter: Getter? =
    dlsym(nil, "openblas_get_num_threads").map { unsafeBitCast($0, to: Getter.self) }

  /// Runs `body` with OpenBLAS on one thread (BLAS calls made from several threads of our own would
  /// otherwise each wake OpenBLAS's pool), then restores the previous count.
  static func single<T>(_ body: () throws -> T) rethrows -> T {
    guard let setter, let getter else { return try body() }
    let previous = getter()
    if previous > 1 { setter(1) }
    defer { if previous > 1 { setter(previous) } }
    return try body()
  }
}
