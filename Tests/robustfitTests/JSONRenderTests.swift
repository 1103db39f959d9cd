// The JSON report's writer: the exact text of nested values (indentation, one-line arrays of scalars,
// escapes, null for non-finite numbers), and the same text as String and as bytes.

import Testing
@testable import robustfit

@Suite("JSON rendering")
struct JSONRenderTests {
  static let nested: JSONValue = .object([
    ("a", .int(-3)),
    ("b", .array([.number(0.1), .null, .bool(true), .string("x\"y\\z\n\u{1}é")])),
    ("c", .object([])),
    ("d", .array([])),
    ("e", .array([.object([("k", .unsigned(UInt64.max))]), .integers([1, 22]), .array([.number(.nan)])])),
    ("f", .object([("g", .object([("h", .number(-.infinity)), ("i", .number(1e-05))]))])),
    ("j", .integers([])),
  ])

  static let nestedText = """
    {
      "a": -3,
      "b": [0.1, null, true, "x\\"y\\\\z\\n\\u0001é"],
      "c": {},
      "d": [],
      "e": [
        {
          "k": 18446744073709551615
        },
        [1, 22],
        [null]
      ],
      "f": {
        "g": {
          "h": null,
          "i": 1e-05
        }
      },
      "j": []
    }
    """

  @Test("nested values written as expected")
  func nestedText() {
    #expect(Self.nested.render() == Self.nestedText)
  }

  @Test("bytes and String agree", arguments: [
    nested, .null, .number(5.0), .string(""), .array([.int(1)]), .object([("x", .integers(Array(0..<3000)))]),
  ] as [JSONValue])
  func bytesAndString(_ value: JSONValue) {
    #expect(value.utf8() == Array(value.render().utf8))
  }
}
