import Dispatch
import Foundation

/// What one elemental draw of fast-S's candidate search has become before it meets the candidates kept
/// so far (``CandidateWorkspace/evaluate(_:)``): everything up to there depends on the draw alone.
enum CandidateOutcome {
  /// No nonsingular subset was found, or a step's weighted system was singular: the draw is passed over.
  case skipped
  /// The subset's β₀ fits more than half of the block exactly (its MAD is 0, or not a number).
  case exact([Double])
  /// β and scale after ``SEstimator/candidateSteps`` steps from β₀.
  case stepped([Double], scale: Double)
  /// A step threw.
  case failed(any Error)
}

/// One block's stream of draws and their outcomes, made in parallel runs of ``candidatesPerRun``
/// consecutive draws (``outcomes(in:count:seeds:)``), bit for bit the sequential stream's.
///
/// A round first replays the rest of the stream with ``ElementalSubsets/skip(_:)`` (the generator state
/// at which each draw starts when the rank test rejects no row: about a fiftieth of a draw's work);
/// each run then draws from its first speculated state, continues from the state each draw really
/// left, and evaluates its draws. A run is the stream's when the state it started from is the one the
/// run before it really ended in; the first run of a round always is (its state is known). Runs are
/// adopted in order up to the first that is not, and the next round starts there. A run whose own draws
/// left the speculation (a row rejected by the rank test) says so at once, and the runs after that
/// point stop early instead of drawing from states that are likely wrong.
///
/// Data on which the rank test rejects rows often (dummy columns, repeated rows) would adopt little per
/// round; when a round adopts less than half of what was left, the rest is drawn sequentially, as
/// before speculation (and only evaluated in parallel). Whatever the threads' timing, the outcomes are
/// those of ``ElementalSubsets/draw(_:)`` and ``CandidateWorkspace/evaluate(_:)`` in stream order.
final class BlockDraws: @unchecked Sendable {
  let block: CandidateBlock
  let count: Int
  /// The outcomes of draws 0..<``resolved``, the stream's.
  private(set) var outcomes: [CandidateOutcome] = []
  /// Each round so far: speculative (true) or drawn sequentially (false).
  private(set) var rounds: [Bool] = []
  /// The stream's generator state at draw ``resolved``.
  private var state: SplitMix64
  private var speculative = true
  /// This round's speculated start states of draws ``resolved``…`count` (the last: past the last draw),
  /// or, drawn sequentially, its subsets.
  private var speculated: [SplitMix64] = []
  private var drawn: [[Double]?] = []
  /// The first draw of this round that a run reached from a state other than the speculated one.
  private var divergence = Int.max
  private let lock = NSLock()

  /// Draws per run: 20 runs per block of 500, so that two or more cores stay evenly busy to the end
  /// (the kept candidates do not depend on it: ``CandidateBlock/candidatesPerSegment``).
  static let candidatesPerRun = 25

  init(block: CandidateBlock, seed: UInt64, count: Int) {
    self.block = block
    self.count = count
    state = SplitMix64(seed: seed)
  }

  var resolved: Int { outcomes.count }

  /// Every block's outcomes of `count` draws from its seed (one stream per block, as robustbase).
  static func outcomes(in blocks: [CandidateBlock], count: Int, seeds: [UInt64]) -> [BlockDraws] {
    let streams = blocks.indices.map { BlockDraws(block: blocks[$0], seed: seeds[$0], count: count) }
    while true {
      let open = streams.filter { $0.resolved < count }
      guard !open.isEmpty else { break }
      DispatchQueue.concurrentPerform(iterations: open.count) { open[$0].prepareRound() }
      let runs = open.flatMap { stream in stream.runRanges().map { (stream, $0) } }
      let slots = RunSlots(count: runs.count)
      DispatchQueue.concurrentPerform(iterations: runs.count) { r in slots.set(r, runs[r].0.run(runs[r].1)) }
      var next = 0
      for stream in open {
        let own = runs[next...].prefix { $0.0 === stream }.indices
        stream.adopt(own.map { slots.get($0)! })
        next = own.upperBound
      }
    }
    return streams
  }

  /// The rest of the stream's start states, speculated, or its subsets, drawn in order.
  private func prepareRound() {
    let subsets = ElementalSubsets(block: block)
    var generator = state
    divergence = .max
    if speculative {
      speculated = (resolved...count).map { k in
        defer { if k < count { subsets.skip(&generator) } }
        return generator
      }
    } else {
      drawn = (resolved..<count).map { _ in subsets.draw(&generator) }
    }
  }

  /// This round's runs: the rest of the stream cut at multiples of ``candidatesPerRun``.
  private func runRanges() -> [Range<Int>] {
    var ranges: [Range<Int>] = [], first = resolved
    while first < count {
      let end = min(count, (first / Self.candidatesPerRun + 1) * Self.candidatesPerRun)
      ranges.append(first..<end)
      first = end
    }
    return ranges
  }

  /// One run's draws and outcomes: `start` the state it began from (nil when drawn sequentially), `end` the
  /// state it left, `complete` false when it stopped early.
  struct Run {
    var start: SplitMix64?
    var end: SplitMix64?
    var outcomes: [CandidateOutcome]
    var complete: Bool
  }

  private func run(_ range: Range<Int>) -> Run {
    let workspace = CandidateWorkspace(block)
    guard speculative else {
      return Run(start: nil, end: nil, outcomes: range.map { workspace.evaluate(drawn[$0 - resolved]) }, complete: true)
    }
    let start = speculated[range.lowerBound - resolved]
    var generator = start, outcomes: [CandidateOutcome] = [], left = false
    outcomes.reserveCapacity(range.count)
    for k in range {
      if !left, generator.state != speculated[k - resolved].state {  // this run's draws left the speculation
        left = true
        diverge(at: k)
      }
      if diverged(before: range.lowerBound) { return Run(start: start, end: nil, outcomes: [], complete: false) }
      outcomes.append(workspace.evaluate(workspace.subsets.draw(&generator)))
    }
    if !left, generator.state != speculated[range.upperBound - resolved].state { diverge(at: range.upperBound) }
    return Run(start: start, end: generator, outcomes: outcomes, complete: true)
  }

  private func diverge(at k: Int) { lock.withLock { divergence = min(divergence, k) } }
  private func diverged(before k: Int) -> Bool { lock.withLock { divergence <= k } }

  /// Takes this round's runs (in order) up to the first that did not start where the stream was.
  private func adopt(_ runs: [Run]) {
    let before = resolved
    rounds.append(speculative)
    for run in runs {
      if let start = run.start {
        guard run.complete, start.state == state.state, let end = run.end else { break }
        state = end
      }
      outcomes += run.outcomes
    }
    speculative = 2 * (resolved - before) >= count - before
  }
}

/// The runs of a round, each written by the worker of its run.
final class RunSlots: @unchecked Sendable {
  private var slots: [BlockDraws.Run?]
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ run: BlockDraws.Run) { lock.withLock { slots[i] = run } }
  func get(_ i: Int) -> BlockDraws.Run? { lock.withLock { slots[i] } }
}
