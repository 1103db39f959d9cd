import Foundation

/// Checks on the files robustfit writes (`--output`, `--plot`): never the input file, never a directory.
enum OutputPaths {
  /// Throws a usage error (64) when `path` is the input file or a directory, or its folder is missing.
  static func check(_ path: String, option: String, input: String) throws {
    var isDirectory: ObjCBool = false
    if path.isEmpty { throw CLIError.usage("\(option) needs a file name") }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CLIError.usage("\(option) \(path): is a directory; give a file name")
    }
    if path.hasSuffix("/") { throw CLIError.usage("\(option) \(path): is a directory; give a file name") }
    if input == "-" ? isStandardInput(path) : sameFile(path, input) {
      throw CLIError.usage("\(option) \(path): refusing to overwrite the input file")
    }
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty {
      var folderIsDirectory: ObjCBool = false
      if !FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsDirectory)
          || !folderIsDirectory.boolValue {
        throw CLIError.usage("\(option) \(path): no such directory \(folder)")
      }
    }
  }

  /// Whether two paths name the same file: the same device and inode when both exist, else the same
  /// absolute path after resolving `.`, `..` and symbolic links.
  static func sameFile(_ a: String, _ b: String) -> Bool {
    var sa = stat(), sb = stat()
    if stat(a, &sa) == 0, stat(b, &sb) == 0 {
      return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
    let ua = URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
    let ub = URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
    return ua == ub
  }

  /// Whether `path` names the file standard input reads (`-`, e.g. `robustfit - --output d.csv < d.csv`):
  /// the same device and inode as file descriptor 0. A pipe or terminal on stdin is no file a path names.
  static func isStandardInput(_ path: String) -> Bool {
    var input = stat(), output = stat()
    guard fstat(STDIN_FILENO, &input) == 0, stat(path, &output) == 0 else { return false }
    return input.st_dev == output.st_dev && input.st_ino == output.st_ino
  }

  /// Writes text to `path`, turning a failure into exit 1. A regular file (or none) is written whole
  /// beside its destination and then renamed over it; a symbolic link at `path` is followed, so that
  /// the file it points to is replaced and the link stays a link. Anything else that exists there (a
  /// device such as /dev/stdout, a FIFO) is written in place: renaming over it would replace the
  /// device node itself.
  static func write(_ text: String, to path: String, what: String = "the output") throws {
    let destination = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    var status = stat()
    let exists = stat(destination, &status) == 0
    do {
      if exists && (status.st_mode & S_IFMT) != S_IFREG {
        try writeInPlace(text, to: destination)
      } else {
        try text.write(toFile: destination, atomically: true, encoding: .utf8)
      }
    } catch let error as POSIXError {
      throw CLIError(.failure, "\(path): cannot write \(what): \(String(cString: strerror(error.code.rawValue)))")
    } catch {
      throw CLIError(.failure, "\(path): cannot write \(what): \(error.localizedDescription)")
    }
  }

  /// Opens `path` for writing and writes all of `text`, reporting any failure (a full device).
  private static func writeInPlace(_ text: String, to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_TRUNC)
    guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(descriptor) }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
      }
      bytes = bytes.dropFirst(written)
    }
  }
}
