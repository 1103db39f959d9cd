// A regular file mapped whole into memory, followed by zero bytes, for the parallel reader.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only private mapping of a whole regular file, followed by at least `slack` zero bytes (the
/// parser's NUL sentinel and the bytes its number scanner may read past it). The zeros come from
/// an anonymous mapping reserved first, the file being mapped over its start (bytes past the end of the
/// file in its last page read as zero too).
struct MappedFile {
  let base: UnsafeMutablePointer<UInt8>
  let length: Int

  /// Maps the file behind `source` (a descriptor at offset 0 of a regular file of `size` bytes); nil
  /// when the source is not such a file or the mapping fails (the reader then reads it in chunks).
  init?(_ source: ByteSource, size: Int, slack: Int) {
    guard case .descriptor(let fd, _) = source.kind, size > 0 else { return nil }
    // stdin redirected from a file may have been read from already: map only at offset 0.
    guard lseek(fd, 0, SEEK_CUR) == 0 else { return nil }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let length = (size + slack + page - 1) / page * page
    guard let reserved = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      reserved != MAP_FAILED
    else { return nil }
    guard let file = mmap(reserved, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0), file == reserved else {
      munmap(reserved, length)
      return nil
    }
    self.base = reserved.assumingMemoryBound(to: UInt8.self)
    self.length = length
  }

  /// Lets the kernel drop the pages of [0, upTo) from this process (the page cache keeps them): the
  /// parsed text then stops counting in the resident set.
  func release(upTo offset: Int) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let bytes = offset / page * page
    if bytes > 0 { _ = madvise(base, bytes, MADV_DONTNEED) }
  }

  func unmap() {
    munmap(base, length)
  }
}
