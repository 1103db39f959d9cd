/// An sRGB colour, written into SVG as `#rrggbb`.
public struct Color: Sendable, Hashable {
  /// Red channel, 0–255.
  public var red: UInt8
  /// Green channel, 0–255.
  public var green: UInt8
  /// Blue channel, 0–255.
  public var blue: UInt8

  /// A colour from its three 8-bit channels.
  public init(red: UInt8, green: UInt8, blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// A colour from a hex string `#rrggbb` or `rrggbb`; `nil` when the string is not six hex digits.
  public init?(hex: String) {
    var digits = Substring(hex)
    if digits.hasPrefix("#") { digits = digits.dropFirst() }
    guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
    self.init(red: UInt8(value >> 16), green: UInt8((value >> 8) & 0xff), blue: UInt8(value & 0xff))
  }

  /// The colour as `#rrggbb` (lower case), as used in SVG attributes.
  public var hex: String {
    func two(_ c: UInt8) -> String {
      let s = String(c, radix: 16)
      return s.count == 1 ? "0" + s : s
    }
    return "#" + two(red) + two(green) + two(blue)
  }

  /// Near-black grey used for scatter points when no colour is given (weight 1 reads as "solid dark").
  public static let darkGrey = Color(red: 0x33, green: 0x33, blue: 0x33)
  /// Mid grey used for reference lines when no colour is given.
  public static let grey = Color(red: 0x66, green: 0x66, blue: 0x66)
  /// Black.
  public static let black = Color(red: 0, green: 0, blue: 0)

  /// Eleven colours for lines on white, distinguishable from each other also under the common forms of
  /// colour-vision deficiency: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design") without its
  /// yellow, then three dark colours of Paul Tol's muted scheme (wine, indigo, olive; Tol 2021, "Colour
  /// Schemes", SRON/EPS/TN/09-002) that differ from the Okabe–Ito colours in lightness as well as hue, and
  /// the Okabe–Ito yellow last (hard to see on white). Ordered: the strong colours first. Series beyond eleven
  /// reuse the colours; figures that can have that many combine them with dash patterns (`style(_:)`).
  public static let palette: [Color] = [
    Color(red: 0x00, green: 0x72, blue: 0xB2),  // Okabe–Ito blue
    Color(red: 0xD5, green: 0x5E, blue: 0x00),  // Okabe–Ito vermillion
    Color(red: 0x00, green: 0x9E, blue: 0x73),  // Okabe–Ito bluish green
    Color(red: 0xCC, green: 0x79, blue: 0xA7),  // Okabe–Ito reddish purple
    Color(red: 0xE6, green: 0x9F, blue: 0x00),  // Okabe–Ito orange
    Color(red: 0x56, green: 0xB4, blue: 0xE9),  // Okabe–Ito sky blue
    Color(red: 0x00, green: 0x00, blue: 0x00),  // Okabe–Ito black
    Color(red: 0x88, green: 0x22, blue: 0x55),  // Tol muted wine
    Color(red: 0x33, green: 0x22, blue: 0x88),  // Tol muted indigo
    Color(red: 0x99, green: 0x99, blue: 0x33),  // Tol muted olive
    Color(red: 0xF0, green: 0xE4, blue: 0x42),  // Okabe–Ito yellow
  ]

  /// The `index`-th palette colour, cycling when `index` exceeds the palette (negative indices count as 0).
  public static func palette(_ index: Int) -> Color {
    palette[max(index, 0) % palette.count]
  }

  /// The colour and dash of the `index`-th of several series that must all look different: the palette
  /// colour, solid for the first `palette.count` series, then dotted, then dash-dotted (`.dashed` is left
  /// for callers that mark one series specially), then solid again. Distinct for the first
  /// 3 × `palette.count` indices.
  public static func style(_ index: Int) -> (color: Color, dash: LineDash) {
    let i = max(index, 0)
    let dashes: [LineDash] = [.solid, .dotted, .dashDot]
    return (palette(i), dashes[(i / palette.count) % dashes.count])
  }
}
