import Foundation
import RobustRegression

// The C ABI of robustfit's distributed fit (Docs/scaling.md), for a host such as PySpark (spark/):
//
// Driver side
//   void  *rf_fit_create(const char *loss, double alpha, double tuning, double fixed_scale,
//                        int32_t predictors, int32_t intercept, int32_t weighted, double tolerance,
//                        int32_t max_iterations, char *error, int64_t error_capacity);
//         alpha, tuning, fixed_scale: NaN for "not given"; weighted: 1 when every batch comes with a case
//         weights column (rf_batch_pass's `weights`), 0 when none does. NULL on error (message in `error`).
//   void  rf_fit_set_summary(void *fit, int32_t on, double outlier_threshold);
//         on = 1: the run ends with the residual summary's passes (Docs/scaling.md, "The residual
//         summary"), and the result's JSON adds residual_quantiles [min, q1, median, q3, max],
//         outlier_count, outlier_threshold, r_squared and adj_r_squared (null but for l2). Off by default.
//   int32_t rf_fit_run(void *fit, rf_pass_callback pass, void *context, char *error, int64_t error_capacity);
//         0 on success; 1 on a fit error (message in `error`).
//   int64_t rf_fit_result_json(void *fit, char *buffer, int64_t capacity);
//         the JSON of the last successful run; returns its length + 1 (call with capacity 0 to size).
//         Keys: coefficients, standard_errors, scale, sigma, objective, iterations, termination, n, alpha,
//         alpha_standard_error, passes; the adaptive loss adds scale_standard_error, alpha_on_bound,
//         scale_on_bound, alpha_interval [lower, upper], alpha_interval_level, alpha_interval_on_bound,
//         alpha_interval_method ("profile likelihood") and profile ([α, NLL, c] of each profiled point).
//   void  rf_fit_free(void *fit);
//   typedef int32_t (*rf_pass_callback)(void *context, const double *request, int64_t request_count,
//                                       int32_t merge, int64_t expected_count,
//                                       const double **result, int64_t *result_count);
//         The host runs `request` on every batch (rf_batch_pass), merges the batches' answers (merge 0:
//         element-wise sums, `expected_count` doubles; merge 1: concatenation, expected_count −1 when not
//         known), and points *result at the merged doubles, which it keeps alive until its next call or
//         until rf_fit_run returns. Non-zero return: the pass failed (the fit stops with an error).
//
// Worker side
//   int64_t rf_batch_capacity(const double *request, int64_t request_count, int64_t rows);
//         doubles one batch may write, or −1 for a malformed request.
//   int64_t rf_batch_pass(const double *request, int64_t request_count, const double *const *x,
//                         int32_t predictors, const double *y, const double *weights, int64_t rows,
//                         double *out, int64_t out_capacity, char *error, int64_t error_capacity);
//         x: one pointer per predictor column (float64, no nulls), y the response, weights the case
//         weights (frequency weights, ≥ 0) when the fit is weighted, else NULL. Returns the doubles
//         written, or −1 (message in `error`).
//
// Memory: every buffer belongs to its caller; the library copies what it keeps. A fit handle is freed by
// rf_fit_free only. Not thread-safe per handle; rf_batch_pass is reentrant.

/// The C callback type of a pass.
public typealias PassCallback = @convention(c) (
  UnsafeMutableRawPointer?, UnsafePointer<Double>?, Int64, Int32, Int64,
  UnsafeMutablePointer<UnsafePointer<Double>?>?, UnsafeMutablePointer<Int64>?
) -> Int32

/// A fit handle: the configured fit and its last result.
final class FitHandle {
  let fit: DistributedFit
  var json: [UInt8] = []
  init(fit: DistributedFit) { self.fit = fit }
}

/// Copies `message` (truncated, NUL-terminated) into a caller's buffer.
func report(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int64) {
  guard let buffer, capacity > 0 else { return }
  let bytes = Array(message.utf8.prefix(Int(capacity) - 1))
  for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
  buffer[bytes.count] = 0
}

func given(_ value: Double) -> Double? { value.isNaN ? nil : value }

@_cdecl("rf_fit_create")
public func rf_fit_create(_ loss: UnsafePointer<CChar>?, _ alpha: Double, _ tuning: Double, _ fixedScale: Double,
                          _ predictors: Int32, _ intercept: Int32, _ weighted: Int32, _ tolerance: Double,
                          _ maxIterations: Int32,
                          _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64)
  -> UnsafeMutableRawPointer? {
  guard let loss else {
    report("no loss name", to: errorBuffer, capacity: errorCapacity)
    return nil
  }
  do {
    let fit = try DistributedFit(lossName: String(cString: loss), alpha: given(alpha), tuning: given(tuning),
                                 fixedScale: given(fixedScale), predictors: Int(predictors),
                                 intercept: intercept != 0, weighted: weighted != 0, tolerance: tolerance,
                                 maxIterations: Int(maxIterations))
    return Unmanaged.passRetained(FitHandle(fit: fit)).toOpaque()
  } catch {
    report(error.description, to: errorBuffer, capacity: errorCapacity)
    return nil
  }
}

@_cdecl("rf_fit_set_summary")
public func rf_fit_set_summary(_ handle: UnsafeMutableRawPointer?, _ on: Int32, _ outlierThreshold: Double) {
  guard let handle else { return }
  let fit = Unmanaged<FitHandle>.fromOpaque(handle).takeUnretainedValue().fit
  fit.summarizes = on != 0
  if outlierThreshold > 0 && outlierThreshold.isFinite { fit.outlierThreshold = outlierThreshold }
}

/// A pass that the callback refused.
struct CallbackFailure: Error, CustomStringConvertible {
  var description: String
}

@_cdecl("rf_fit_run")
public func rf_fit_run(_ handle: UnsafeMutableRawPointer?, _ callback: PassCallback?, _ context: UnsafeMutableRawPointer?,
                       _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
  guard let handle, let callback else {
    report("no fit handle or no callback", to: errorBuffer, capacity: errorCapacity)
    return 1
  }
  let fit = Unmanaged<FitHandle>.fromOpaque(handle).takeUnretainedValue()
  let host: PassHost = { request in
    let encoded = request.encoded
    var result: UnsafePointer<Double>?
    var count: Int64 = 0
    let status = encoded.withUnsafeBufferPointer {
      callback(context, $0.baseAddress, Int64($0.count), request.merge.rawValue, Int64(request.mergedCount ?? -1),
               &result, &count)
    }
    guard status == 0 else { throw CallbackFailure(description: "the host's \(request.kind) pass returned status \(status)") }
    guard count >= 0, count == 0 || result != nil else {
      throw CallbackFailure(description: "the host's \(request.kind) pass returned no result")
    }
    return count == 0 ? [] : Array(UnsafeBufferPointer(start: result, count: Int(count)))
  }
  do {
    let names = (fit.fit.intercept ? ["intercept"] : []) + (0..<fit.fit.predictors).map { "x\($0 + 1)" }
    let result = try fit.fit.run(names: names, host: host)
    fit.json = Array(json(result).utf8)
    return 0
  } catch {
    report(error.description, to: errorBuffer, capacity: errorCapacity)
    return 1
  }
}

/// The result as one JSON object (numbers in shortest round-trip form).
func json(_ r: DistributedFit.Result) -> String {
  func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
  func array(_ values: [Double]) -> String { "[" + values.map(number).joined(separator: ", ") + "]" }
  // α: a number, or the strings "-inf"/"inf" as the CLI's JSON writes them (Docs/spec.md §6).
  func alpha(_ a: Double) -> String { a.isInfinite ? (a < 0 ? "\"-inf\"" : "\"inf\"") : number(a) }
  let passes = r.passes.keys.sorted().map { "\"\($0)\": \(r.passes[$0]!)" }.joined(separator: ", ")
  // The adaptive fit: se(c), the bounds, and α's profile-likelihood interval with its profile points.
  var adaptive = ""
  if let selection = r.shapeSelection {
    let interval = selection.alphaInterval
    let profile = selection.profile.map { array([$0.alpha, $0.value, $0.lossScale]) }.joined(separator: ", ")
    adaptive = "\"scale_standard_error\": \(r.scaleStandardError.map(number) ?? "null"), "
      + "\"alpha_on_bound\": \(r.alphaOnBound), \"scale_on_bound\": \(r.scaleOnBound), "
      + "\"alpha_interval\": \(interval.map { array([$0.lower, $0.upper]) } ?? "null"), "
      + "\"alpha_interval_level\": \(interval.map { number($0.level) } ?? "null"), "
      + "\"alpha_interval_on_bound\": \(interval.map { "[\($0.lowerOnBound), \($0.upperOnBound)]" } ?? "null"), "
      + "\"alpha_interval_method\": \"profile likelihood\", \"profile\": [\(profile)], "
  }
  // The residual summary, when the run made one.
  var summary = ""
  if let s = r.residualSummary {
    summary = "\"residual_quantiles\": \(array(s.quantiles)), \"outlier_count\": \(s.outlierCount), "
      + "\"outlier_threshold\": \(number(s.outlierThreshold)), \"outlier_rule\": \"\(s.robustWeightRule ? "weight" : "ratio")\", "
      + "\"r_squared\": \(s.rSquared.map(number) ?? "null"), \"adj_r_squared\": \(s.adjustedRSquared.map(number) ?? "null"), "
  }
  return """
    {"coefficients": \(array(r.coefficients)), "standard_errors": \(r.standardErrors.map(array) ?? "null"), \
    "scale": \(number(r.scale)), "sigma": \(number(r.sigma)), "objective": \(number(r.objective)), \
    "iterations": \(r.iterations), "termination": "\(r.termination)", "n": \(r.rows), \
    "alpha": \(r.alpha.map(alpha) ?? "null"), "alpha_standard_error": \(r.alphaStandardError.map(number) ?? "null"), \
    \(adaptive)\(summary)"passes": {\(passes)}}
    """
}

@_cdecl("rf_fit_result_json")
public func rf_fit_result_json(_ handle: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?,
                               _ capacity: Int64) -> Int64 {
  guard let handle else { return -1 }
  let bytes = Unmanaged<FitHandle>.fromOpaque(handle).takeUnretainedValue().json
  if let buffer, capacity > Int64(bytes.count) {
    for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
    buffer[bytes.count] = 0
  }
  return Int64(bytes.count + 1)
}

@_cdecl("rf_fit_free")
public func rf_fit_free(_ handle: UnsafeMutableRawPointer?) {
  guard let handle else { return }
  Unmanaged<FitHandle>.fromOpaque(handle).release()
}

func decode(_ request: UnsafePointer<Double>?, _ count: Int64) -> PassRequest? {
  guard let request, count > 0 else { return nil }
  return PassRequest(decoding: UnsafeBufferPointer(start: request, count: Int(count)))
}

@_cdecl("rf_batch_capacity")
public func rf_batch_capacity(_ request: UnsafePointer<Double>?, _ count: Int64, _ rows: Int64) -> Int64 {
  guard let decoded = decode(request, count), rows >= 0 else { return -1 }
  return Int64(decoded.batchCapacity(rows: Int(rows)))
}

@_cdecl("rf_batch_pass")
public func rf_batch_pass(_ request: UnsafePointer<Double>?, _ count: Int64,
                          _ x: UnsafePointer<UnsafePointer<Double>?>?, _ predictors: Int32,
                          _ y: UnsafePointer<Double>?, _ weights: UnsafePointer<Double>?, _ rows: Int64,
                          _ out: UnsafeMutablePointer<Double>?, _ outCapacity: Int64,
                          _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int64 {
  guard let decoded = decode(request, count) else {
    report("the pass request is malformed", to: errorBuffer, capacity: errorCapacity)
    return -1
  }
  guard let y, let out, rows >= 0, predictors >= 0, predictors == 0 || x != nil else {
    report("a null column or output pointer, or a negative count", to: errorBuffer, capacity: errorCapacity)
    return -1
  }
  var columns: [UnsafePointer<Double>] = []
  for j in 0..<Int(predictors) {
    guard let column = x![j] else {
      report("predictor column \(j) is a null pointer", to: errorBuffer, capacity: errorCapacity)
      return -1
    }
    columns.append(column)
  }
  do {
    let written = try BatchPass.evaluate(decoded, x: columns, y: y, weights: weights, rows: Int(rows),
                                         output: UnsafeMutableBufferPointer(start: out, count: Int(outCapacity)))
    return Int64(written)
  } catch {
    report(error.description, to: errorBuffer, capacity: errorCapacity)
    return -1
  }
}
