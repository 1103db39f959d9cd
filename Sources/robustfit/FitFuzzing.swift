#if FUZZING
import Foundation
import RobustRegression
import TabularIO

// libFuzzer harness for the whole fit path in-process: CSV bytes → table → design → fit → the text,
// JSON and CSV reports. It is compiled only with -D FUZZING (`make fuzz-fit`, Tests/Fuzz/README.md).
//
// The first input byte picks the loss (eight of them, the adaptive fit among them), --drop-missing and
// --no-intercept; the rest is the file. Properties (a violation traps, which libFuzzer reports):
// reading, assembling and fitting either succeed or throw the CLI's typed error with a one-line
// message and the status 64, 65 or 1; a fit that succeeds has finite coefficients, residuals, scale
// and objective, finite standard errors wherever it reports them, and reports that print no nan or
// inf in text, JSON or the per-row CSV. Fits are capped at 60 iterations so that one input stays
// quick; the cap is reported, not a failure.

/// The losses the first byte chooses from.
private let fuzzLosses: [(LossChoice, Double?)] = [
  (.huber, nil), (.l2, nil), (.l1, nil), (.cauchy, nil), (.tukey, nil), (.welsch, nil), (.adaptive, nil),
  (.general, 2.5), (.mm, nil), (.s, nil),
]

/// Whether `text` shows nan or ±inf as a word, outside the lines that give Barron's α (whose values ±∞,
/// Welsch's −∞ among them, are printed `-inf`/`inf` by design, Docs/spec.md §6) and outside the column names
/// (a header may say "nan").
private func showsNonFinite(_ text: String, names: [String]) -> Bool {
  text.split(separator: "\n").contains { line in
    guard !line.contains("α") && !line.contains("\"alpha\"") else { return false }
    var line = String(line)
    for name in names.sorted(by: { $0.count > $1.count }) where !name.isEmpty {
      line = line.replacingOccurrences(of: name, with: "NAME")
    }
    return line.range(of: "(?<![A-Za-z])(nan|-?inf(inity)?)(?![A-Za-z])",
                      options: [.regularExpression, .caseInsensitive]) != nil
  }
}

private func allNumbersFinite(_ value: JSONValue) -> Bool {
  switch value {
  case .number(let x): x.isFinite
  case .array(let items): items.allSatisfy(allNumbersFinite)
  case .object(let pairs): pairs.allSatisfy { allNumbersFinite($0.1) }
  default: true
  }
}

private func checkFailure(_ error: Error) {
  guard let error = error as? CLIError else {
    if let csv = error as? CSVError {
      precondition(!csv.description.contains("\n"), "multi-line message: \(csv)")
      return
    }
    preconditionFailure("an error that is not the CLI's: \(error)")
  }
  precondition([.usage, .dataError, .failure].contains(error.status), "status \(error.status)")
  precondition(!error.message.isEmpty && !error.message.contains("\n"), "not one line: \(error.message)")
  precondition(!error.message.contains("LAPACK"), "a LAPACK failure reached the user: \(error.message)")
}

/// libFuzzer's driver (its `main` in all but name).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// The executable's entry under SwiftPM, which links an executable target's `main` to
/// `<module>_main`: it hands the command line to libFuzzer.
@_cdecl("robustfit_main")
public func fuzzingMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var count = argc
  var vector = argv
  return runFuzzerDriver(&count, &vector, fitFuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fitFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 1 else { return 0 }
  let control = data[0]
  let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
  let (choice, alpha) = fuzzLosses[(Int(control & 7) + (control & 32 != 0 ? 8 : 0)) % fuzzLosses.count]
  var arguments = ["fuzz.csv"]
  if control & 8 != 0 { arguments.append("--drop-missing") }
  if control & 16 != 0 { arguments.append("--no-intercept") }
  guard let dataOptions = try? DataOptions.parse(arguments) else { preconditionFailure("options") }
  do {
    var table = try readNumericCSV(bytes: bytes, name: "fuzz.csv",
                                   options: CSVReadOptions(dropMissing: dataOptions.dropMissing))
    let loaded = try DataLoader.assemble(&table, options: dataOptions)
    let request = try FitRequest(choice: choice, alpha: alpha, alphaRange: 0...2, scale: ScaleOptions(),
                                 solver: SolverOptions.parse(["--max-iterations", "60"]), recordsHistory: true)
    let fit = try request.run(on: loaded)
    precondition(fit.estimates.allSatisfy(\.isFinite), "coefficients \(fit.estimates)")
    precondition(fit.residuals.allSatisfy(\.isFinite), "residuals")
    precondition(fit.objective.value.isFinite && fit.lossScale.isFinite && fit.residualScale.isFinite,
                 "objective or scale")
    precondition(fit.coefficients.allSatisfy { ($0.standardError ?? 0).isFinite && ($0.standardError ?? 0) >= 0 }, "se")
    let names = [loaded.yName] + loaded.xNames
    let text = TextReport(data: loaded, fit: fit).render(history: true)
    precondition(!showsNonFinite(text, names: names), "the text report prints a non-finite number:\n\(text)")
    // JSON: every number in the tree is finite (a non-finite one would be printed as null).
    let json = JSONReport(data: loaded, fit: fit).value(history: true)
    precondition(allNumbersFinite(json), "the JSON report holds a non-finite number: \(json.render())")
    // (Its header quotes the names CSV-style, so only the rows after it are looked at.)
    let rows = RowsCSV.render(data: loaded, fit: fit).split(separator: "\n").dropFirst().joined(separator: "\n")
    precondition(!showsNonFinite(rows, names: names), "the row CSV prints a non-finite number")
  } catch {
    checkFailure(error)
  }
  return 0
}
#endif
