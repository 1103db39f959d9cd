import Dispatch
import Foundation
import RobustRegression
import TabularIO

/// The host of an out-of-core fit (Docs/scaling.md): it answers each ``PassRequest`` of the
/// distributed fit's driver by running ``BatchPass`` on every group of rows of the binary column file,
/// as a Spark task runs it on its Arrow batches. The groups are split into one contiguous run per core;
/// answers are merged in group order within a run and the runs in order, so a given number of cores
/// gives the same bits every time, and another number changes only the order of additions.
struct ColumnFileHost: @unchecked Sendable {
  let file: ColumnFile
  /// The file columns of y and of the predictors (in design order).
  let response: Int
  let predictors: [Int]
  /// The file column of the case weights, if any.
  let weights: Int?
  /// Runs of groups done at once.
  let threads: Int

  init(file: ColumnFile, response: Int, predictors: [Int], weights: Int? = nil,
       threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
    self.file = file
    self.response = response
    self.predictors = predictors
    self.weights = weights
    self.threads = max(1, threads)
  }

  /// A pass's failure on one run of groups.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// The merged answer of `request` over all groups.
  func answer(_ request: PassRequest) throws -> [Double] {
    let groups = file.groupCount
    let parts = max(1, min(threads, groups))
    let answers = UnsafeMutableBufferPointer<[Double]>.allocate(capacity: parts)
    answers.initialize(repeating: [])
    let failures = UnsafeMutableBufferPointer<String?>.allocate(capacity: parts)
    failures.initialize(repeating: nil)
    defer {
      answers.deinitialize().deallocate()
      failures.deinitialize().deallocate()
    }
    let shared = Shared(answers: answers, failures: failures)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      do {
        shared.answers[part] = try run(request, groups: (groups * part / parts)..<(groups * (part + 1) / parts))
      } catch {
        shared.failures[part] = "\(error)"
      }
    }
    if let failure = failures.lazy.compactMap({ $0 }).first { throw Failure(description: failure) }
    return Self.merge(Array(answers), by: request.merge)
  }

  /// The merged answer over one run of groups, each group's pages given back once it is done.
  private func run(_ request: PassRequest, groups: Range<Int>) throws -> [Double] {
    var output = [Double](repeating: 0, count: request.batchCapacity(rows: file.groupRows))
    var merged: [Double] = []
    for g in groups {
      let (rows, columns) = file.group(g)
      let written = try output.withUnsafeMutableBufferPointer { buffer in
        try BatchPass.evaluate(request, x: predictors.map { columns[$0] }, y: columns[response],
                               weights: weights.map { columns[$0] }, rows: rows, output: buffer)
      }
      Self.merge(output[0..<written], into: &merged, by: request.merge)
      file.release(g)
    }
    return merged
  }

  /// Answers merged in order: added element by element, or concatenated.
  static func merge(_ answers: [[Double]], by rule: PassRequest.Merge) -> [Double] {
    var merged: [Double] = []
    for answer in answers { merge(answer[...], into: &merged, by: rule) }
    return merged
  }

  /// Merges one more answer into `merged` in place (a group's, or a run's).
  static func merge(_ answer: ArraySlice<Double>, into merged: inout [Double], by rule: PassRequest.Merge) {
    switch rule {
    case .concatenate: merged.append(contentsOf: answer)
    case .add:
      if merged.isEmpty {
        merged = Array(answer)
      } else if !answer.isEmpty {
        for (k, v) in zip(merged.indices, answer) { merged[k] += v }
      }
    }
  }

  /// The per-run slots the threads write (each its own index).
  private struct Shared: @unchecked Sendable {
    let answers: UnsafeMutableBufferPointer<[Double]>
    let failures: UnsafeMutableBufferPointer<String?>
  }
}
