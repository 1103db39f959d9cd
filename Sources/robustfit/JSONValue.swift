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
  func render(indent: String = "") -> String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .unsigned(let u): return String(u)
    case .number(let x):
      guard x.isFinite else { return "null" }
      // Swift's description is the shortest round-trip text ("0.1", "1e-05", "5.0"): valid JSON.
      return x.description
    case .string(let s): return JSONValue.quote(s)
    case .array(let items):
      if items.isEmpty { return "[]" }
      if items.allSatisfy(\.isScalar) {
        return "[" + items.map { $0.render() }.joined(separator: ", ") + "]"
      }
      let inner = indent + "  "
      return "[\n" + items.map { inner + $0.render(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
    case .integers(let values):
      return JSONValue.integerList(values)
    case .object(let pairs):
      if pairs.isEmpty { return "{}" }
      let inner = indent + "  "
      return "{\n" + pairs.map { inner + JSONValue.quote($0.0) + ": " + $0.1.render(indent: inner) }
        .joined(separator: ",\n") + "\n\(indent)}"
    }
  }

  /// `[3, 17, 250001]`: the integers' decimal digits written straight into bytes (200 000 outliers at
  /// n = 1e6 took about 10 ms as appended Strings, on the report's single thread).
  static func integerList(_ values: [Int]) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(2 + values.count * 9)
    bytes.append(UInt8(ascii: "["))
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      for (k, value) in values.enumerated() {
        if k > 0 { bytes.append(UInt8(ascii: ",")); bytes.append(UInt8(ascii: " ")) }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude, count = 0
        repeat {
          digits[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
          magnitude /= 10
          count += 1
        } while magnitude > 0
        while count > 0 { count -= 1; bytes.append(digits[count]) }
      }
    }
    bytes.append(UInt8(ascii: "]"))
    return String(decoding: bytes, as: UTF8.self)
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
