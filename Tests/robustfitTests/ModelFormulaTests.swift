import Testing
@testable import robustfit

/// The `--formula` parser alone: what it accepts, what it makes of it, and what it refuses.
@Suite("ModelFormula: R's y ~ x1 + x2, parsed")
struct ModelFormulaTests {
  static let accepted: [(String, ModelFormula)] = [
    ("y ~ x", ModelFormula(response: "y", predictors: .named(["x"]), intercept: true)),
    ("stack_loss ~ air_flow + water_temp", ModelFormula(response: "stack_loss", predictors: .named(["air_flow", "water_temp"]), intercept: true)),
    ("y~x1+x2", ModelFormula(response: "y", predictors: .named(["x1", "x2"]), intercept: true)),
    ("y ~ .", ModelFormula(response: "y", predictors: .allOthers(except: []), intercept: true)),
    ("y ~ . - 1", ModelFormula(response: "y", predictors: .allOthers(except: []), intercept: false)),
    ("y ~ . - id - batch", ModelFormula(response: "y", predictors: .allOthers(except: ["id", "batch"]), intercept: true)),
    ("y ~ x - 1", ModelFormula(response: "y", predictors: .named(["x"]), intercept: false)),
    ("y ~ x + 0", ModelFormula(response: "y", predictors: .named(["x"]), intercept: false)),
    ("y ~ 0 + x", ModelFormula(response: "y", predictors: .named(["x"]), intercept: false)),
    ("y ~ -1 + x", ModelFormula(response: "y", predictors: .named(["x"]), intercept: false)),
    ("y ~ 1 + x", ModelFormula(response: "y", predictors: .named(["x"]), intercept: true)),
    ("y ~ x + 1", ModelFormula(response: "y", predictors: .named(["x"]), intercept: true)),
    ("y ~ 1", ModelFormula(response: "y", predictors: .named([]), intercept: true)),
    ("log.light ~ log.Te", ModelFormula(response: "log.light", predictors: .named(["log.Te"]), intercept: true)),
    ("`log light` ~ `temp (K)` + .x", ModelFormula(response: "log light", predictors: .named(["temp (K)", ".x"]), intercept: true)),
    ("y ~ `a,b` + `c\\`d`", ModelFormula(response: "y", predictors: .named(["a,b", "c`d"]), intercept: true)),
    ("  σ ~ x  ", ModelFormula(response: "σ", predictors: .named(["x"]), intercept: true)),
  ]

  @Test("accepted forms", arguments: 0..<accepted.count)
  func accepts(_ k: Int) throws {
    let (text, expected) = Self.accepted[k]
    #expect(try ModelFormula.parse(text) == expected, "\(text)")
  }

  /// Each refused formula and a fragment of its message (every refusal of a term also says what is supported).
  static let refused: [(String, String)] = [
    ("y ~ x1:x2", "unsupported term 'x1:x2'"),
    ("y ~ x1 * x2", "unsupported term 'x1 * x2'"),
    ("y ~ x + x^2", "unsupported term 'x^2'"),
    ("y ~ I(x^2)", "unsupported term 'I(x^2)'"),
    ("y ~ log(x) + z", "unsupported term 'log(x)'"),
    ("log(y) ~ x", "unsupported response 'log(y)'"),
    ("y ~ x | g", "unsupported term 'x | g'"),
    ("y ~ a %in% b", "unsupported term 'a %in% b'"),
    ("y ~ a / b", "unsupported term 'a / b'"),
    ("y ~ (a + b)", "unsupported term '(a + b)'"),
    ("y ~ x + 2", "unsupported term '2'"),
    ("y ~ x - z", "'- z' removes a column only after '.'"),
    ("y ~ x + - z", "unsupported term"),
    ("y ~ . + x", "'.' already means every other column"),
    ("y ~ x + .", "'.' already means every other column"),
    ("y ~ x + x", "column x appears twice"),
    ("y ~ y + x", "column y is both the response and a predictor"),
    ("y x", "has no '~'"),
    ("~ x", "has no response"),
    ("y ~", "has no predictors"),
    ("y ~ x +", "ends with '+'"),
    ("y ~ `x", "backquoted name in the formula is not closed"),
    ("", "the formula is empty"),
    ("y ~ x ~ z", "unsupported term"),
  ]

  @Test("refused forms: one line saying why", arguments: 0..<refused.count)
  func refuses(_ k: Int) {
    let (text, fragment) = Self.refused[k]
    do {
      let parsed = try ModelFormula.parse(text)
      Issue.record("\(text) parsed as \(parsed)")
    } catch {
      #expect(error.message.contains(fragment), "\(text): \(error.message)")
      #expect(!error.message.contains("\n"))
      if fragment.hasPrefix("unsupported") {
        #expect(error.message.contains("--formula takes column names joined by +"))
      }
    }
  }
}
