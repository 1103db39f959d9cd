/// A JSON value with ordered object keys, written by hand so the key order is the order of
/// construction and numbers are the shortest text that reads back to the same double.
indirect enum JSONValue {
  case null
  case bool(Bool)
  case int(Int)
  /// An unsigned integer (a seed: every UInt64, not only those an Int holds).
  case unsigned(UInt64)
  /// A double; non-finite values are written as null (JSON has no NaN or infinity).
  case number(Double)
  case string(String)
  case array([JSONValue])
  /// An array of integers (the outliers' line numbers: millions at large n), held as one [Int] instead
  /// of a boxed value per entry; rendered as ``array(_:)`` of ``int(_:)`` is.
  case integers([Int])
  case object([(String, JSONValue)])

  /// A double or null.
  static func number(_ x: Double?) -> JSONValue {
    guard let x, x.isFinite else { return .null }
    return .number(x)
  }

  /// α: a number, the strings `"-inf"`/`"inf"` (Docs/spec.md §6), or null.
  static func alpha(_ a: Double?) -> JSONValue {
    guard let a, !a.isNaN else { return .null }
    if a == .infinity { return .string("inf") }
    if a == -.infinity { return .string("-inf") }
    return .number(a)
  }

  /// Pretty-printed with two-space indentation; arrays of scalars stay on one line.
  func render() -> String {
    String(decoding: utf8(), as: UTF8.self)
  }

  /// ``render()``'s text as UTF-8 bytes, written into one buffer (the outliers' list at n = 1e6 is
  /// 1.4 MB: joined Strings copied it at every level of nesting).
  func utf8() -> [UInt8] {
    var out: [UInt8] = []
    write(into: &out, indent: 0)
    return out
  }

  /// Appends the value's text, its inner lines indented by `indent` + 2 spaces.
  private func write(into out: inout [UInt8], indent: Int) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i): out.append(contentsOf: String(i).utf8)
    case .unsigned(let u): out.append(contentsOf: String(u).utf8)
    case .number(let x):
      // Swift's description is the shortest round-trip text ("0.1", "1e-05", "5.0"): valid JSON.
      out.append(contentsOf: (x.isFinite ? x.description : "null").utf8)
    case .string(let s): out.append(contentsOf: JSONValue.quote(s).utf8)
    case .array(let items):
      if items.isEmpty { return out.append(contentsOf: "[]".utf8) }
      out.append(UInt8(ascii: "["))
      if items.allSatisfy(\.isScalar) {
        for (k, item) in items.enumerated() {
          if k > 0 { out.append(contentsOf: ", ".utf8) }
          item.write(into: &out, indent: indent)
        }
        return out.append(UInt8(ascii: "]"))
      }
      for (k, item) in items.enumerated() {
        out.append(contentsOf: (k > 0 ? ",\n" : "\n").utf8)
        Self.spaces(indent + 2, into: &out)
        item.write(into: &out, indent: indent + 2)
      }
      out.append(UInt8(ascii: "\n"))
      Self.spaces(indent, into: &out)
      out.append(UInt8(ascii: "]"))
    case .integers(let values):
      JSONValue.appendIntegerList(values, to: &out)
    case .object(let pairs):
      if pairs.isEmpty { return out.append(contentsOf: "{}".utf8) }
      out.append(UInt8(ascii: "{"))
      for (k, (key, value)) in pairs.enumerated() {
        out.append(contentsOf: (k > 0 ? ",\n" : "\n").utf8)
        Self.spaces(indent + 2, into: &out)
        out.append(contentsOf: JSONValue.quote(key).utf8)
        out.append(contentsOf: ": ".utf8)
        value.write(into: &out, indent: indent + 2)
      }
      out.append(UInt8(ascii: "\n"))
      Self.spaces(indent, into: &out)
      out.append(UInt8(ascii: "}"))
    }
  }

  private static func spaces(_ count: Int, into out: inout [UInt8]) {
    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
  }

  /// `[3, 17, 250001]`: the integers' decimal digits written straight into bytes (200 000 outliers at
  /// n = 1e6 took about 10 ms as appended Strings, on the report's single thread).
  static func integerList(_ values: [Int]) -> String {
    var bytes: [UInt8] = []
    appendIntegerList(values, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// ``integerList(_:)``'s text appended to `bytes`: each integer's digits written backwards, two at a
  /// time, into the reserved bytes (one `append` per byte took about 4 ms for 200 000 outliers).
  static func appendIntegerList(_ values: [Int], to bytes: inout [UInt8]) {
    // At most 20 digits, a sign and ", " per value.
    let text = [UInt8](unsafeUninitializedCapacity: 2 + values.count * 23) { buffer, count in
      var out = buffer.baseAddress!
      out.pointee = UInt8(ascii: "[")
      out += 1
      for (k, value) in values.enumerated() {
        if k > 0 {
          out[0] = UInt8(ascii: ",")
          out[1] = UInt8(ascii: " ")
          out += 2
        }
        if value < 0 {
          out.pointee = UInt8(ascii: "-")
          out += 1
        }
        var magnitude = value.magnitude
        let length = decimalLength(magnitude)
        var end = out + length
        while magnitude >= 10 {
          let pair = Int(magnitude % 100) &* 2
          magnitude /= 100
          end -= 2
          end[0] = digitPairs[pair]
          end[1] = digitPairs[pair + 1]
        }
        if end > out {
          end -= 1
          end.pointee = UInt8(ascii: "0") + UInt8(magnitude)
        }
        out += length
      }
      out.pointee = UInt8(ascii: "]")
      out += 1
      count = out - buffer.baseAddress!
    }
    bytes.append(contentsOf: text)
  }

  /// "00", "01", …, "99": two digits per entry.
  private static let digitPairs: [UInt8] = (0..<100).flatMap { [UInt8(ascii: "0") + UInt8($0 / 10), UInt8(ascii: "0") + UInt8($0 % 10)] }

  /// The number of decimal digits of `value` (1 for 0).
  private static func decimalLength(_ value: UInt) -> Int {
    var length = 1, bound: UInt = 10
    while length < 20 && value >= bound {
      length += 1
      bound = length < 20 ? bound * 10 : bound
    }
    return length
  }

  private var isScalar: Bool {
    switch self {
    case .array, .integers, .object: return false
    default: return true
    }
  }

  /// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259's `\u00XX`,
  /// where TabularIO's message quoting shows Swift's `\u{..}`).
  static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
