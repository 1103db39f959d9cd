// Where the CSV bytes come from: a file descriptor read in large chunks, or bytes in memory.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream of bytes read with read(2) (files, stdin, pipes) or copied from memory.
struct ByteSource {
  enum Kind {
    case descriptor(Int32, closeAtEnd: Bool)
    case memory([UInt8], offset: Int)
  }

  var kind: Kind
  /// The name used in messages.
  let name: String
  /// The total size when known (regular files, memory).
  let totalBytes: Int?

  /// Opens `path` ("-" is stdin), turning every failure into a ``CSVError``.
  static func open(path: String) throws -> ByteSource {
    if path == "-" {
      return ByteSource(kind: .descriptor(0, closeAtEnd: false), name: "<stdin>", totalBytes: regularSize(0))
    }
    var info = stat()
    if stat(path, &info) != 0 {
      let code = errno
      if code == ENOENT || code == ENOTDIR { throw CSVError.fileNotFound(file: path) }
      throw CSVError.unreadable(file: path, reason: String(cString: strerror(code)))
    }
    if info.st_mode & S_IFMT == S_IFDIR { throw CSVError.isDirectory(file: path) }
    let fd = SystemCalls.open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw CSVError.unreadable(file: path, reason: String(cString: strerror(errno))) }
    return ByteSource(kind: .descriptor(fd, closeAtEnd: true), name: path, totalBytes: regularSize(fd))
  }

  private static func regularSize(_ fd: Int32) -> Int? {
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return Int(info.st_size)
  }

  /// Reads up to `count` bytes into `destination`; 0 means end of data.
  mutating func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
    switch kind {
    case .descriptor(let fd, _):
      while true {
        let n = SystemCalls.read(fd, destination, count)
        if n >= 0 { return n }
        let code = errno
        if code == EINTR { continue }
        throw CSVError.unreadable(file: name, reason: String(cString: strerror(code)))
      }
    case .memory(let bytes, let offset):
      let n = min(count, bytes.count - offset)
      if n > 0 {
        bytes.withUnsafeBufferPointer { destination.initialize(from: $0.baseAddress! + offset, count: n) }
        kind = .memory(bytes, offset: offset + n)
      }
      return n
    }
  }

  /// Closes the descriptor when this source opened it.
  func close() {
    if case .descriptor(let fd, true) = kind { _ = SystemCalls.close(fd) }
  }
}

/// The C library's `open`, `read` and `close` by module name (the methods of ``ByteSource`` shadow the
/// bare names), from Glibc on Linux and Darwin on Apple systems.
private enum SystemCalls {
  #if canImport(Glibc)
  static func open(_ path: String, _ flags: Int32) -> Int32 { Glibc.open(path, flags) }
  static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
  static func close(_ fd: Int32) -> Int32 { Glibc.close(fd) }
  #elseif canImport(Darwin)
  static func open(_ path: String, _ flags: Int32) -> Int32 { Darwin.open(path, flags) }
  static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
  static func close(_ fd: Int32) -> Int32 { Darwin.close(fd) }
  #endif
}
