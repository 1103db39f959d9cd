/// The command line of `robustfit-bench` (hand-parsed: the benchmark needs no dependency beyond the
/// library).
struct BenchArguments {
  static let usage = """
    usage: robustfit-bench [--n N[,N…]]… [--p P[,P…]]… [--loss NAME[,NAME…]]… [--large]
                           [--repeats R] [--seed S] [--data standard|tied] [--no-marginal] [--json]
                           [--csv PATH] [--keyed-sample [--weighted]]

      --n, --p       sizes to run (default n ∈ {1e4, 1e5, 1e6}, p ∈ {2, 10, 50}); numbers like 1e6 are fine
      --large        add n = 1e7 to the default sizes
      --loss         losses (default huber, huber-fixed, cauchy, welsch, l1, adaptive; any robustfit --loss
                     name works; huber-fixed holds c at the MAD Huber fit's final value: one pass per iteration)
      --repeats R    fits timed per loss (median reported; default 5 for n ≤ 1e5, 3 above, 1 at 1e7)
      --seed S       data seed (default 20240601)
      --data KIND    standard (default) or tied: the same draws with x rounded to {−1, 0, 1} and y to
                     integers (many repeated rows, a degenerate L1 optimum)
      --no-marginal  skip the second timing at one iteration (the marginal cost per iteration)
      --json         one JSON object per fit (coefficients included) instead of the tables
      --csv PATH     write the data for the single --n/--p as CSV (header x1..x(p−1),y) and exit
      --parse PATH   time reading the CSV file PATH into column storage (TabularIO) and exit
      --threads T    with --parse: threads that parse (default 0: every core; 1: the sequential reader)
      --keyed-sample time the adaptive fit's keyed likelihood sample alone at each --n/--p (median of
                     --repeats, default 41) and print its digest (equal digests: the same sample, bit for bit)
      --weighted     with --keyed-sample: whole-number case weights 0–3 on every row
    """

  var sizes: [Int] = []
  var widths: [Int] = []
  var losses: [String] = []
  var large = false
  var repeats: Int?
  var seed: UInt64 = 20_240_601
  var data = BenchmarkData.Kind.standard
  var marginal = true
  var json = false
  var csvPath: String?
  var parsePath: String?
  var parseThreads = 0
  var keyedSample = false
  var weighted = false

  struct Invalid: Error, CustomStringConvertible {
    let description: String
  }

  init(_ arguments: [String]) throws {
    var rest = arguments[...]
    func value(_ flag: String) throws -> String {
      guard let v = rest.popFirst() else { throw Invalid(description: "\(flag) needs a value") }
      return v
    }
    func integers(_ flag: String) throws -> [Int] {
      try value(flag).split(separator: ",").map { text in
        guard let d = Double(text), d >= 1, d == d.rounded(), d < 1e12 else {
          throw Invalid(description: "\(flag): '\(text)' is not a positive whole number")
        }
        return Int(d)
      }
    }
    while let flag = rest.popFirst() {
      switch flag {
      case "--n": sizes += try integers(flag)
      case "--p": widths += try integers(flag)
      case "--loss": losses += try value(flag).split(separator: ",").map(String.init)
      case "--large": large = true
      case "--repeats": repeats = try integers(flag).first
      case "--seed":
        guard let s = UInt64(try value(flag)) else { throw Invalid(description: "--seed needs an unsigned integer") }
        seed = s
      case "--data":
        let name = try value(flag)
        guard let kind = BenchmarkData.Kind(rawValue: name) else {
          throw Invalid(description: "--data: '\(name)' is neither standard nor tied")
        }
        data = kind
      case "--no-marginal": marginal = false
      case "--json": json = true
      case "--csv": csvPath = try value(flag)
      case "--parse": parsePath = try value(flag)
      case "--threads":
        guard let t = Int(try value(flag)), t >= 0 else { throw Invalid(description: "--threads needs a count ≥ 0") }
        parseThreads = t
      case "--keyed-sample": keyedSample = true
      case "--weighted": weighted = true
      case "--help", "-h": throw Invalid(description: "")
      default: throw Invalid(description: "unknown argument '\(flag)'")
      }
    }
    if sizes.isEmpty { sizes = [10_000, 100_000, 1_000_000] + (large ? [10_000_000] : []) }
    if widths.isEmpty { widths = [2, 10, 50] }
    if losses.isEmpty { losses = ["huber", "huber-fixed", "cauchy", "welsch", "l1", "adaptive"] }
    for name in losses where name != "huber-fixed" && Loss(name: name) == nil {
      throw Invalid(description: "unknown loss '\(name)'")
    }
    if csvPath != nil && (sizes.count != 1 || widths.count != 1) {
      throw Invalid(description: "--csv needs exactly one --n and one --p")
    }
  }
}

import RobustRegression
