/// The standalone SVG wrapper shared by `Chart` and `ChartGrid`.
enum SVGDocument {
  /// `body` inside an `<svg>` root with namespace, size (`scale` says in what unit), viewBox (in user units),
  /// the font stack and a white background.
  static func wrap(width: Double, height: Double, scale: PrintScale = .pixels, body: String) -> String {
    let w = SVGText.number(width)
    let h = SVGText.number(height)
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(scale.attribute(width))" height="\(scale.attribute(height))" \
      viewBox="0 0 \(w) \(h)" \
      font-family="\(SVGText.fontFamily)">
      <rect x="0" y="0" width="\(w)" height="\(h)" fill="#ffffff"/>

      """ + body + "</svg>\n"
  }
}
