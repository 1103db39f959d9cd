import Foundation
import Testing

@testable import SVGPlot

/// Ranges of every kind: positive, negative, straddling zero, tiny and huge spans, offsets far from zero.
let tickRanges: [(Double, Double)] = [
  (0, 1), (-1, 1), (-7.3, -2.1), (0.1, 19.9), (5.9, 24.1), (-0.42, 1.38), (3, 3.0001),
  (0, 1e-9), (1, 1 + 1e-9), (-3e-9, 5e-9), (0, 1e9), (-2.5e9, 7.1e9), (1e9, 1e9 + 1e3),
  (123.456, 789.01), (-1e-4, 3e-4), (0.999, 1.001), (42, 4242), (-1e300, 1e300),
]

/// The decimal mantissa m of step = m × 10^k.
func mantissa(_ step: Double) -> Double {
  let k = floor(log10(step))
  var m = step / pow(10, k)
  if m >= 9.999999 { m /= 10 }
  return m
}

/// The power of ten of the last digit a label shows: "0.25" → -2, "1.50e9" → 7, "40" → 0; "0" → nil.
func labelResolution(_ label: String) -> Int? {
  if label == "0" { return nil }
  let parts = label.split(separator: "e")
  let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
  let decimals = parts[0].split(separator: ".").dropFirst().first?.count ?? 0
  return exponent - decimals
}

/// The power of ten of a step's last significant decimal digit: 0.25 → -2, 20 → 1, 5e-10 → -10; as a label
/// that prints multiples of the step exactly needs digits down to it, but for integers at least 10^0.
func decimalResolution(_ step: Double) -> Int {
  var d = Int(floor(log10(step)))
  while abs(step / pow(10, Double(d)) - (step / pow(10, Double(d))).rounded()) > 1e-6 { d -= 1 }
  return d
}

/// A tick label read back as a number ("1.5e9" → 1.5e9).
func labelValue(_ label: String) -> Double? {
  Double(label)
}

@Test(arguments: tickRanges)
func ticksAreNiceMultiplesInsideTheRange(range: (Double, Double)) {
  let (lo, hi) = range
  let t = TickSet.nice(lower: lo, upper: hi)
  #expect(TickSet.preferredCounts.contains(t.values.count), "count \(t.values.count) for \(lo)...\(hi)")
  let m = mantissa(t.step)
  #expect([1.0, 2.0, 2.5, 5.0].contains { abs($0 - m) < 1e-9 }, "step \(t.step)")
  let slack = t.step * 1e-6
  for (i, v) in t.values.enumerated() {
    #expect(v >= lo - slack && v <= hi + slack, "tick \(v) outside \(lo)...\(hi)")
    // Each tick is an integer multiple of the step, and adjacent ticks are one step apart.
    let q = v / t.step
    #expect(abs(q - q.rounded()) < 1e-6)
    if i > 0 { #expect(abs(v - t.values[i - 1] - t.step) <= t.step * 1e-6) }
  }
  // The ticks cover the range: no more than one step of it is left tick-free at either end.
  #expect(t.values.first! - lo <= t.step * (1 + 1e-9))
  #expect(hi - t.values.last! <= t.step * (1 + 1e-9))
}

@Test(arguments: tickRanges)
func labelsAreCompactDistinctAndReadBackToTheTick(range: (Double, Double)) {
  let t = TickSet.nice(lower: range.0, upper: range.1)
  #expect(Set(t.labels).count == t.labels.count, "duplicate labels \(t.labels)")
  let fixedNotation = !t.labels.contains { $0.contains("e") }
  for (v, label) in zip(t.values, t.labels) {
    // Exactly the digits the step needs: fixed labels of integer steps have no decimals at all.
    if fixedNotation && decimalResolution(t.step) > 0 {
      #expect(!label.contains("."), "label \(label) for step \(t.step)")
    } else if labelResolution(label) != nil {
      #expect(labelResolution(label) == decimalResolution(t.step), "label \(label) for step \(t.step)")
    }
    let read = labelValue(label)
    #expect(read != 0 || !label.hasPrefix("-"), "negative zero label \(label)")
    #expect(read != nil, "label \(label) is not a number")
    if let read { #expect(abs(read - v) <= t.step * 1e-3, "label \(label) for tick \(v)") }
  }
}

@Test func stepOfTwoTenthsOnTheUnitInterval() {
  // 0…1 with six ticks is the textbook case: step 0.2, labels with one decimal, never 0.6000000000000001.
  let t = TickSet.nice(lower: 0, upper: 1)
  #expect(t.step == 0.2)
  #expect(t.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
}

@Test func quarterStepsOnlyWhenOneTwoFiveFail() {
  // On [5.9, 24.1] the 1-2-5 steps give 19 (step 1), 10 (step 2) or 3 (step 5: 10, 15, 20) ticks: none in 4…8.
  let t = TickSet.nice(lower: 5.9, upper: 24.1)
  #expect(t.step == 2.5)
  #expect(t.values.first == 7.5 && t.values.last == 22.5)
  #expect(t.labels.first == "7.5" && t.labels.contains("10.0"))
  // On [0, 10] a 1-2-5 step exists (2 gives 0, 2, …, 10), so no quarter step.
  #expect(TickSet.nice(lower: 0, upper: 10).step == 2)
}

@Test func largeAndTinyValuesUseOneSharedExponent() {
  let big = TickSet.nice(lower: 0, upper: 1e9)
  #expect(big.labels.first == "0")
  #expect(big.labels.allSatisfy { $0 == "0" || $0.hasSuffix("e9") || $0.hasSuffix("e8") })
  let tiny = TickSet.nice(lower: 0, upper: 1e-9)
  #expect(tiny.labels.dropFirst().allSatisfy { $0.hasSuffix("e-9") || $0.hasSuffix("e-10") })
  // Ordinary magnitudes stay in fixed notation.
  #expect(TickSet.nice(lower: 123.456, upper: 789.01).labels.allSatisfy { !$0.contains("e") })
}

@Test(arguments: [(Double.nan, 1.0), (0.0, Double.infinity), (3.0, 3.0), (5.0, 1.0)] as [(Double, Double)])
func degenerateTickInputGivesAtMostOneTick(range: (Double, Double)) {
  let t = TickSet.nice(lower: range.0, upper: range.1)
  #expect(t.values.count <= 1)
  #expect(t.values.allSatisfy { $0.isFinite })
}
