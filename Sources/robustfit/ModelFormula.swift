/// A model formula as R users write one (`stack_loss ~ air_flow + water_temp`), for `--formula`: the
/// response, the predictor columns, and whether there is an intercept.
///
/// What it takes: column names joined by `+`; `.` for every other column (as R's `y ~ .`), from which
/// `- name` removes one; `- 1` or `+ 0` for no intercept, `+ 1` for the intercept (the default). A
/// name is written as R writes one: letters, digits, `.` and `_` (not starting with a digit), or any
/// text between backquotes (`` `log light` ``). Interactions (`:`, `*`), powers (`^`), nesting (`/`,
/// `%in%`), conditioning (`|`), functions of columns (`log(x)`, `I(x^2)`) and removing a column without
/// `.` are refused with a one-line message saying what is supported.
struct ModelFormula: Equatable {
  /// The predictors a formula names.
  enum Predictors: Equatable {
    /// These columns, in this order.
    case named([String])
    /// Every column but the response (`.`), less these.
    case allOthers(except: [String])
  }

  /// The response column's name.
  var response: String
  /// The predictors.
  var predictors: Predictors
  /// Whether the model has an intercept.
  var intercept: Bool

  /// Why a formula cannot be used: one line, without the `--formula` prefix.
  struct ParseError: Error, Equatable, CustomStringConvertible {
    let message: String
    var description: String { message }

    /// The sentence saying what is supported, shared by every refusal of a term.
    static let supported = "--formula takes column names joined by +, '.' for every other column "
      + "(less '- name'), and '- 1' or '+ 0' for no intercept, e.g. 'y ~ x1 + x2' or 'y ~ . - 1'; "
      + "make transformed or combined columns in the file"
  }

  /// Parses `text`.
  static func parse(_ text: String) throws(ParseError) -> ModelFormula {
    var parser = Parser(text: Array(text))
    return try parser.formula()
  }
}

/// The tokens and grammar of ``ModelFormula``: `response ~ [±] term (± term)*`.
private struct Parser {
  let text: [Character]
  var position = 0

  enum Token: Equatable {
    case name(String)
    case dot
    case number(String)
    case tilde
    case plus
    case minus
    case other(Character)
    case end
  }

  /// The formula.
  mutating func formula() throws(ModelFormula.ParseError) -> ModelFormula {
    let source = String(text)
    if source.allSatisfy(\.isWhitespace) {
      throw ModelFormula.ParseError(message: "the formula is empty: write it as R does, e.g. 'y ~ x1 + x2'")
    }
    let tildes = text.filter { $0 == "~" }.count
    if tildes == 0 {
      throw ModelFormula.ParseError(message: "the formula \(quotedFormula(source)) has no '~': write the "
        + "response, '~' and the predictors, e.g. 'y ~ x1 + x2'")
    }
    let responseStart = position
    let first = try next()
    let response: String
    switch first {
    case .name(let name):
      response = name
    case .tilde:
      throw ModelFormula.ParseError(message: "the formula \(quotedFormula(source)) has no response: write it "
        + "before '~', e.g. 'y ~ x1 + x2'")
    default:
      throw unsupported(from: responseStart, what: "response")
    }
    guard try next() == .tilde else { throw unsupported(from: responseStart, what: "response") }

    var named: [String] = []
    var excluded: [String] = []
    var dot = false
    var intercept = true
    var expectTerm = true
    var sign = Token.plus
    var terms = 0
    var leadingSign = false
    while true {
      let termStart = position
      let token = try next()
      if expectTerm {
        // A term is one name, '.', 0 or 1: anything joined to it other than + or - (`x:z`, `x^2`,
        // `log(x)`) makes it a term this parser does not take.
        switch token {
        case .name, .dot, .number:
          if !peekEndsTerm() { throw unsupported(from: termStart, what: "term") }
        default:
          break
        }
        switch token {
        case .plus, .minus:
          // One sign may open the terms (`y ~ -1 + x`); `+ -` between terms is not a formula.
          if terms > 0 || leadingSign { throw unsupported(from: termStart, what: "term") }
          leadingSign = true
          sign = token
          continue
        case .name(let name):
          if sign == .minus {
            guard dot else {
              throw ModelFormula.ParseError(message: "'- \(display(name))' removes a column only after '.' "
                + "(as in 'y ~ . - \(display(name))'); \(ModelFormula.ParseError.supported)")
            }
            excluded.append(name)
          } else {
            if dot { throw dotAndNames() }
            if name == response {
              throw ModelFormula.ParseError(message: "column \(display(name)) is both the response and a "
                + "predictor in the formula")
            }
            if named.contains(name) {
              throw ModelFormula.ParseError(message: "column \(display(name)) appears twice in the formula")
            }
            named.append(name)
          }
        case .dot:
          if sign == .minus { throw unsupported(from: termStart, what: "term") }
          if !named.isEmpty || dot { throw dotAndNames() }
          dot = true
        case .number(let digits):
          switch (digits, sign) {
          case ("1", .plus): intercept = true
          case ("1", .minus), ("0", .plus): intercept = false
          default: throw unsupported(from: termStart, what: "term")
          }
        case .end:
          if terms == 0 {
            throw ModelFormula.ParseError(message: "the formula \(quotedFormula(source)) has no predictors "
              + "after '~': name them, or write 'y ~ .' for every other column, or 'y ~ 1' for the intercept alone")
          }
          throw ModelFormula.ParseError(message: "the formula \(quotedFormula(source)) ends with '\(sign == .plus ? "+" : "-")': "
            + "a term must follow it")
        default:
          throw unsupported(from: termStart, what: "term")
        }
        terms += 1
        expectTerm = false
        sign = .plus
      } else {
        switch token {
        case .end:
          let predictors: ModelFormula.Predictors = dot ? .allOthers(except: excluded) : .named(named)
          return ModelFormula(response: response, predictors: predictors, intercept: intercept)
        case .plus, .minus:
          sign = token
          expectTerm = true
        default:
          // Something other than + or - after a term: `x1:x2`, `x1 * x2`, `x^2`, `x | g`, `log(x)`.
          throw unsupported(from: previousTermStart(before: termStart), what: "term")
        }
      }
    }
  }

  /// The start of the term that ends just before `position` (back to the previous `+`, `-` or `~`).
  func previousTermStart(before position: Int) -> Int {
    var i = min(position, text.count) - 1
    var inQuotes = false
    while i >= 0 {
      let c = text[i]
      if c == "`" { inQuotes.toggle() }
      if !inQuotes && (c == "+" || c == "-" || c == "~") { return i + 1 }
      i -= 1
    }
    return 0
  }

  /// Whether the next non-space character ends a term: `+`, `-` or the end of the formula.
  func peekEndsTerm() -> Bool {
    var i = position
    while i < text.count && text[i].isWhitespace { i += 1 }
    return i == text.count || text[i] == "+" || text[i] == "-"
  }

  /// The refusal of the term (or response) starting at `start`: its text up to the next `+`, `-` or
  /// `~` outside parentheses and backquotes.
  func unsupported(from start: Int, what: String) -> ModelFormula.ParseError {
    var i = start
    while i < text.count && text[i].isWhitespace { i += 1 }
    let begin = i
    var depth = 0
    var inQuotes = false
    while i < text.count {
      let c = text[i]
      if c == "`" { inQuotes.toggle() }
      if !inQuotes {
        if c == "(" { depth += 1 }
        if c == ")" { depth = max(0, depth - 1) }
        if depth == 0 && i > begin && (c == "+" || c == "-" || c == "~") { break }
      }
      i += 1
    }
    var term = String(text[begin..<i])
    while term.last?.isWhitespace == true { term.removeLast() }
    if term.isEmpty { term = "end of the formula" }
    let noun = what == "response" ? "response" : "term"
    return ModelFormula.ParseError(message: "unsupported \(noun) '\(term)' in the formula: \(ModelFormula.ParseError.supported)")
  }

  func dotAndNames() -> ModelFormula.ParseError {
    ModelFormula.ParseError(message: "'.' already means every other column: name the columns or use '.', "
      + "not both (drop one with '. - name')")
  }

  /// A name as the messages show it: backquoted when it is not syntactic.
  func display(_ name: String) -> String {
    Parser.isSyntactic(name) ? name : "`\(name)`"
  }

  func quotedFormula(_ source: String) -> String {
    var trimmed = Substring(source)
    while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
    while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
    return "'" + trimmed + "'"
  }

  /// Whether R would accept `name` without backquotes: letters, digits, `.` and `_`, starting with a
  /// letter or with `.` not followed by a digit.
  static func isSyntactic(_ name: String) -> Bool {
    guard let first = name.first, first.isLetter || first == "." else { return false }
    if first == ".", name.count > 1, name.dropFirst().first!.isNumber { return false }
    return name.allSatisfy { isNameCharacter($0) }
  }

  static func isNameCharacter(_ c: Character) -> Bool {
    c.isLetter || c.isNumber || c == "." || c == "_"
  }

  /// The next token, spaces skipped.
  mutating func next() throws(ModelFormula.ParseError) -> Token {
    while position < text.count && text[position].isWhitespace { position += 1 }
    guard position < text.count else { return .end }
    let c = text[position]
    switch c {
    case "~": position += 1; return .tilde
    case "+": position += 1; return .plus
    case "-": position += 1; return .minus
    case "`":
      var name = ""
      var i = position + 1
      while i < text.count && text[i] != "`" {
        if text[i] == "\\" && i + 1 < text.count { i += 1 }
        name.append(text[i])
        i += 1
      }
      guard i < text.count else {
        throw ModelFormula.ParseError(message: "a backquoted name in the formula is not closed: write "
          + "`name with spaces` with a backquote on each side")
      }
      if name.isEmpty {
        throw ModelFormula.ParseError(message: "an empty backquoted name `` in the formula")
      }
      position = i + 1
      return .name(name)
    default:
      if c.isNumber && c.isASCII {
        var digits = ""
        while position < text.count && (text[position].isNumber || text[position] == ".") {
          digits.append(text[position])
          position += 1
        }
        return .number(digits)
      }
      if Parser.isNameCharacter(c) {
        var name = ""
        while position < text.count && Parser.isNameCharacter(text[position]) {
          name.append(text[position])
          position += 1
        }
        return name == "." ? .dot : .name(name)
      }
      position += 1
      return .other(c)
    }
  }
}
