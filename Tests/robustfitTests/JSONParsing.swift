import Foundation
import Testing

/// A JSON value decoded with `JSONDecoder`, whose number parsing is correctly rounded (Foundation's
/// `JSONSerialization` on Linux is not: it reads 1.2284933265012037 as 1.2284933265012035), so the
/// tests can check that printed doubles read back exactly.
enum DecodedJSON: Decodable {
  case null, bool(Bool), number(Double), string(String), array([DecodedJSON]), object([String: DecodedJSON])

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() { self = .null }
    else if let b = try? container.decode(Bool.self) { self = .bool(b) }
    else if let x = try? container.decode(Double.self) { self = .number(x) }
    else if let s = try? container.decode(String.self) { self = .string(s) }
    else if let a = try? container.decode([DecodedJSON].self) { self = .array(a) }
    else { self = .object(try container.decode([String: DecodedJSON].self)) }
  }

  /// As plain Swift values: NSNull, Bool, Double, String, [Any], [String: Any].
  var plain: Any {
    switch self {
    case .null: return NSNull()
    case .bool(let b): return b
    case .number(let x): return x
    case .string(let s): return s
    case .array(let a): return a.map(\.plain)
    case .object(let o): return o.mapValues(\.plain)
    }
  }
}

/// Parses a JSON object printed by robustfit.
func parseObject(_ text: String) throws -> [String: Any] {
  let value = try JSONDecoder().decode(DecodedJSON.self, from: Data(text.utf8))
  return try #require(value.plain as? [String: Any], "not a JSON object: \(text.prefix(200))")
}

/// The double of a JSON number.
func number(_ value: Any?) throws -> Double {
  try #require(value as? Double, "expected a number, got \(String(describing: value))")
}

/// The integer of a JSON number.
func integer(_ value: Any?) -> Int? {
  guard let x = value as? Double, x == x.rounded() else { return nil }
  return Int(x)
}
