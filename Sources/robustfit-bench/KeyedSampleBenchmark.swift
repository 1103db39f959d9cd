import RobustRegression

/// `robustfit-bench --keyed-sample`: the adaptive fit's keyed likelihood sample alone
/// (``KeyedSampleProbe``) on the benchmark's data, wall and CPU medians of `--repeats` draws (default 41),
/// with the sample's digest so that two builds can be checked to draw the same rows, order and weights.
struct KeyedSampleBenchmark {
  let arguments: BenchArguments

  func run(rows n: Int, columns p: Int) {
    let data = BenchmarkData(rows: n, columns: p, seed: arguments.seed, kind: arguments.data)
    // Whole-number case weights 0–3 (a quarter of the rows dropped), from the row's index alone.
    let weights = arguments.weighted ? (0..<n).map { Double(($0 &* 2_654_435_761) >> 7 & 3) } : nil
    do {
      let probe = try KeyedSampleProbe(design: data.design, response: data.response, caseWeights: weights)
      var sample: KeyedSampleProbe.Sample?
      let repeats = arguments.repeats ?? 41
      let timing = Stopwatch.median(minimum: repeats, maximum: repeats, budget: 0) {
        sample = probe.sample(rows: probe.size)
      }
      let result = (rows: sample!.rows, digest: sample!.digest)
      print("keyed sample n = \(n), p = \(p)\(arguments.data == .tied ? ", tied" : "")"
        + "\(weights == nil ? "" : ", weighted"): \(result.rows) rows of \(probe.size), "
        + "wall \(fixed(timing.wall * 1e3, 3)) ms, CPU \(fixed(timing.cpu * 1e3, 3)) ms "
        + "(median of \(repeats)), digest \(String(result.digest, radix: 16))")
    } catch {
      print("keyed sample n = \(n), p = \(p): failed: \(error)")
    }
  }
}
