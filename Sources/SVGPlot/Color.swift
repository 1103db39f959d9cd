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

  /// The Okabe–Ito qualitative palette (Okabe & Ito 2008, "Color Universal Design"), distinguishable under the
  /// common forms of colour-vision deficiency. Ordered for drawing lines on white: the strong colours first,
  /// yellow (hard to see on white) last.
  public static let palette: [Color] = [
    Color(red: 0x00, green: 0x72, blue: 0xB2),  // blue
    Color(red: 0xD5, green: 0x5E, blue: 0x00),  // vermillion
    Color(red: 0x00, green: 0x9E, blue: 0x73),  // bluish green
    Color(red: 0xCC, green: 0x79, blue: 0xA7),  // reddish purple
    Color(red: 0xE6, green: 0x9F, blue: 0x00),  // orange
    Color(red: 0x56, green: 0xB4, blue: 0xE9),  // sky blue
    Color(red: 0x00, green: 0x00, blue: 0x00),  // black
    Color(red: 0xF0, green: 0xE4, blue: 0x42),  // yellow
  ]

  /// The `index`-th palette colour, cycling when `index` exceeds the palette (negative indices count as 0).
  public static func palette(_ index: Int) -> Color {
    palette[max(index, 0) % palette.count]
  }
}
