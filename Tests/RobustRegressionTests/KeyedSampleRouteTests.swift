import Testing
@testable import RobustRegression

/// The fit in memory's route to the keyed sample (``FitProblem/likelihoodSample(rows:)``: keys up to an
/// end, widened while too few distinct rows lie below it) against the general route, the driver's
/// selection over every row (``DriverSample/smallest(_:stride:size:predictors:intercept:weighted:names:)``
/// with all rows of positive weight as candidates): the same rows, order and case weights, bit for bit,
/// on random data, heavy repetition, ±0, zero weights, and 64-bit collisions forced by masking the keys.
/// And the selection's pieces against their definitions: the keys of stored rows against
/// ``DriverSample/key(_:)``, the radix order against a stable sort, ``DriverSample/distinct(_:stride:)``
/// against a sort by (key, canonical order), ``DriverSample/canonicalRows(_:stride:predictors:intercept:weighted:names:counts:)``
/// against a stable lexicographic sort, and ``DistinctRows`` against a dictionary.
@Suite("The keyed sample's route in memory against the driver's selection")
struct KeyedSampleRouteTests {
  /// n rows drawn from `distinct` base rows (y, x₁, x₂, and a weight 0–3 when weighted), some values
  /// zero; a copied zero becomes −0 half the time, and every 9th copy of a weighted row takes another
  /// weight.
  static func data(rows n: Int, distinct: Int, weighted: Bool, seed: UInt64)
    -> (design: DesignMatrix, y: [Double], weights: [Double]?) {
    var g = SplitMix64(seed: seed)
    func uniform() -> Double { Double(g.next() >> 11) * 0x1p-53 }
    let base: [[Double]] = (0..<distinct).map { i in
      let a = i % 5 == 0 ? 0 : uniform() * 4 - 2, b = i % 7 == 0 ? 0 : (uniform() * 6).rounded() / 2
      let y = i % 11 == 0 ? 0 : 1 + a - b + uniform()
      return [y, a, b, Double(g.next() % 4)]
    }
    var y = [Double](), x1 = [Double](), x2 = [Double](), w = [Double]()
    for r in 0..<n {
      // The first `distinct` rows once each (every base row present), then copies at random.
      var row = base[r < distinct ? r : Int(g.next() % UInt64(distinct))]
      for t in 0..<3 where row[t] == 0 && g.next() % 2 == 0 { row[t] = -0.0 }
      if r % 9 == 0 { row[3] = Double(g.next() % 4) }
      y.append(row[0])
      x1.append(row[1])
      x2.append(row[2])
      w.append(row[3])
    }
    return (try! DesignMatrix(predictors: [x1, x2]), y, weighted ? w : nil)
  }

  /// The general route: every row of positive weight as a candidate of count 1.
  static func general(_ design: DesignMatrix, _ y: [Double], _ weights: [Double]?, size m: Int, keyMask: UInt64)
    -> (design: DesignMatrix, response: [Double], weights: [Double]?) {
    var candidates = [Double]()
    for i in 0..<design.rows where (weights?[i] ?? 1) > 0 {
      candidates += [y[i], design[i, 1], design[i, 2]] + (weights.map { [$0[i]] } ?? []) + [1]
    }
    return DriverSample.smallest(candidates, stride: weights == nil ? 4 : 5, size: m, predictors: 2, intercept: true,
                                 weighted: weights != nil, names: design.names, keyMask: keyMask)
  }

  static func bits(_ values: [Double]?) -> [UInt64]? { values?.map(\.bitPattern) }

  /// The route in memory equals the general route, bit for bit (±0 included).
  static func expectSameRoutes(_ design: DesignMatrix, _ y: [Double], _ weights: [Double]?, size m: Int,
                               keyMask: UInt64 = .max, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let problem = try FitProblem(design: design, response: y, caseWeights: weights, options: FitOptions(),
                                 columnMagnitudes: [1, 1, 1])
    let inMemory = problem.likelihoodSample(rows: m, keyMask: keyMask)
    let expected = general(design, y, weights, size: m, keyMask: keyMask)
    #expect(inMemory.design.rows < design.rows, "the sample is drawn", sourceLocation: sourceLocation)
    #expect(bits(inMemory.design.values) == bits(expected.design.values), sourceLocation: sourceLocation)
    #expect(bits(inMemory.response) == bits(expected.response), sourceLocation: sourceLocation)
    #expect(bits(inMemory.caseWeights) == bits(expected.weights), sourceLocation: sourceLocation)
  }

  @Test("Random data, from all rows distinct to heavy repetition, weighted or not, on one chunk and several",
        arguments: [(3_000, 3_000, false), (3_000, 3_000, true), (9_000, 9_000, false), (20_000, 20_000, true),
                    (12_000, 2_500, false), (12_000, 2_500, true), (20_000, 300, false), (20_000, 300, true),
                    (5_000, 1_000, true), (2_100, 2_100, false)] as [(Int, Int, Bool)])
  func randomData(rows n: Int, distinct: Int, weighted: Bool) throws {
    let (design, y, weights) = Self.data(rows: n, distinct: distinct, weighted: weighted, seed: UInt64(n * 31 + distinct))
    for m in [2_000, 250] {
      try Self.expectSameRoutes(design, y, weights, size: m)
    }
  }

  @Test("Fewer distinct rows than the sample: all of them, weighted by their copies (the last span reaches every key)",
        arguments: [false, true])
  func fewDistinct(weighted: Bool) throws {
    let (design, y, weights) = Self.data(rows: 30_000, distinct: 120, weighted: weighted, seed: 7)
    try Self.expectSameRoutes(design, y, weights, size: 2_000)
  }

  @Test("Most rows of zero weight: the first span counts only rows of positive weight")
  func zeroWeights() throws {
    let (design, y, drawn) = Self.data(rows: 10_000, distinct: 10_000, weighted: true, seed: 11)
    let weights = drawn!.indices.map { $0 % 10 == 1 ? drawn![$0] : 0 }
    try Self.expectSameRoutes(design, y, weights, size: 500)
  }

  @Test("Keys masked to force 64-bit collisions: distinct rows of one key stay apart, ordered canonically",
        arguments: [(0xFFFF_0000_0000_0000, 6_000, false), (0xFFFF_0000_0000_0000, 6_000, true),
                    (0xFF00_0000_0000_0000, 1_500, false), (0xFF00_0000_0000_0000, 1_500, true),
                    (0, 150, false), (0, 150, true)] as [(UInt64, Int, Bool)])
  func forcedCollisions(mask: UInt64, distinct: Int, weighted: Bool) throws {
    let (design, y, weights) = Self.data(rows: 3 * distinct, distinct: distinct, weighted: weighted,
                                         seed: mask &+ UInt64(distinct))
    for m in [distinct / 3, distinct - 10] {
      try Self.expectSameRoutes(design, y, weights, size: m, keyMask: mask)
    }
  }

  @Test("The keys of stored rows are DriverSample.key of each row", arguments: [1, 3, 12, 300, 1_000])
  func storedKeys(rows count: Int) {
    var g = SplitMix64(seed: UInt64(count))
    let stride = 6, width = 4
    let rows = (0..<(count * stride)).map { t in t % 5 == 0 ? -0.0 : Double(Int64(bitPattern: g.next() % 7)) / 3 }
    let keys = rows.withUnsafeBufferPointer { DriverSample.keys(ofRows: $0, count: count, stride: stride, width: width) }
    #expect(keys == (0..<count).map { DriverSample.key(rows[($0 * stride)..<($0 * stride + width)]) })
  }

  @Test("The radix order is the stable sort by key", arguments: [0, 1, 2, 255, 256, 3_000])
  func radixOrder(count: Int) {
    var g = SplitMix64(seed: UInt64(count) &+ 5)
    // Keys with shared bytes, few values and the extremes: passes skipped and not.
    let keys: [UInt64] = (0..<count).map { i in
      switch i % 4 {
      case 0: return g.next()
      case 1: return g.next() % 5
      case 2: return (g.next() % 3) << 40
      default: return i % 8 == 3 ? UInt64.max : 0
      }
    }
    let order = keys.withUnsafeBufferPointer { RadixOrder.stable($0) }
    #expect(order == Array(0..<count).sorted { keys[$0] < keys[$1] })
  }

  /// `count` rows of `width` values in {−1, ±0, 1, 2} (NaN now and then with `nan`) and a count 1–3.
  static func smallValues(count: Int, width: Int, nan: Bool, seed: UInt64) -> [Double] {
    var g = SplitMix64(seed: seed)
    var rows = [Double]()
    for _ in 0..<count {
      for _ in 0..<width {
        let v = Double(g.next() % 4) - 1
        rows.append(nan && g.next() % 50 == 0 ? .nan : (v == 0 && g.next() % 2 == 0 ? -0.0 : v))
      }
      rows.append(Double(1 + g.next() % 3))
    }
    return rows
  }

  @Test("distinct merges equal rows (±0 alike, written +0) in increasing (key, canonical order), collisions kept apart; with NaN, the sort's order",
        arguments: [(UInt64.max, false), (0xFFF0_0000_0000_0000, false), (0, false), (.max, true), (0, true)] as [(UInt64, Bool)])
  func distinctAgainstSort(mask: UInt64, nan: Bool) {
    let stride = 4, width = 3, count = 2_000
    let rows = Self.smallValues(count: count, width: width, nan: nan, seed: mask &+ 3)
    // The definition: sorted by (key, lexicographic), equal neighbours merged.
    func row(_ i: Int) -> [Double] { Array(rows[(i * stride)..<(i * stride + width)]) }
    func precedes(_ a: [Double], _ b: [Double]) -> Bool {
      for t in a.indices where a[t] != b[t] { return a[t] < b[t] }
      return false
    }
    let key = { (i: Int) in DriverSample.key(rows[(i * stride)..<(i * stride + width)]) & mask }
    let order = Array(0..<count).sorted { i, j in key(i) != key(j) ? key(i) < key(j) : precedes(row(i), row(j)) }
    var expected = [[Double]]()
    var last = -1
    for i in order {
      if last >= 0, key(last) == key(i), !precedes(row(last), row(i)) {
        expected[expected.count - 1][width] += rows[i * stride + width]
        continue
      }
      expected.append(row(i).map { $0 == 0 ? 0 : $0 } + [rows[i * stride + width]])
      last = i
    }
    let merged = DriverSample.distinct(rows, stride: stride, keyMask: mask)
    #expect(merged.map(\.bitPattern) == expected.joined().map(\.bitPattern))
    if mask == .max {
      #expect(merged.map(\.bitPattern) == DriverSample.distinct(rows, stride: stride).map(\.bitPattern))
    }
  }

  @Test("canonicalRows puts rows (repeated, ±0 kept as they are; with NaN) in the stable lexicographic order",
        arguments: [false, true])
  func canonicalOrder(nan: Bool) {
    let stride = 4, count = 1_500
    let rows = Self.smallValues(count: count, width: stride - 1, nan: nan, seed: nan ? 17 : 19)
    func row(_ i: Int) -> [Double] { Array(rows[(i * stride)..<((i + 1) * stride)]) }
    let order = Array(0..<count).sorted { i, j in
      for t in 0..<stride where rows[i * stride + t] != rows[j * stride + t] { return rows[i * stride + t] < rows[j * stride + t] }
      return false
    }
    // Rows [y, x₁, x₂, w]: weighted, so w is the last value of each row.
    let result = DriverSample.canonicalRows(rows, stride: stride, predictors: 2, intercept: true, weighted: true,
                                            names: ["intercept", "x1", "x2"])
    #expect(result.response.map(\.bitPattern) == order.map { rows[$0 * stride].bitPattern })
    #expect(result.design.values.map(\.bitPattern)
      == ([Double](repeating: 1, count: count) + order.map { row($0)[1] } + order.map { row($0)[2] }).map(\.bitPattern))
    #expect(result.weights?.map(\.bitPattern) == order.map { rows[$0 * stride + 3].bitPattern })
  }

  @Test("DistinctRows counts equal rows together and keeps rows of one key apart", arguments: [1, 4, 1 << 20])
  func distinctRowsTable(keyValues: Int) {
    var g = SplitMix64(seed: UInt64(keyValues))
    // Rows are values 0..<50 (row i has value values[i]); keys from few values: collisions of distinct rows.
    let values = (0..<5_000).map { _ in Int(g.next() % 50) }
    let keyOf = (0..<50).map { _ in g.next() % UInt64(keyValues) }
    var table = DistinctRows(expected: 3)
    for (i, v) in values.enumerated() {
      table.add(keyOf[v], row: i, copies: 1 + i % 2) { values[$0] == values[$1] }
    }
    var expected: [Int: Int] = [:]
    for (i, v) in values.enumerated() { expected[v, default: 0] += 1 + i % 2 }
    var found: [Int: Int] = [:], firsts: [Int] = []
    table.forEach { key, row, count in
      #expect(key == keyOf[values[row]])
      #expect(found[values[row]] == nil, "one entry per distinct row")
      found[values[row]] = count
      firsts.append(row)
    }
    #expect(found == expected)
    #expect(table.count == expected.count)
    // In the order first added: each entry is its value's first row, increasing.
    #expect(firsts == firsts.sorted() && firsts.allSatisfy { values.firstIndex(of: values[$0]) == $0 })
  }
}
