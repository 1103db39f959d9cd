// Asks the kernel to back a large array's storage with huge pages.

#if canImport(Glibc)
import Glibc
#endif

/// Large column arrays are written once, page by page: with 4 KiB pages that is one fault (and one
/// cleared page) per 512 doubles, about a tenth of the reader's CPU time at n = 1e6. Where transparent
/// huge pages are enabled for advised memory (`madvise` mode, the common default), advising the
/// array's reserved storage makes it 2 MiB pages: 512 times fewer faults. Only advice: the contents
/// and the semantics are unchanged, and nothing happens where the kernel does not support it.
public enum HugePages {
  static let size = 2 << 20

  /// Advises the whole 2 MiB-aligned interior of `array`'s reserved capacity (arrays smaller than
  /// a few huge pages are left alone).
  static func advise(_ array: inout [Double]) {
    let capacity = array.capacity
    array.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      advise(UnsafeMutableRawPointer(base), bytes: capacity * MemoryLayout<Double>.stride)
    }
  }

  /// Returns the whole 4 KiB pages inside `bytes` bytes at `base` to the system (their contents become
  /// zeros): memory that will not be read again but stays allocated.
  public static func release(_ base: UnsafeMutableRawPointer, bytes: Int) {
    #if os(Linux)
    let page = 4096
    let start = (Int(bitPattern: base) + page - 1) / page * page
    let end = (Int(bitPattern: base) + bytes) / page * page
    if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
      _ = madvise(pointer, end - start, MADV_DONTNEED)
    }
    #endif
  }

  /// The pages of `array`'s capacity beyond its count, returned to the system (``release(_:bytes:)``).
  public static func releaseUnused(_ array: inout [Double]) {
    let (count, capacity) = (array.count, array.capacity)
    guard capacity > count else { return }
    array.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      release(UnsafeMutableRawPointer(base + count), bytes: (capacity - count) * MemoryLayout<Double>.stride)
    }
  }

  /// Advises the 2 MiB-aligned interior of `bytes` bytes at `base`, memory not yet written; regions
  /// under four huge pages are left alone (so a column of 10⁶ doubles, 8.2 MB, is not advised: on the
  /// development machine, a VM, fresh huge pages cost more to clear than the small faults they save).
  public static func advise(_ base: UnsafeMutableRawPointer, bytes: Int) {
    #if os(Linux)
    guard bytes >= 4 * size else { return }
    let start = (Int(bitPattern: base) + size - 1) / size * size
    let end = (Int(bitPattern: base) + bytes) / size * size
    if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
      _ = madvise(pointer, end - start, MADV_HUGEPAGE)
    }
    #endif
  }
}
