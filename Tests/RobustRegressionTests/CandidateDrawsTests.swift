import Foundation
import Testing
@testable import RobustRegression

/// fast-S's draws made in parallel runs from speculated generator states (``BlockDraws``) against the
/// plain sequential stream (``ElementalSubsets/draw(_:)`` then ``CandidateWorkspace/evaluate(_:residualsInto:)``, draw
/// after draw from the seed): the same subsets, the same stepped β and scales bit for bit, on data where
/// the rank test rejects rows (so that speculation goes wrong and is repaired) and on data where it
/// never does.
@Suite("Candidate draws in parallel runs: the sequential stream bit for bit")
struct CandidateDrawsTests {
  enum Data: String, CaseIterable, CustomTestStringConvertible {
    /// Four continuous predictors: the rank test rejects nothing.
    case continuous
    /// Four dummy columns, each 1 in four rows of 400: most rows are rejected once the intercept and x
    /// are spanned, and many draws find no subset within their tries.
    case dummyColumns
    /// x₂ = 2x₁ in nine rows of ten: subsets of those rows are rejected.
    case collinearRows
    /// 40 distinct rows, each repeated ten times: a repeat of a kept row is rejected.
    case duplicates
    /// No intercept; one row in ten all zero and three in ten of case weight 0 (rows never taken, tried
    /// all the same), the rest weighted 1–3.
    case zeroWeights

    var testDescription: String { rawValue }

    /// Whether the rank test rejects rows of these data (so that some speculation fails).
    var rejects: Bool { self != .continuous && self != .zeroWeights }

    func block(rows n: Int, seed: UInt64) throws -> CandidateBlock {
      var random = TestRandom(state: seed)
      var columns: [[Double]] = [], intercept = true, weights: [Double]?
      switch self {
      case .continuous:
        columns = (0..<4).map { _ in (0..<n).map { _ in 10 * random.uniform() } }
      case .dummyColumns:
        columns = [(0..<n).map { _ in 10 * random.uniform() }]
          + (0..<4).map { j in (0..<n).map { i in i % 97 == j ? 1 : 0 } }
      case .collinearRows:
        let x1 = (0..<n).map { _ in 10 * random.uniform() }
        columns = [x1, (0..<n).map { i in i % 10 == 0 ? 10 * random.uniform() : 2 * x1[i] },
                   (0..<n).map { _ in 10 * random.uniform() }]
      case .duplicates:
        let distinct = (0..<3).map { _ in (0..<40).map { _ in 10 * random.uniform() } }
        columns = distinct.map { column in (0..<n).map { column[$0 % 40] } }
      case .zeroWeights:
        intercept = false
        columns = (0..<4).map { _ in (0..<n).map { i in i % 10 == 3 ? 0 : 10 * random.uniform() } }
        weights = (0..<n).map { i in i % 10 < 3 ? 0 : Double(1 + i % 3) }
      }
      let design = try DesignMatrix(predictors: columns, intercept: intercept)
      let y = (0..<n).map { i in
        (0..<design.columns).reduce(1.0) { $0 + Double($1 + 1) * design[i, $1] } + (random.uniform() - 0.5)
          + (i % 5 == 0 ? 30 : 0)
      }
      let magnitudes = (0..<design.columns).map { j in (0..<n).reduce(0.0) { max($0, abs(design[$1, j])) } }
      return CandidateBlock(design: design, response: y, caseWeights: weights, columnMagnitudes: magnitudes, rows: nil)
    }
  }

  static let count = 500

  /// The stream drawn and evaluated in order on one thread.
  static func sequential(_ block: CandidateBlock, seed: UInt64) -> [CandidateOutcome] {
    var generator = SplitMix64(seed: seed)
    let workspace = CandidateWorkspace(block), subsets = ElementalSubsets(block: block)
    return (0..<count).map { _ in workspace.evaluate(subsets.draw(&generator)) }
  }

  /// The same case with the same doubles (bit patterns).
  static func same(_ a: CandidateOutcome, _ b: CandidateOutcome) -> Bool {
    func bits(_ v: [Double]) -> [UInt64] { v.map(\.bitPattern) }
    switch (a, b) {
    case (.skipped, .skipped): return true
    case let (.exact(u), .exact(v)): return bits(u) == bits(v)
    case let (.stepped(u, s), .stepped(v, t)): return bits(u) == bits(v) && s.bitPattern == t.bitPattern
    case (.failed, .failed): return true
    default: return false
    }
  }

  static func firstDifference(_ a: [CandidateOutcome], _ b: [CandidateOutcome]) -> Int? {
    zip(a, b).enumerated().first { !same($1.0, $1.1) }?.offset
  }

  @Test("one block per data set, three seeds", arguments: Data.allCases)
  func oneBlock(data: Data) throws {
    for seed in UInt64(1)...3 {
      let block = try data.block(rows: 400, seed: seed)
      let stream = BlockDraws.search(in: [block], count: Self.count, seeds: [seed &* 7919], kept: 2)[0]
      let reference = Self.sequential(block, seed: seed &* 7919)
      #expect(stream.outcomes.count == Self.count)
      let first = Self.firstDifference(stream.outcomes, reference)
      #expect(first == nil, "\(data) seed \(seed): draw \(first ?? -1) differs")
      if data.rejects {
        #expect(stream.rounds.count > 1, "\(data) seed \(seed): no speculation was repaired: \(stream.rounds)")
      } else {
        #expect(stream.rounds == [true], "\(data) seed \(seed): \(stream.rounds)")
      }
      #expect(reference.contains { if case .stepped = $0 { true } else { false } })
    }
  }

  @Test("several blocks in one search, each its own stream")
  func severalBlocks() throws {
    let blocks = try Data.allCases.enumerated().map { try $1.block(rows: 300 + 50 * $0, seed: UInt64(10 + $0)) }
    let seeds = blocks.indices.map { UInt64(1000 + $0) }
    let streams = BlockDraws.search(in: blocks, count: Self.count, seeds: seeds, kept: 2)
    for (b, block) in blocks.enumerated() {
      let reference = Self.sequential(block, seed: seeds[b])
      let first = Self.firstDifference(streams[b].outcomes, reference)
      #expect(streams[b].outcomes.count == Self.count && first == nil, "block \(b): draw \(first ?? -1) differs")
    }
  }

  /// The kept candidates from the parallel search equal those of the sequential stream entered draw
  /// by draw on one thread, segment by segment (robustbase's loop, lists per segment of 100 draws).
  @Test("kept candidates as from the sequential stream", arguments: Data.allCases)
  func keptCandidates(data: Data) throws {
    let block = try data.block(rows: 400, seed: 5)
    let found = try CandidateBlock.bestCandidates(in: [block], count: Self.count, seeds: [77], kept: 2)[0]
    var generator = SplitMix64(seed: 77)
    let workspace = CandidateWorkspace(block), subsets = ElementalSubsets(block: block)
    var pooled: KeptList.Kept = [], list = KeptList(kept: 2)
    for k in 0..<Self.count {
      list.add(k, workspace.evaluate(subsets.draw(&generator)), residuals: UnsafeBufferPointer(workspace.r),
               workspace: workspace)
      if (k + 1) % CandidateBlock.candidatesPerSegment == 0 || k + 1 == Self.count {
        pooled += try list.result.get()
        list = KeptList(kept: 2)
      }
    }
    let expected = pooled.contains { $0.estimate.scale == 0 }
      ? [pooled.filter { $0.estimate.scale == 0 }.min { $0.index < $1.index }!.estimate]
      : pooled.sorted { ($0.estimate.scale, $0.index) < ($1.estimate.scale, $1.index) }.prefix(2).map(\.estimate)
    #expect(!found.isEmpty, "\(data)")
    #expect(found.map(\.scale.bitPattern) == expected.map(\.scale.bitPattern), "\(data)")
    #expect(found.map { $0.coefficients.map(\.bitPattern) } == expected.map { $0.coefficients.map(\.bitPattern) })
  }
}
