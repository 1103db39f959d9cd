/// `v` rounded to `digits` decimals and printed with exactly that many (no exponent for the benchmark's
/// magnitudes); non-finite values as Swift prints them.
func fixed(_ v: Double, _ digits: Int) -> String {
  guard v.isFinite else { return "\(v)" }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let r = (v * scale).rounded() / scale
  var text = String(r)
  if digits == 0 { return String(Int(r)) }
  let parts = text.split(separator: ".")
  let fraction = parts.count > 1 ? String(parts[1]) : ""
  if fraction.count < digits { text += String(repeating: "0", count: digits - fraction.count) }
  return text
}
