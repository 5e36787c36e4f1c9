/**
 * Splits a routing expression into tokens, one at a time as the parser asks,
 * so errors come out in the order they appear in the text. Every step moves
 * forward by at least one character, so lexing ends in time linear in the text.
 */
import { ExpressionError, quote } from "./expression-error.js";

/**
 * - number, string: a literal, with its value;
 * - word: a field name or a keyword (the parser tells them apart), or a dotted path
 *   `a.b.c` of names with no space around the dots;
 * - symbol: one of `== != < <= > >= ( ) [ ] ,`;
 * - invalid: text that is no token (`=`, `&&`, `@`, …), left for the parser to report in context;
 * - end: after the last token.
 */
export type Token =
  | { kind: "number"; text: string; position: number; value: number }
  | { kind: "string"; text: string; position: number; value: string }
  | { kind: "word" | "symbol" | "invalid" | "end"; text: string; position: number };

const SYMBOLS = ["==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", ","];
// Read as one piece so the parser can name them and suggest the right word.
const KNOWN_MISTAKES = ["&&", "||", "=", "!", "&", "|"];
const ESCAPES: Record<string, string> = {
  "\\": "\\",
  '"': '"',
  "'": "'",
  n: "\n",
  r: "\r",
  t: "\t",
};

const isDigit = (char: string | undefined) => char !== undefined && char >= "0" && char <= "9";
const isWordStart = (char: string | undefined) =>
  char !== undefined &&
  ((char >= "a" && char <= "z") || (char >= "A" && char <= "Z") || char === "_");
const isWordPart = (char: string | undefined) => isWordStart(char) || isDigit(char);
const isSpace = (char: string | undefined) => char !== undefined && /\s/.test(char);

export class Lexer {
  private offset = 0;

  constructor(private readonly text: string) {}

  next(): Token {
    const { text } = this;
    while (isSpace(text[this.offset])) this.offset += 1;
    const start = this.offset;
    const char = text[start];
    if (char === undefined) return { kind: "end", text: "", position: start };
    if (isDigit(char) || (char === "-" && isDigit(text[start + 1]))) return this.number(start);
    if (char === '"' || char === "'") return this.string(start, char);
    if (isWordStart(char)) return this.word(start);
    for (const symbol of SYMBOLS) {
      if (text.startsWith(symbol, start)) return this.take("symbol", start, symbol.length);
    }
    for (const mistake of KNOWN_MISTAKES) {
      if (text.startsWith(mistake, start)) return this.take("invalid", start, mistake.length);
    }
    return this.take("invalid", start, String.fromCodePoint(text.codePointAt(start)!).length);
  }

  private take(kind: "symbol" | "invalid", start: number, length: number): Token {
    this.offset = start + length;
    return { kind, text: this.text.slice(start, this.offset), position: start };
  }

  /** `name("."name)*`: a dot must sit between two names, so `a.`, `a..b` and `a. b` fail at the spot. */
  private word(start: number): Token {
    const { text } = this;
    this.name();
    while (text[this.offset] === ".") {
      this.offset += 1;
      if (!isWordStart(text[this.offset])) {
        const found =
          this.offset === text.length
            ? "unexpected end of expression"
            : `unexpected ${quote(String.fromCodePoint(text.codePointAt(this.offset)!))}`;
        this.fail(this.offset, found, 'a name after "." (a path is names joined by dots: a.b.c)');
      }
      this.name();
    }
    return { kind: "word", text: text.slice(start, this.offset), position: start };
  }

  private name(): void {
    while (isWordPart(this.text[this.offset])) this.offset += 1;
  }

  /** `-?digits(.digits)?([eE][+-]?digits)?` */
  private number(start: number): Token {
    const { text } = this;
    this.offset = text[start] === "-" ? start + 1 : start;
    this.digits();
    if (text[this.offset] === ".") {
      this.offset += 1;
      if (!isDigit(text[this.offset])) this.failNumber(start, 'a digit after "."');
      this.digits();
    }
    if (text[this.offset] === "e" || text[this.offset] === "E") {
      this.offset += 1;
      if (text[this.offset] === "+" || text[this.offset] === "-") this.offset += 1;
      if (!isDigit(text[this.offset])) this.failNumber(start, "a digit in the exponent");
      this.digits();
    }
    const source = text.slice(start, this.offset);
    const value = Number(source);
    if (!Number.isFinite(value))
      this.fail(start, `number ${quote(source)} out of range`, "a finite number");
    // -0 and 0 route the same; one value keeps printed and parsed trees equal.
    return { kind: "number", text: source, position: start, value: value === 0 ? 0 : value };
  }

  private failNumber(start: number, expected: string): never {
    const source = this.text.slice(start, this.offset);
    return this.fail(start, `malformed number ${quote(source)}`, expected);
  }

  private digits(): void {
    while (isDigit(this.text[this.offset])) this.offset += 1;
  }

  private string(start: number, delimiter: string): Token {
    const { text } = this;
    let value = "";
    let i = start + 1;
    for (;;) {
      const char = text[i];
      if (char === undefined) {
        this.fail(start, "unterminated string", `the closing quote (${delimiter}) before the end`);
      }
      if (char === delimiter) break;
      if (char !== "\\") {
        value += char;
        i += 1;
        continue;
      }
      const code = text[i + 1];
      if (code === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.fail(i, `bad escape ${quote(text.slice(i, i + 6))}`, "\\u and 4 hex digits");
        }
        value += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
        continue;
      }
      const escaped = code === undefined ? undefined : ESCAPES[code];
      if (escaped === undefined) {
        this.fail(
          i,
          `unknown escape ${quote(text.slice(i, i + 2))}`,
          "one of \\\\ \\\" \\' \\n \\r \\t \\uXXXX",
        );
      }
      value += escaped;
      i += 2;
    }
    this.offset = i + 1;
    return { kind: "string", text: text.slice(start, this.offset), position: start, value };
  }

  private fail(position: number, found: string, expected: string): never {
    throw new ExpressionError(this.text, position, found, expected);
  }
}
