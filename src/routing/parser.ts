/**
 * Recursive-descent parser for routing expressions (the language is described
 * in index.ts). Grammar, loosest first:
 *
 *   or         := and ("or" and)*
 *   and        := comparison ("and" comparison)*
 *   comparison := unary [ operator operand | ["not"] "in" list ]
 *   unary      := "not" unary | operand
 *   operand    := literal | field | "(" or ")"
 *   field      := name ("." name)*       (one token: no spaces around the dots)
 *   list       := "[" [ literal ("," literal)* [","] ] "]"
 *
 * Text longer than MAX_EXPRESSION_LENGTH or nested deeper than MAX_NESTING
 * (counting "(" and "not") is rejected, so parsing, the tree and evaluating it
 * all stay small.
 */
import {
  COMPARE_OPERATORS,
  type CompareOperator,
  type Expression,
  KEYWORDS,
  type LiteralValue,
} from "./ast.js";
import { describeSpot, ExpressionError, quote } from "./expression-error.js";
import { Lexer, type Token } from "./lexer.js";

export const MAX_EXPRESSION_LENGTH = 1_000;
export const MAX_NESTING = 32;

const A_LITERAL = "a literal (number, string, true, false or null)";

/**
 * Parses the text of a rule's `when`.
 * @throws ExpressionError with the position, what was expected and a caret snippet.
 */
export function parseExpression(text: string): Expression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      text,
      MAX_EXPRESSION_LENGTH,
      "expression too long",
      `at most ${MAX_EXPRESSION_LENGTH.toLocaleString("en-US")} characters (it has ${text.length.toLocaleString("en-US")})`,
    );
  }
  return new Parser(text).parse();
}

class Parser {
  private readonly lexer: Lexer;
  private token: Token;
  /** Offsets of the "(" still open, innermost last. */
  private readonly openParens: number[] = [];
  private depth = 0;
  /** Whether the last operand parsed could still take a comparison operator. */
  private operandOpen = false;

  constructor(private readonly text: string) {
    this.lexer = new Lexer(text);
    this.token = this.lexer.next();
  }

  parse(): Expression {
    const expression = this.or();
    if (this.token.kind !== "end") this.fail(this.expectedAfterOperand());
    return expression;
  }

  private or(): Expression {
    const operands = [this.and()];
    while (this.isKeyword("or")) {
      this.advance();
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { kind: "or", operands };
  }

  private and(): Expression {
    const operands = [this.comparison()];
    while (this.isKeyword("and")) {
      this.advance();
      operands.push(this.comparison());
    }
    return operands.length === 1 ? operands[0]! : { kind: "and", operands };
  }

  private comparison(): Expression {
    const startsWithNot = this.isKeyword("not");
    const left = this.unary();
    const operator = this.compareOperator();
    const negatedIn = operator === undefined && this.isKeyword("not");
    if (operator === undefined && !negatedIn && !this.isKeyword("in")) {
      this.operandOpen = !startsWithNot;
      return left;
    }
    // "not" binds tighter than a comparison, so `not a == b` would mean `(not a) == b`:
    // rather than let that surprise anyone, ask for parentheses.
    if (startsWithNot) {
      this.fail(
        `${this.expectedAfterOperand(false)} ("not" applies to the value next to it: to negate a comparison, write not (… ${negatedIn ? "not in" : this.token.text} …))`,
      );
    }
    this.advance();
    let node: Expression;
    if (operator !== undefined) {
      node = { kind: "compare", operator, left, right: this.operand() };
    } else {
      if (negatedIn) {
        if (!this.isKeyword("in")) this.fail('"in" (as in: x not in [1, 2])');
        this.advance();
      }
      node = { kind: "in", negated: negatedIn, value: left, list: this.list() };
    }
    // A comparison takes no second operator: `a < b < c` is an error, not a chain.
    this.operandOpen = false;
    return node;
  }

  private unary(): Expression {
    if (!this.isKeyword("not")) return this.operand();
    this.enter();
    this.advance();
    const operand = this.unary();
    this.depth -= 1;
    return { kind: "not", operand };
  }

  private operand(): Expression {
    const token = this.token;
    const literal = this.literal();
    if (literal !== undefined) return { kind: "literal", value: literal };
    if (token.kind === "word" && !KEYWORDS.has(token.text.toLowerCase())) {
      this.advance();
      return { kind: "field", path: this.fieldPath(token) };
    }
    if (token.kind === "symbol" && token.text === "(") {
      this.enter();
      this.openParens.push(token.position);
      this.advance();
      const inner = this.or();
      if (!this.isSymbol(")")) this.fail(this.expectedAfterOperand());
      this.openParens.pop();
      this.depth -= 1;
      this.advance();
      return inner;
    }
    return this.fail(
      token.kind === "invalid" && token.text === "!"
        ? 'a value (write "not" instead of "!")'
        : "a value",
    );
  }

  /** The names of a field token; in a dotted path each must be a name, not a keyword. */
  private fieldPath(token: Token): string[] {
    const path = token.text.split(".");
    let offset = token.position;
    for (const name of path) {
      if (KEYWORDS.has(name.toLowerCase())) {
        throw new ExpressionError(
          this.text,
          offset,
          `unexpected ${quote(name)} in the path ${quote(token.text)}`,
          "a field name (keywords cannot be part of a path)",
        );
      }
      offset += name.length + 1;
    }
    return path;
  }

  /** Consumes and returns a literal's value, or returns undefined when the token is none. */
  private literal(): LiteralValue | undefined {
    const token = this.token;
    let value: LiteralValue | undefined;
    if (token.kind === "number" || token.kind === "string") value = token.value;
    else if (token.kind === "word") {
      const word = token.text.toLowerCase();
      if (word === "true") value = true;
      else if (word === "false") value = false;
      else if (word === "null") value = null;
    }
    if (value !== undefined) this.advance();
    return value;
  }

  private list(): LiteralValue[] {
    if (!this.isSymbol("["))
      this.fail(this.isSymbol("(") ? '"[" (lists use square brackets)' : '"["');
    this.advance();
    const items: LiteralValue[] = [];
    while (!this.isSymbol("]")) {
      const item = this.literal();
      if (item === undefined) this.fail(`${A_LITERAL} or "]"`);
      items.push(item);
      if (this.isSymbol(",")) this.advance();
      else if (!this.isSymbol("]")) this.fail('"," or "]"');
    }
    this.advance();
    return items;
  }

  private compareOperator(): CompareOperator | undefined {
    const { kind, text } = this.token;
    if (kind !== "symbol" && kind !== "word") return undefined;
    const candidate = (kind === "word" ? text.toLowerCase() : text) as CompareOperator;
    return COMPARE_OPERATORS.includes(candidate) ? candidate : undefined;
  }

  /** What may follow a complete operand here, for "expected …" in messages. */
  private expectedAfterOperand(operandOpen = this.operandOpen): string {
    const open = this.openParens.at(-1);
    const choices = [
      ...(operandOpen ? ["an operator"] : []),
      '"and"',
      '"or"',
      open === undefined ? "the end" : '")"',
    ];
    let expected = `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`;
    if (open !== undefined && this.token.kind === "end") {
      expected += ` to close the "(" at ${describeSpot(this.text, open)}`;
    }
    const suggestion = this.token.kind === "invalid" && MISTAKE_SUGGESTIONS.get(this.token.text);
    if (suggestion) expected += ` (${suggestion})`;
    return expected;
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING) {
      throw new ExpressionError(
        this.text,
        this.token.position,
        "too deeply nested",
        `at most ${MAX_NESTING} levels of "(" and "not"`,
      );
    }
  }

  private advance(): void {
    this.token = this.lexer.next();
  }

  private isKeyword(word: string): boolean {
    return this.token.kind === "word" && this.token.text.toLowerCase() === word;
  }

  private isSymbol(symbol: string): boolean {
    return this.token.kind === "symbol" && this.token.text === symbol;
  }

  private fail(expected: string): never {
    const { kind, text, position } = this.token;
    const found = kind === "end" ? "unexpected end of expression" : `unexpected ${quote(text)}`;
    throw new ExpressionError(this.text, position, found, expected);
  }
}

const MISTAKE_SUGGESTIONS = new Map([
  ["=", 'write "==" to compare'],
  ["&&", 'write "and"'],
  ["&", 'write "and"'],
  ["||", 'write "or"'],
  ["|", 'write "or"'],
]);
