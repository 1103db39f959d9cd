import Dispatch
import Foundation

/// What one elemental draw of fast-S's candidate search has become before it meets the candidates kept
/// so far (``CandidateWorkspace/evaluate(_:residualsInto:)``): everything up to there depends on the draw alone.
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

/// The kept list of one segment of a block's stream (robustbase's resampling loop over its draws, in
/// draw order): the `kept` smallest M-scales with their draw numbers, smallest first; the first exact
/// fit alone, at scale 0; or the first failure. Outcomes after an exact fit or a failure are ignored.
struct KeptList {
  typealias Kept = [(index: Int, estimate: SEstimator.Estimate)]
  let kept: Int
  private var best: [SEstimator.Estimate] = [], indices: [Int] = []
  private var ended: Result<Kept, any Error>?

  init(kept: Int) { self.kept = kept }

  /// Adds draw `index`'s outcome; `residuals` are those at its β when it stepped (the M-scale's).
  mutating func add(_ index: Int, _ outcome: CandidateOutcome, residuals: UnsafeBufferPointer<Double>,
                    workspace: CandidateWorkspace) {
    guard ended == nil else { return }
    switch outcome {
    case .skipped:
      return
    case .exact(let start):
      ended = .success([(index, SEstimator.Estimate(coefficients: start, scale: 0, converged: true))])
    case .failed(let error):
      ended = .failure(error)
    case .stepped(let beta, let scale):
      if let position = workspace.enter(beta, scale: scale, residuals: residuals, into: &best, kept: kept) {
        indices.insert(index, at: position)
        if indices.count > best.count { indices.removeLast() }
      }
    }
  }

  var result: Result<Kept, any Error> { ended ?? .success(zip(indices, best).map { ($0, $1) }) }
}

/// One block's stream of draws, made in parallel runs of ``candidatesPerRun`` consecutive draws and
/// committed in draw order into the kept lists of its segments (``search(in:count:seeds:kept:)``), bit
/// for bit the sequential stream.
///
/// A round first replays the rest of the stream with ``ElementalSubsets/skip(_:)`` (the generator state
/// at which each draw starts when the rank test rejects no row: about a fiftieth of a draw's work);
/// each run then draws from its first speculated state, continues from the state each draw really
/// left, and evaluates its draws, keeping the residuals of each stepped β. A run is the stream's when
/// the state it started from is the one the run before it really ended in; the first run of a round
/// always is (its state is known). Whichever worker finishes the run that is next in draw order commits
/// it (and the finished runs after it): checks its start, enters its candidates into the segment's kept
/// list, and hands its residual buffer back. The first run that did not start where the stream was ends the round,
/// and the next round starts there. A run whose own draws left the speculation (a row rejected by the
/// rank test) says so at once, and the runs after that point stop early instead of drawing from states
/// that are likely wrong.
///
/// Data on which the rank test rejects rows often (dummy columns, repeated rows) would commit little per
/// round; when a round commits less than half of what was left, the rest is drawn sequentially, as
/// before speculation (and only evaluated in parallel). Whatever the threads' timing, the outcomes are
/// those of ``ElementalSubsets/draw(_:)`` and ``CandidateWorkspace/evaluate(_:residualsInto:)`` in stream
/// order, and the kept lists those of entering them in that order.
final class BlockDraws: @unchecked Sendable {
  let block: CandidateBlock
  let count: Int
  let kept: Int
  /// The outcomes of draws 0..<``resolved``, the stream's.
  private(set) var outcomes: [CandidateOutcome] = []
  /// The kept candidates of each segment of ``CandidateBlock/candidatesPerSegment`` draws committed.
  private(set) var segments: [Result<KeptList.Kept, any Error>] = []
  /// Each round so far: speculative (true) or drawn sequentially (false).
  private(set) var rounds: [Bool] = []
  /// The stream's generator state at draw ``resolved``, and the list of its segment.
  private var state: SplitMix64
  private var list: KeptList
  private var speculative = true
  /// The first draw of this round.
  private var roundStart = 0
  /// This round's speculated start states of draws ``resolved``…`count` (the last: past the last draw),
  /// or, drawn sequentially, its subsets.
  private var speculated: [SplitMix64] = []
  private var drawn: [[Double]?] = []
  /// Under the lock: the first draw of this round that a run reached from a state other than the
  /// speculated one; finished runs not yet committed, by their number in the round (``runNumber(_:)``);
  /// whether a worker is committing; whether a run failed its check (nothing more is committed this round).
  private var divergence = Int.max
  private var finished: [Run?] = []
  private var committing = false, stopped = false
  /// Under the lock: the workspaces of finished runs, for the next.
  private var spareWorkspaces: [CandidateWorkspace] = []
  /// The runs' residual buffers, shared by the blocks of a search.
  private let residualPool: RunResiduals.Pool
  private let lock = NSLock()

  /// Draws per run: 20 runs per block of 500, so that two or more cores stay evenly busy to the end
  /// (the kept candidates do not depend on it: ``CandidateBlock/candidatesPerSegment``).
  static let candidatesPerRun = 25

  init(block: CandidateBlock, seed: UInt64, count: Int, kept: Int, residualPool: RunResiduals.Pool) {
    self.block = block
    self.residualPool = residualPool
    self.count = count
    self.kept = kept
    state = SplitMix64(seed: seed)
    list = KeptList(kept: kept)
  }

  var resolved: Int { outcomes.count }

  /// Every block's stream of `count` draws from its seed (one stream per block, as robustbase),
  /// committed into the kept lists of its segments.
  static func search(in blocks: [CandidateBlock], count: Int, seeds: [UInt64], kept: Int) -> [BlockDraws] {
    let pool = RunResiduals.Pool(count: candidatesPerRun * (blocks.map(\.rows).max() ?? 0))
    let streams = blocks.indices.map {
      BlockDraws(block: blocks[$0], seed: seeds[$0], count: count, kept: kept, residualPool: pool)
    }
    while true {
      let open = streams.filter { $0.resolved < count }
      guard !open.isEmpty else { break }
      DispatchQueue.concurrentPerform(iterations: open.count) { open[$0].prepareRound() }
      let runs = open.flatMap { stream in stream.runRanges().map { (stream, $0) } }
      DispatchQueue.concurrentPerform(iterations: runs.count) { r in runs[r].0.run(runs[r].1) }
      for stream in open { stream.endRound() }
    }
    return streams
  }

  /// The rest of the stream's start states, speculated, or its subsets, drawn in order.
  private func prepareRound() {
    let subsets = ElementalSubsets(block: block)
    var generator = state
    (divergence, stopped, committing) = (.max, false, false)
    rounds.append(speculative)
    roundStart = resolved
    finished = Array(repeating: nil, count: runRanges().count)
    if speculative {
      speculated = (resolved...count).map { k in
        defer { if k < count { subsets.skip(&generator) } }
        return generator
      }
    } else {
      drawn = (resolved..<count).map { _ in subsets.draw(&generator) }
    }
  }

  /// The number in this round of the run that starts at draw `first`.
  private func runNumber(_ first: Int) -> Int { first / Self.candidatesPerRun - roundStart / Self.candidatesPerRun }

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

  /// One run's draws: `start` the state it began from (nil when drawn sequentially), `end` the state it
  /// left (nil when it stopped early), the outcomes, and the residuals of its k-th draw at k·rows when
  /// it stepped.
  struct Run {
    var first: Int
    var start: SplitMix64?
    var end: SplitMix64?
    var outcomes: [CandidateOutcome]
    var residuals: RunResiduals
  }

  private func run(_ range: Range<Int>) {
    let m = block.rows
    let workspace = lock.withLock { spareWorkspaces.popLast() } ?? CandidateWorkspace(block)
    let residuals = residualPool.take()
    defer { lock.withLock { spareWorkspaces.append(workspace) } }
    var outcomes: [CandidateOutcome] = []
    outcomes.reserveCapacity(range.count)
    func evaluate(_ start: [Double]?) {
      let slot = UnsafeMutableBufferPointer(rebasing: residuals.values[(outcomes.count * m)..<((outcomes.count + 1) * m)])
      outcomes.append(workspace.evaluate(start, residualsInto: slot))
    }
    guard speculative else {
      for k in range { evaluate(drawn[k - roundStart]) }
      return commit(Run(first: range.lowerBound, start: nil, end: nil, outcomes: outcomes, residuals: residuals),
                    workspace)
    }
    let start = speculated[range.lowerBound - roundStart]
    var generator = start, left = false, end: SplitMix64? = nil
    for k in range {
      if !left, generator.state != speculated[k - roundStart].state {  // this run's draws left the speculation
        left = true
        diverge(at: k)
      }
      if diverged(before: range.lowerBound) { break }
      evaluate(workspace.subsets.draw(&generator))
    }
    if outcomes.count == range.count {
      end = generator
      if !left, generator.state != speculated[range.upperBound - roundStart].state { diverge(at: range.upperBound) }
    }
    commit(Run(first: range.lowerBound, start: start, end: end, outcomes: outcomes, residuals: residuals), workspace)
  }

  private func diverge(at k: Int) { lock.withLock { divergence = min(divergence, k) } }
  private func diverged(before k: Int) -> Bool { lock.withLock { divergence <= k } }

  /// Hands a finished run over; commits it and the finished runs after it when it is next in draw order
  /// and no other worker is committing (that worker then takes it).
  private func commit(_ run: Run, _ workspace: CandidateWorkspace) {
    lock.lock()
    finished[runNumber(run.first)] = run
    guard !committing else { return lock.unlock() }
    committing = true
    while !stopped, resolved < count, let next = finished[runNumber(resolved)] {
      finished[runNumber(resolved)] = nil
      lock.unlock()
      let ok = adopt(next, workspace)
      lock.lock()
      if !ok { stopped = true }
    }
    committing = false
    lock.unlock()
  }

  /// Takes a run into the stream when it started where the stream was (always, drawn sequentially),
  /// entering its candidates into the kept lists of their segments in draw order.
  private func adopt(_ run: Run, _ workspace: CandidateWorkspace) -> Bool {
    if let start = run.start {
      guard start.state == state.state, let end = run.end else { return false }
      state = end
    }
    let m = block.rows, perSegment = CandidateBlock.candidatesPerSegment
    defer { residualPool.give(run.residuals) }
    for (offset, outcome) in run.outcomes.enumerated() {
      let k = run.first + offset
      list.add(k, outcome, residuals: UnsafeBufferPointer(rebasing: run.residuals.values[(offset * m)..<((offset + 1) * m)]),
               workspace: workspace)
      outcomes.append(outcome)
      if (k + 1) % perSegment == 0 || k + 1 == count {
        segments.append(list.result)
        list = KeptList(kept: kept)
      }
    }
    return true
  }

  /// Drops the runs this round did not commit; the next round is speculative when this one committed at
  /// least half of what was left.
  private func endRound() {
    for run in finished { if let run { residualPool.give(run.residuals) } }
    finished = []
    speculated = []
    drawn = []
    speculative = 2 * (resolved - roundStart) >= count - roundStart
  }
}

/// A run's residuals (draws × rows).
final class RunResiduals: @unchecked Sendable {
  let values: UnsafeMutableBufferPointer<Double>
  init(count: Int) {
    values = .allocate(capacity: count)
    values.initialize(repeating: 0)
  }
  deinit { values.deallocate() }

  /// Buffers handed back by committed runs, for the next: about as many are in use at a time as there
  /// are cores (25 × 400 doubles each: allocated per run, they cost hundreds of page faults per search).
  final class Pool: @unchecked Sendable {
    private let count: Int
    private var spare: [RunResiduals] = []
    private let lock = NSLock()
    init(count: Int) { self.count = count }
    func take() -> RunResiduals { lock.withLock { spare.popLast() } ?? RunResiduals(count: count) }
    func give(_ buffer: RunResiduals) { lock.withLock { spare.append(buffer) } }
  }
}
