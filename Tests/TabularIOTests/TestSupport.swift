// Shared helpers for the TabularIO tests: a seeded RNG, temporary files, strtod, exact decimals.

import Foundation
@testable import TabularIO

#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator, reproducible across platforms.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Scales a test count by the environment: ROBUSTFIT_HEAVY=1 multiplies it by `heavyFactor`.
func scaled(_ count: Int, heavyFactor: Int = 100) -> Int {
  ProcessInfo.processInfo.environment["ROBUSTFIT_HEAVY"] == "1" ? count * heavyFactor : count
}

/// glibc's strtod on `text`, the reference for correct rounding.
func referenceStrtod(_ text: String) -> Double {
  text.withCString { strtod($0, nil) }
}

/// A fresh path under the temporary directory; the caller removes it.
func temporaryPath(_ suffix: String = ".csv") -> String {
  FileManager.default.temporaryDirectory
    .appendingPathComponent("tabulario-\(UUID().uuidString)\(suffix)").path
}

/// Writes `bytes` to a temporary file, runs `body` with its path, and removes the file.
func withTemporaryFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
  let path = temporaryPath()
  FileManager.default.createFile(atPath: path, contents: Data(bytes))
  defer { try? FileManager.default.removeItem(atPath: path) }
  return try body(path)
}

/// Reads CSV text held in a string.
func readCSV(_ text: String, name: String = "t.csv", _ options: CSVReadOptions = CSVReadOptions()) throws
  -> NumericTable
{
  try readNumericCSV(bytes: Array(text.utf8), name: name, options: options)
}

/// The CSVError thrown by `body`, or nil when it returns normally or throws something else.
func csvError(_ body: () throws -> Any) -> CSVError? {
  do {
    _ = try body()
    return nil
  } catch let error as CSVError {
    return error
  } catch {
    return nil
  }
}

/// The exact decimal expansion of m · 2^e (m > 0), written with a decimal point, computed with
/// 32-bit limbs: for e < 0 it is m · 5^−e with the point −e digits from the right.
func exactDecimal(_ m: UInt64, times2ToThe e: Int) -> String {
  var limbs: [UInt32] = [UInt32(truncatingIfNeeded: m), UInt32(truncatingIfNeeded: m >> 32)]
  func multiply(_ k: UInt32) {
    var carry: UInt64 = 0
    for i in limbs.indices {
      let t = UInt64(limbs[i]) * UInt64(k) + carry
      limbs[i] = UInt32(truncatingIfNeeded: t)
      carry = t >> 32
    }
    if carry != 0 { limbs.append(UInt32(carry)) }
  }
  if e >= 0 {
    for _ in 0..<e { multiply(2) }
  } else {
    for _ in 0..<(-e) { multiply(5) }
  }
  // Decimal digits by repeated division by 10^9.
  var chunks: [UInt32] = []
  while limbs.contains(where: { $0 != 0 }) {
    var remainder: UInt64 = 0
    for i in limbs.indices.reversed() {
      let t = (remainder << 32) | UInt64(limbs[i])
      limbs[i] = UInt32(t / 1_000_000_000)
      remainder = t % 1_000_000_000
    }
    chunks.append(UInt32(remainder))
  }
  var digits = String(chunks.last ?? 0)
  for c in chunks.dropLast().reversed() {
    let s = String(c)
    digits += String(repeating: "0", count: 9 - s.count) + s
  }
  if e >= 0 { return digits }
  let point = -e
  if digits.count <= point { digits = String(repeating: "0", count: point - digits.count + 1) + digits }
  let split = digits.index(digits.endIndex, offsetBy: -point)
  return String(digits[..<split]) + "." + String(digits[split...])
}
