import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif

/// One parsed SVG element: its name, attributes and directly contained text.
struct ParsedElement {
  var name: String
  var attributes: [String: String]
  var text: String = ""
  /// Names of the enclosing elements, outermost first.
  var ancestors: [String]

  /// A numeric attribute, or nil when missing or not a number.
  func number(_ key: String) -> Double? {
    attributes[key].flatMap(Double.init)
  }
}

/// Parses SVG text with Foundation's XMLParser; `nil` when it is not well-formed XML.
func parseSVG(_ svg: String) -> [ParsedElement]? {
  final class Collector: NSObject, XMLParserDelegate {
    var elements: [ParsedElement] = []
    var stack: [Int] = []
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
      let ancestors = stack.map { elements[$0].name }
      elements.append(ParsedElement(name: elementName, attributes: attributeDict, ancestors: ancestors))
      stack.append(elements.count - 1)
    }
    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
      stack.removeLast()
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if let top = stack.last { elements[top].text += string }
    }
  }
  let parser = XMLParser(data: Data(svg.utf8))
  let collector = Collector()
  parser.delegate = collector
  guard parser.parse() else { return nil }
  return collector.elements
}

/// All numbers in a path's `d` attribute, as (x, y) pairs in order.
func pathPoints(_ d: String) -> [(x: Double, y: Double)] {
  let numbers = d.split(whereSeparator: { "ML ".contains($0) }).compactMap { Double($0) }
  return stride(from: 0, to: numbers.count - 1, by: 2).map { (numbers[$0], numbers[$0 + 1]) }
}
