import Foundation
import Testing

/// Keeps the pages and the example tests together: every ```swift block of README.md, of Docs/*.md
/// and of the DocC catalog (Sources/RobustRegression/Documentation.docc/**/*.md) must stand in one of
/// the example test files of this folder (every .swift file here but this one), so that an example
/// edited on a page without its test fails here.
///
/// How a block is matched: its lines must appear in a test file in order and contiguous, compared
/// without leading and trailing white space (the tests indent the examples inside functions); blank
/// lines count. Two kinds of line are treated apart:
/// - `import` lines of a block are matched against the test file's own imports (Swift allows imports
///   only at the top of a file), so the file holding the block must import each module the block
///   imports;
/// - a block whose first line is `// In your Package.swift:` is manifest code for users (a
///   `.package(…)` dependency and a `.product(…)` target dependency), which cannot compile inside a
///   test. It is skipped, for that reason, and only its references are checked: each
///   `.product(name: "…", package: "robustfit")` must name a library product of this package's
///   Package.swift.
///
/// Blocks fenced otherwise (```sh, ``` with no language, …) are not Swift and are not read.
@Suite("The Swift blocks of the pages stand in the example tests")
struct DocumentationBlocks {
  /// The first line of a manifest block (see the type's documentation).
  static let manifestMarker = "// In your Package.swift:"

  /// One fenced ```swift block of a page.
  struct Block: CustomStringConvertible {
    /// The page, relative to the repository root.
    let page: String
    /// The 1-based line of the opening fence.
    let line: Int
    /// The lines between the fences, as written.
    let lines: [String]

    var description: String { "\(page):\(line)" }
    var isManifest: Bool { lines.first?.trimmed == DocumentationBlocks.manifestMarker }
  }

  /// The repository root: this file is Tests/DocumentationExampleTests/DocumentationBlocks.swift.
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// README.md, Docs/*.md and every .md file of the DocC catalog, relative to the root, sorted.
  static func pages() throws -> [String] {
    let files = FileManager.default
    let docs = try files.contentsOfDirectory(atPath: root.appendingPathComponent("Docs").path)
      .filter { $0.hasSuffix(".md") }.map { "Docs/" + $0 }
    let catalog = "Sources/RobustRegression/Documentation.docc"
    let catalogPages = (files.enumerator(atPath: root.appendingPathComponent(catalog).path)?.allObjects ?? [])
      .compactMap { $0 as? String }.filter { $0.hasSuffix(".md") }.map { catalog + "/" + $0 }
    return ["README.md"] + docs.sorted() + catalogPages.sorted()
  }

  /// The ```swift blocks of `page` (CommonMark fences of three or more backticks or tildes; the block
  /// ends at a fence of the same character at least as long).
  static func swiftBlocks(of page: String) throws -> [Block] {
    let text = try String(contentsOf: root.appendingPathComponent(page), encoding: .utf8)
    var blocks: [Block] = []
    var open: (fence: String, line: Int, isSwift: Bool)?
    var body: [String] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = String(line).trimmed
      if let current = open {
        if trimmed.hasPrefix(current.fence), trimmed.allSatisfy({ $0 == current.fence.first }) {
          if current.isSwift { blocks.append(Block(page: page, line: current.line, lines: body)) }
          open = nil
        } else {
          body.append(String(line))
        }
      } else if let marker = trimmed.first, marker == "`" || marker == "~" {
        let fence = String(trimmed.prefix { $0 == marker })
        guard fence.count >= 3 else { continue }
        let info = trimmed.dropFirst(fence.count).trimmed
        let language = info.split(separator: " ").first.map(String.init) ?? ""
        open = (fence, index + 1, language == "swift")
        body = []
      }
    }
    return blocks
  }

  /// The example test files of this folder (every .swift file but this one): name and lines.
  static func exampleSources() throws -> [(name: String, lines: [String])] {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let this = URL(fileURLWithPath: #filePath).lastPathComponent
    return try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".swift") && $0 != this }.sorted()
      .map { name in
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return (name, text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmed })
      }
  }

  /// Whether `needle` occurs in `haystack` as a contiguous run.
  static func contains(_ haystack: [String], run needle: [String]) -> Bool {
    guard !needle.isEmpty else { return true }
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { start in
      haystack[start..<(start + needle.count)].elementsEqual(needle)
    }
  }

  @Test("Every ```swift block of README.md, Docs/*.md and the DocC catalog is the code of an example test")
  func everySwiftBlockIsTested() throws {
    let blocks = try Self.pages().flatMap { try Self.swiftBlocks(of: $0) }
    let sources = try Self.exampleSources()
    // The pages that have examples today: a parser that finds none there is broken, not satisfied.
    #expect(blocks.contains { $0.page == "README.md" && !$0.isManifest })
    #expect(blocks.contains { $0.page.hasSuffix("Documentation.docc/GettingStarted.md") })
    for block in blocks where !block.isManifest {
      let lines = block.lines.map(\.trimmed)
      let imports = lines.filter { $0.hasPrefix("import ") }
      let code = Array(lines.filter { !$0.hasPrefix("import ") }.drop { $0.isEmpty })
      let holders = sources.filter { Self.contains($0.lines, run: code) }
      #expect(!holders.isEmpty, "\(block): no example test holds this block as written; copy it into one")
      for holder in holders {
        for module in imports where !holder.lines.contains(module) {
          Issue.record("\(block): \(holder.name) holds the block but not its `\(module)`")
        }
      }
    }
  }

  @Test("The Package.swift blocks for users name products this package has")
  func manifestBlocksNameOurProducts() throws {
    let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
    let packageName = try #require(manifest.firstMatch(of: /Package\(\s*name:\s*"([^"]+)"/)?.1)
    let blocks = try Self.pages().flatMap { try Self.swiftBlocks(of: $0) }.filter(\.isManifest)
    #expect(!blocks.isEmpty, "README.md shows how to depend on the package")
    for block in blocks {
      let products = block.lines.joined(separator: "\n").matches(of: /\.product\(name:\s*"([^"]+)",\s*package:\s*"([^"]+)"\)/)
      #expect(!products.isEmpty, "\(block): a manifest block without a .product(…) dependency")
      for product in products {
        #expect(product.2 == packageName, "\(block): the package is \(packageName), not \(product.2)")
        let isLibrary = manifest.contains(".library(name: \"\(product.1)\"")
        #expect(isLibrary, "\(block): Package.swift has no library product \(product.1)")
      }
    }
  }
}

extension StringProtocol {
  /// Without leading and trailing white space.
  var trimmed: String { String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()) }
}
