import CKernels
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import RobustRegression

#if canImport(Glibc)
import Glibc
#endif

/// The chunk pool behind ``ParallelChunks/perform(_:_:)`` (Sources/CKernels/chunk_pool.c): every chunk of
/// every job runs exactly once, whoever calls and however many call at once; a busy pool says so and
/// runs nothing (the chunks then go to libdispatch); the chunks really run on the workers; the sums are
/// those of the chunks in order; and a child process after fork() still finishes its jobs.
@Suite("Chunk pool", .serialized)
struct ChunkPoolTests {
  /// A chunk's stand-in work: `steps` dependent multiply-adds (about 5 ns each), kept by the check.
  static func work(_ steps: Int) {
    var x = 1.0
    for i in 0..<steps { x = x * 0.5 + Double(i & 7) }
    precondition(x.isFinite)
  }

  /// Runs `jobs` jobs of `chunks` chunks through ParallelChunks and returns how often each chunk ran.
  static func counts(chunks: Int, jobs: Int) -> [Int] {
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0)
    nonisolated(unsafe) let slots = counts
    for _ in 0..<jobs {
      ParallelChunks.perform(chunks) { chunk in
        Self.work(200)  // a microsecond or so, so that the workers claim chunks too
        slots[chunk] += 1
      }
    }
    return Array(counts)
  }

  @Test("Each chunk of each job runs exactly once", arguments: 1...ParallelChunks.maximum)
  func everyChunkOnce(chunks: Int) {
    #expect(Self.counts(chunks: chunks, jobs: 3000) == Array(repeating: 3000, count: chunks))
  }

  @Test("Jobs of alternating chunk counts: no chunk of one job runs under the next")
  func alternatingCounts() {
    // A claimer that read a finished job's word must not claim a chunk of the next, larger job (the
    // count read from a field rewritten before the new generation did: a chunk ran twice, another job's
    // chunk ran under this one's count, and a caller could return while a chunk still ran).
    let slots = 16, width = 8
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: slots * width)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0, count: slots * width)
    var wrong = 0
    for job in 0..<200_000 {
      let chunks = [2, 8, 1, 5, 3, 8, 2, 7][job % 8]
      let slot = counts + (job % slots) * width
      slot.update(repeating: 0, count: width)
      let body: rf_chunk_body = { context, chunk in
        ChunkPoolTests.work(64)
        context!.assumingMemoryBound(to: Int.self)[chunk] += 1
      }
      if rf_chunk_pool_run(chunks, body, slot) == 0 { for k in 0..<chunks { body(slot, k) } }
      if (0..<width).contains(where: { slot[$0] != ($0 < chunks ? 1 : 0) }) { wrong += 1 }
    }
    #expect(wrong == 0)
  }

  @Test("A job of more than 65535 chunks is refused (the job word holds the count in 16 bits)")
  func tooManyChunks() {
    #expect(rf_chunk_pool_run(65_536, { _, _ in }, nil) == 0)
    #expect(rf_chunk_pool_run(0, { _, _ in }, nil) == 1)
  }

  @Test("At most one worker per online core but the caller's, and at most 7")
  func workerCount() {
    let workers = Int(rf_chunk_pool_workers())
    #expect(workers >= 0 && workers <= ParallelChunks.maximum - 1)
    #expect(workers <= max(0, sysconf(Int32(_SC_NPROCESSORS_ONLN)) - 1))
  }

  @Test("Threads that post jobs at once each get every chunk run once (the pool's or libdispatch's)")
  func concurrentCallers() async {
    let results = await withTaskGroup(of: [Int].self) { group in
      for caller in 0..<6 {
        group.addTask { Self.counts(chunks: 2 + caller % 7, jobs: 1500) }
      }
      var all: [[Int]] = []
      for await counts in group { all.append(counts) }
      return all
    }
    #expect(results.count == 6)
    for counts in results { #expect(counts == Array(repeating: 1500, count: counts.count)) }
  }

  /// What the chunks of ``nestedJobs()``'s outer jobs count.
  final class Nested: @unchecked Sendable {
    let inner = Mutex([Int](repeating: 0, count: 4 * 3))
    let refused = Atomic<Int>(0)
  }

  @Test("A chunk that posts a job of its own finds the pool busy, and its job still runs every chunk once")
  func nestedJobs() {
    let nested = Nested()
    // Until 50 outer jobs ran on the pool (other suites' fits may hold it meanwhile).
    var pooledJobs = 0, jobs = 0
    while jobs < 20_000 && (pooledJobs < 50 || jobs < 200) {
      jobs += 1
      let outer: rf_chunk_body = { context, outer in
        let nested = Unmanaged<Nested>.fromOpaque(context!).takeUnretainedValue()
        if rf_chunk_pool_run(1, { _, _ in }, nil) == 0 { nested.refused.add(1, ordering: .relaxed) }
        ParallelChunks.perform(3) { chunk in nested.inner.withLock { $0[outer * 3 + chunk] += 1 } }
      }
      let context = Unmanaged.passUnretained(nested).toOpaque()
      if rf_chunk_pool_run(4, outer, context) == 1 {
        pooledJobs += 1
      } else {  // another test's job holds the pool
        for chunk in 0..<4 { outer(context, chunk) }
      }
    }
    #expect(nested.inner.withLock { $0 } == Array(repeating: jobs, count: 12))
    // Inside the pool's job the pool is busy: it refuses even a 1-chunk job.
    #expect(nested.refused.load(ordering: .relaxed) >= 4 * pooledJobs)
    if rf_chunk_pool_workers() > 0 { #expect(pooledJobs >= 50) }
  }

  @Test("Chunks run on the workers too, also after the workers fell asleep")
  func chunksReachWorkers() throws {
    try #require(rf_chunk_pool_workers() > 0, "one core: the pool has no worker")
    let caller = pthread_self()
    let elsewhere = Atomic<Int>(0)
    for round in 0..<60 {
      if round % 20 == 0 { usleep(5000) }  // longer than the workers spin: they sleep and are woken
      ParallelChunks.perform(ParallelChunks.maximum) { _ in
        if pthread_equal(pthread_self(), caller) == 0 { elsewhere.add(1, ordering: .relaxed) }
        Self.work(40_000)  // about 0.2 ms: long enough for a worker to take a chunk
      }
    }
    #expect(elsewhere.load(ordering: .relaxed) > 0)
  }

  @Test("A chunked sum is the chunks' sums added in chunk order, bit for bit")
  func sumsInChunkOrder() {
    var generator = SplitMix64(seed: 42)
    let values = (0..<30_011).map { _ in Double(generator.next() >> 11) * 0x1p-53 * 1e6 - 5e5 }
    for chunks in 2...ParallelChunks.maximum {
      var expected = 0.0
      for c in 0..<chunks {
        expected += ParallelChunks.rows(of: c, chunks: chunks, total: values.count).reduce(0) { $0 + values[$1] }
      }
      let parts = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks)
      defer { parts.deallocate() }
      nonisolated(unsafe) let slots = parts
      for _ in 0..<20 {
        values.withUnsafeBufferPointer { buffer in
          nonisolated(unsafe) let data = buffer
          ParallelChunks.perform(chunks) { c in
            slots[c] = ParallelChunks.rows(of: c, chunks: chunks, total: data.count).reduce(0) { $0 + data[$1] }
          }
        }
        #expect(parts.reduce(0, +).bitPattern == expected.bitPattern)
      }
    }
  }

  #if canImport(Glibc)
  @Test("A child after fork() starts its own workers and finishes its jobs")
  func jobsAfterFork() throws {
    _ = Self.counts(chunks: 4, jobs: 10)  // the workers are started in this process
    // Allocated before the fork: the child allocates nothing (another thread may hold a lock at the fork).
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: 5)
    defer { counts.deallocate() }
    let pid = fork()
    try #require(pid >= 0)
    if pid == 0 {
      alarm(10)  // a hang ends the child by SIGALRM, which the parent sees
      for _ in 0..<100 {
        counts.initialize(repeating: 0, count: 5)
        let ran = rf_chunk_pool_run(5, { context, chunk in
          context!.assumingMemoryBound(to: Int.self)[chunk] += 1
        }, counts)
        if ran != 1 { _exit(2) }
        for k in 0..<5 where counts[k] != 1 { _exit(3) }
      }
      _exit(0)
    }
    var status: Int32 = 0
    #expect(waitpid(pid, &status, 0) == pid)
    #expect(status == 0, "child status \(status) (exit code in the high byte, signal in the low bits)")
  }
  #endif
}
