#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RobustRegression

/// Runs every loss on one (n, p) and prints a table (or JSON lines).
///
/// Per loss: the median time of a whole fit (`Regression(loss:).fit(_:response:)`, default
/// settings: MAD scale, tolerance 1e-10), its iterations, the fit time per iteration, and the marginal
/// cost of one iteration, (T(cap at k − 1) − T(cap at 1)) / (k − 2) for a fit of k iterations: this
/// strips the fixed costs (validation, the OLS pass, a Huber start, the final pass and the sandwich,
/// and the exact-fit test a MAD-scale fit makes when it reaches its cap, which both capped fits pay)
/// and leaves pass + solve + σ̂ update. That marginal cost is what the ratios to the floors use; the
/// fixed cost is printed as T(fit) − k·iter.
struct BenchRunner {
  let arguments: BenchArguments
  let threads: Int

  func run(rows n: Int, columns p: Int) {
    let data = BenchmarkData(rows: n, columns: p, seed: arguments.seed, kind: arguments.data)
    let floors = Floors(design: data.design, threads: threads)
    let repeats = arguments.repeats ?? (n <= 100_000 ? 5 : (n < 10_000_000 ? 3 : 1))
    if !arguments.json {
      let read1 = floors.readOneThread, readAll = floors.readAllThreads
      print("")
      print("## n = \(n), p = \(p)\(arguments.data == .tied ? ", tied data" : "")  (X: \(megabytes(floors.bytes)) MB, \(threads) threads)")
      print("")
      print("floors (wall / CPU ms): read X on 1 thread \(ms(read1.wall)) / \(ms(read1.cpu)) "
        + "(\(gbps(floors.bytes, read1.wall)) GB/s); on \(threads) threads \(ms(readAll.wall)) / \(ms(readAll.cpu)) "
        + "(\(gbps(floors.bytes, readAll.wall)) GB/s); XᵀX by dsyrk \(ms(floors.gram.wall)) / \(ms(floors.gram.cpu))"
        + "  [checksum \(floors.checksum.isFinite ? "ok" : "?")]")
      print("")
      print("| loss | fit ms | fit CPU ms | iterations | fit/iter ms | iter ms | iter CPU ms | fixed ms | read X ms "
        + "| iter / read X | iter / dsyrk | CPU: iter / read X | termination |")
      print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    }
    var fitTimes: [String: Timing] = [:]
    // "huber-fixed" holds c at the MAD Huber fit's final value (found here, untimed): its iterations
    // are one fused pass each (residuals, weights, XᵀWX, solve), the iteration whose cost is compared
    // with one read of X (Docs/performance.md).
    let huberScale = arguments.losses.contains("huber-fixed")
      ? ((try? Regression(loss: .huber).fit(data.design, response: data.response).lossScale) ?? 1) : 1
    for name in arguments.losses {
      // The read floor again, right before this loss: on a shared machine the load drifts, and each
      // ratio should compare times taken under the same conditions.
      let floors = Floors(design: data.design, threads: threads)
      do {
        var fit: RegressionFit?
        let total = try Stopwatch.median(minimum: repeats, maximum: repeats, budget: 0) {
          fit = try BenchRunner.fit(name, data, maxIterations: 500, huberScale: huberScale)
        }
        let result = fit!
        fitTimes[name] = total
        var perIteration: Timing?
        if arguments.marginal && name != "l1" && result.iterations > 2 {
          let capped = try Stopwatch.median(minimum: repeats, maximum: repeats, budget: 0) {
            _ = try BenchRunner.fit(name, data, maxIterations: 1, huberScale: huberScale)
          }
          let almost = try Stopwatch.median(minimum: repeats, maximum: repeats, budget: 0) {
            _ = try BenchRunner.fit(name, data, maxIterations: result.iterations - 1,
                                   huberScale: huberScale)
          }
          let steps = Double(result.iterations - 2)
          // Under noise the shorter capped fit can take longer than the longer one: then no figure.
          if almost.wall > capped.wall && almost.cpu > capped.cpu {
            perIteration = Timing(wall: (almost.wall - capped.wall) / steps, cpu: (almost.cpu - capped.cpu) / steps)
          }
        }
        report(name, n: n, p: p, total: total, fit: result, perIteration: perIteration, floors: floors)
      } catch {
        print(arguments.json ? "{\"loss\": \"\(name)\", \"n\": \(n), \"p\": \(p), \"error\": \"\(error)\"}"
                             : "| \(name) | failed: \(error) | | | | | | |")
      }
    }
    if !arguments.json, let adaptive = fitTimes["adaptive"], let huber = fitTimes["huber"] {
      print("")
      print("adaptive / huber fit time: \(fixed(adaptive.wall / huber.wall, 2)) (wall), "
        + "\(fixed(adaptive.cpu / huber.cpu, 2)) (CPU)")
    }
    fflush(nil)
  }

  static func fit(_ name: String, _ data: BenchmarkData, maxIterations: Int, huberScale: Double) throws
    -> RegressionFit {
    var regression = Regression(loss: Loss(name: name == "huber-fixed" ? "huber" : name)!, maxIterations: maxIterations)
    if name == "huber-fixed" { regression.scale = .fixed(huberScale) }
    return try regression.fit(data.design, response: data.response)
  }

  private func report(_ name: String, n: Int, p: Int, total: Timing, fit: RegressionFit, perIteration: Timing?,
                      floors: Floors) {
    let count = Double(max(fit.iterations, 1))
    let iteration = perIteration ?? Timing(wall: total.wall / count, cpu: total.cpu / count)
    if arguments.json {
      let coefficients = fit.estimates.map { $0.description }.joined(separator: ", ")
      print("{\"loss\": \"\(name)\", \"data\": \"\(arguments.data)\", \"n\": \(n), \"p\": \(p), "
        + "\"fit_seconds\": \(total.wall), "
        + "\"fit_cpu_seconds\": \(total.cpu), \"iterations\": \(fit.iterations), "
        + "\"iteration_seconds\": \(perIteration.map { "\($0.wall)" } ?? "null"), "
        + "\"read_x_seconds\": \(floors.readAllThreads.wall), \"dsyrk_seconds\": \(floors.gram.wall), "
        + "\"termination\": \"\(fit.termination)\", \"scale\": \(fit.lossScale), \"coefficients\": [\(coefficients)]}")
      return
    }
    // * = no marginal figure (L1's exact finish ignores the cap, or timing noise): fit time / iterations.
    let marker = perIteration == nil ? "*" : ""
    let fixedCost = perIteration.map { ms(max(0, total.wall - count * $0.wall)) } ?? "—"
    print("| \(name) | \(ms(total.wall)) | \(ms(total.cpu)) | \(fit.iterations) | \(ms(total.wall / count)) | "
      + "\(ms(iteration.wall))\(marker) | \(ms(iteration.cpu))\(marker) | \(fixedCost) | "
      + "\(ms(floors.readAllThreads.wall)) | "
      + "\(fixed(iteration.wall / floors.readAllThreads.wall, 1)) | "
      + "\(fixed(iteration.wall / floors.gram.wall, 1)) | \(fixed(iteration.cpu / floors.readAllThreads.cpu, 1)) | "
      + "\(fit.termination) |")
  }

  private func ms(_ seconds: Double) -> String {
    let v = seconds * 1e3
    return v >= 100 ? fixed(v, 0) : (v >= 10 ? fixed(v, 1) : fixed(v, 2))
  }
  private func megabytes(_ bytes: Int) -> String { fixed(Double(bytes) / 1e6, 1) }
  private func gbps(_ bytes: Int, _ seconds: Double) -> String { fixed(Double(bytes) / seconds / 1e9, 1) }
}
