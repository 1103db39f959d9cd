import Foundation

/// Text and number formatting for SVG output.
enum SVGText {
  /// The font stack written on every figure.
  static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

  /// Average glyph advance as a fraction of the font size, used to size boxes around text. DejaVu Sans digits
  /// advance 0.64 em and lower-case letters about 0.55 em, so 0.62 errs on the wide side.
  static let charWidthFactor = 0.62

  /// Estimated rendered width in pixels of `text` at `fontSize`.
  static func width(_ text: String, fontSize: Double) -> Double {
    Double(text.count) * charWidthFactor * fontSize
  }

  /// `text` escaped for XML character data and attribute values. Characters XML 1.0 forbids (C0 controls other
  /// than tab, newline, carriage return; lone surrogates cannot occur in a Swift String) become U+FFFD.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        let v = scalar.value
        if v < 0x20 || v == 0xFFFE || v == 0xFFFF {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// A number's text for print: every hyphen-minus becomes the minus sign U+2212 ("−0.5", "1e−9"), as
  /// typesetting wants; tick labels are drawn through it (`TickSet.labels` keep the ASCII hyphen).
  static func typographicMinus(_ text: String) -> String {
    text.replacingOccurrences(of: "-", with: "\u{2212}")
  }

  /// A coordinate with at most two decimals and no trailing zeros ("12", "12.5", "-3.25").
  /// Non-finite input — which the layout never produces — is written as 0 so the SVG stays valid.
  static func number(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    var s = String(format: "%.2f", value)
    if s.contains(".") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    if s == "-0" { s = "0" }
    return s
  }
}
