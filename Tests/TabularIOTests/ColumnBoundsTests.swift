// Each column's bounds taken while reading into one array (ColumnBounds): the min and max of the kept
// rows whatever the threads and pieces, and nil for values holding NaN or ±∞ (which the reader itself
// refuses as text, so only the bounds' own test meets them).

import Foundation
import Testing
@testable import TabularIO

@Suite("Column bounds taken while reading")
struct ColumnBoundsTests {
  @Test("min and max of any count (the four lanes and the rest), nil with NaN or ±∞")
  func bounds() {
    for count in [1, 3, 4, 5, 9, 1000] {
      let values = (0..<count).map { Double(($0 * 7919) % 101) - 50.5 }
      var bounds = ColumnBounds()
      values.withUnsafeBufferPointer { bounds.add($0.baseAddress!, count: count) }
      #expect(bounds.range == values.min()!...values.max()!)
      for bad in [Double.nan, .infinity, -.infinity] {
        var withBad = values
        withBad[count / 2] = bad
        var other = ColumnBounds()
        withBad.withUnsafeBufferPointer { other.add($0.baseAddress!, count: count) }
        #expect(other.range == nil, "\(bad) among \(count)")
      }
    }
    #expect(ColumnBounds().range == nil)
  }

  @Test("a file read into one array: each column's range, across pieces and threads", arguments: [1, 2])
  func fromFile(_ threads: Int) throws {
    let rows = 5000
    let text = "a,b,c\n" + (1...rows).map { "\(Double($0 % 613) - 300.25),\(($0 * 37) % 1009)e-3,\($0 == 2500 ? "-0" : "\(-$0)")\n" }.joined()
    let path = temporaryPath()
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let table = try readNumericCSV(path: path, options: CSVReadOptions(threads: threads, pieceSize: 4096, leadingColumns: 1))
    let block = try #require(table.contiguous)
    #expect(block.bounds.count == 3)
    for j in 0..<3 {
      let column = block.values[((1 + j) * rows)..<((2 + j) * rows)]
      #expect(block.bounds[j].range == column.min()!...column.max()!)
    }
  }
}
