import CKernels
import Dispatch

/// The deterministic parallel reduction of every sum over the rows: the rows are cut into a number of
/// chunks that depends only on the size of the problem (never on the machine), each chunk is summed in
/// row order on whichever core runs it, and the chunks' sums are added in chunk order. A fit is then the
/// same bit for bit however many cores run it and whichever finishes first (Docs/irls.md).
///
/// The counts are part of the numbers: a different count adds the same terms in another order and
/// moves the last bits of every fit (which the CLI snapshots would show), so they are fixed here and
/// not tuned per machine. Each is at most ``maximum`` and at most one chunk per grain of work, the
/// grain sized so that the smallest chunk's work (about a millisecond) dwarfs the cost of handing it
/// to a thread (tens of microseconds at most) and small problems run on one thread with no dispatch:
///
/// - ``weightedPass(rows:columns:)``: one chunk per 262 144 elements of X (2 MB), the fused IRLS pass
///   reading each element once with a multiply-add or two;
/// - ``shapeScale(rows:)``: one per 65 536 rows, the (α, c) problem's sums (a log1p and an exp per row,
///   but no X);
/// - ``observedInformation(rows:)``: one per 4096 rows, the observed information (Barron's second
///   derivatives and a rank-one p × p update per row, about 50 ns a row at p = 10: once per fit, but on the
///   calling thread's path at n = 1e4, where one chunk cost 0.5 ms);
/// - ``barronPass(rows:)``: one per 1000 rows, the adaptive fit's fused passes;
/// - ``keyedSample(rows:)``: one per 4096 rows, the keys of the likelihood's sample (which do not depend
///   on the count).
enum ParallelChunks {
  /// The most chunks a sum is cut into: enough for the cores of a workstation, few enough that the
  /// chunk-order reduction of p × p partial sums stays negligible.
  static let maximum = 8

  /// Chunks of the fused pass over the n × p design (``WeightedPass``).
  static func weightedPass(rows n: Int, columns p: Int) -> Int { count(work: n * p, grain: 262_144) }

  /// Chunks of the sums over n residuals of ``ShapeScaleProblem``.
  static func shapeScale(rows n: Int) -> Int { count(work: n, grain: 65_536) }

  /// Chunks of the M-scale's sums over n residuals (``MScale``).
  static func mScale(rows n: Int) -> Int { count(work: n, grain: 65_536) }

  /// Chunks of the accumulation of ``ObservedInformation`` over n rows.
  static func observedInformation(rows n: Int) -> Int { count(work: n, grain: 4096) }

  /// Chunks of the adaptive fit's fused passes over n rows (``AdaptiveFitter``: the scan and polish on the
  /// likelihood's sample, the joint descent and the α interval's profiled fits on all rows): one per 1000
  /// rows. A row of these passes costs Barron's ρ, weight and shape derivatives (a log1p and an exp or
  /// two, 50–100 ns) besides its share of XᵀWX, so 1000 rows are about 0.1 ms of work, several times
  /// the hand-off of a chunk; the 2000-row sample runs on two chunks, and at p = 10
  /// ``weightedPass(rows:columns:)`` would cut only from 23 832 rows on.
  static func barronPass(rows n: Int) -> Int { count(work: n, grain: 1000) }

  /// Chunks of the keys of n rows for the likelihood's keyed sample (``FitProblem/likelihoodSample(rows:)``):
  /// one per 4096 rows (a hash of the row and a comparison with the span's end each, about 15 ns a row at
  /// p = 10). The sample is the same rows, weights and order for any count (each chunk keeps every row of
  /// key up to the end, and they are selected by key), so this count moves no bit.
  static func keyedSample(rows n: Int) -> Int { count(work: n, grain: 4096) }

  private static func count(work: Int, grain: Int) -> Int { max(1, min(maximum, work / grain)) }

  /// The rows of `chunk` when n rows are cut into `chunks` chunks of ⌈n/chunks⌉ (the last shorter,
  /// possibly empty).
  static func rows(of chunk: Int, chunks: Int, total n: Int) -> Range<Int> {
    let size = (n + chunks - 1) / chunks
    let start = min(n, chunk * size)
    return start..<min(n, start + size)
  }

  /// Runs `body` for each chunk: inline when there is one; otherwise on the calling thread and the
  /// spinning workers of the chunk pool (`rf_chunk_pool_run`, Sources/CKernels/chunk_pool.c), which start
  /// a job within a microsecond where libdispatch took 40–60 µs to wake its workers on each call; on
  /// libdispatch's workers when the pool is busy with another thread's job (or this call comes from a
  /// chunk of one). Which thread runs a chunk never changes its sum.
  static func perform(_ chunks: Int, _ body: @Sendable (Int) -> Void) {
    if chunks == 1 { return body(0) }
    let pooled = withoutActuallyEscaping(body) { body in
      var body = body
      return withUnsafeMutablePointer(to: &body) { pointer in
        rf_chunk_pool_run(chunks, { context, chunk in
          context!.assumingMemoryBound(to: (@Sendable (Int) -> Void).self).pointee(chunk)
        }, pointer) != 0
      }
    }
    if !pooled { DispatchQueue.concurrentPerform(iterations: chunks, execute: body) }
  }
}
