import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import {
  ExpressionError,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING,
  parseExpression,
} from "../../src/routing/index.js";

function parseError(text: string): ExpressionError {
  try {
    parseExpression(text);
  } catch (thrown) {
    if (thrown instanceof ExpressionError) return thrown;
    throw thrown;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

const AFTER_VALUE = 'an operator, "and", "or" or the end';
const AFTER_COMPARISON = '"and", "or" or the end';
const NAME_AFTER_DOT = 'a name after "." (a path is names joined by dots: a.b.c)';
const LITERAL = 'a literal (number, string, true, false or null) or "]"';

describe("parseExpression: every error says what, where and what was expected", () => {
  it.each<[text: string, message: string, position: number]>([
    ["", "unexpected end of expression at column 1: expected a value", 0],
    ["   ", "unexpected end of expression at column 4: expected a value", 3],
    ["a >= 80 and = 3", 'unexpected "=" at column 13: expected a value', 12],
    ["x = 5", `unexpected "=" at column 3: expected ${AFTER_VALUE} (write "==" to compare)`, 2],
    ["a && b", `unexpected "&&" at column 3: expected ${AFTER_VALUE} (write "and")`, 2],
    ["a || b", `unexpected "||" at column 3: expected ${AFTER_VALUE} (write "or")`, 2],
    ["a & b", `unexpected "&" at column 3: expected ${AFTER_VALUE} (write "and")`, 2],
    ["!a", 'unexpected "!" at column 1: expected a value (write "not" instead of "!")', 0],
    ["a @ b", `unexpected "@" at column 3: expected ${AFTER_VALUE}`, 2],
    ["a b", `unexpected "b" at column 3: expected ${AFTER_VALUE}`, 2],
    ["a == ", "unexpected end of expression at column 6: expected a value", 5],
    ["a == and", 'unexpected "and" at column 6: expected a value', 5],
    ["a == not b", 'unexpected "not" at column 6: expected a value', 5],
    ["and a", 'unexpected "and" at column 1: expected a value', 0],
    ["a and", "unexpected end of expression at column 6: expected a value", 5],
    ["a or or b", 'unexpected "or" at column 6: expected a value', 5],
    ["a < b < c", `unexpected "<" at column 7: expected ${AFTER_COMPARISON}`, 6],
    ["a in [1] == 1", `unexpected "==" at column 10: expected ${AFTER_COMPARISON}`, 9],
    ["a == 1)", `unexpected ")" at column 7: expected ${AFTER_COMPARISON}`, 6],
    ["a)", `unexpected ")" at column 2: expected ${AFTER_VALUE}`, 1],
    ["()", 'unexpected ")" at column 2: expected a value', 1],
    [
      "(a or b",
      'unexpected end of expression at column 8: expected an operator, "and", "or" or ")" to close the "(" at column 1',
      7,
    ],
    ["(a == 1 x", 'unexpected "x" at column 9: expected "and", "or" or ")"', 8],
    [
      "not a == b",
      `unexpected "==" at column 7: expected ${AFTER_COMPARISON} ("not" applies to the value next to it: to negate a comparison, write not (… == …))`,
      6,
    ],
    [
      "(not a in [1])",
      'unexpected "in" at column 8: expected "and", "or" or ")" ("not" applies to the value next to it: to negate a comparison, write not (… in …))',
      7,
    ],
    [
      "not a not in [1]",
      `unexpected "not" at column 7: expected ${AFTER_COMPARISON} ("not" applies to the value next to it: to negate a comparison, write not (… not in …))`,
      6,
    ],
    ["x not y", 'unexpected "y" at column 7: expected "in" (as in: x not in [1, 2])', 6],
    [
      "x not",
      'unexpected end of expression at column 6: expected "in" (as in: x not in [1, 2])',
      5,
    ],
    ["x in (1, 2)", 'unexpected "(" at column 6: expected "[" (lists use square brackets)', 5],
    ["x in y", 'unexpected "y" at column 6: expected "["', 5],
    ["x in [1, y]", `unexpected "y" at column 10: expected ${LITERAL}`, 9],
    ["x in [1 2]", 'unexpected "2" at column 9: expected "," or "]"', 8],
    ["x in [1,,]", `unexpected "," at column 9: expected ${LITERAL}`, 8],
    ["x in [1", 'unexpected end of expression at column 8: expected "," or "]"', 7],
    ["x in [[1]]", `unexpected "[" at column 7: expected ${LITERAL}`, 6],
    [
      'a == "abc',
      'unterminated string at column 6: expected the closing quote (") before the end',
      5,
    ],
    [
      "a == 'abc",
      "unterminated string at column 6: expected the closing quote (') before the end",
      5,
    ],
    [
      'a == "a\\qb"',
      'unknown escape "\\\\q" at column 8: expected one of \\\\ \\" \\\' \\n \\r \\t \\uXXXX',
      7,
    ],
    ['a == "\\u12"', 'bad escape "\\\\u12\\"" at column 7: expected \\u and 4 hex digits', 6],
    ["a == 1.", 'malformed number "1." at column 6: expected a digit after "."', 5],
    ["a == 1e", 'malformed number "1e" at column 6: expected a digit in the exponent', 5],
    ["a == -2e+", 'malformed number "-2e+" at column 6: expected a digit in the exponent', 5],
    ["a == 1e999", 'number "1e999" out of range at column 6: expected a finite number', 5],
    ["a == - 3", 'unexpected "-" at column 6: expected a value', 5],
    ["a == .5", 'unexpected "." at column 6: expected a value', 5],
    [".a", 'unexpected "." at column 1: expected a value', 0],
    ["changed.", `unexpected end of expression at column 9: expected ${NAME_AFTER_DOT}`, 8],
    ["a..b == 1", `unexpected "." at column 3: expected ${NAME_AFTER_DOT}`, 2],
    ["a.b. == 1", `unexpected " " at column 5: expected ${NAME_AFTER_DOT}`, 4],
    ["a. b", `unexpected " " at column 3: expected ${NAME_AFTER_DOT}`, 2],
    ["a.1", `unexpected "1" at column 3: expected ${NAME_AFTER_DOT}`, 2],
    ["a.b.😀", `unexpected "😀" at column 5: expected ${NAME_AFTER_DOT}`, 4],
    ["a .b", `unexpected "." at column 3: expected ${AFTER_VALUE}`, 2],
    [
      "changed.in",
      'unexpected "in" in the path "changed.in" at column 9: expected a field name (keywords cannot be part of a path)',
      8,
    ],
    [
      "x == NOT.a.b",
      'unexpected "NOT" in the path "NOT.a.b" at column 6: expected a field name (keywords cannot be part of a path)',
      5,
    ],
    ["5-3", `unexpected "-3" at column 2: expected ${AFTER_VALUE}`, 1],
    ["a == 😀", 'unexpected "😀" at column 6: expected a value', 5],
    [
      "a 'this is a rather long string literal'",
      `unexpected "'this is a rather long string…" at column 3: expected ${AFTER_VALUE}`,
      2,
    ],
  ])("%j", (text, message, position) => {
    const error = parseError(text);
    expect({ message: error.message, position: error.position }).toEqual({ message, position });
  });
});

describe("parseExpression: where the error is", () => {
  it("is a config_invalid ClaypipeError with a hint to docs/routing.md", () => {
    const error = parseError("a >= 80 and = 3");
    expect(error).toBeInstanceOf(ClaypipeError);
    expect(error.code).toBe("config_invalid");
    expect(error.name).toBe("ExpressionError");
    expect(error.hint).toContain("docs/routing.md");
  });

  it("draws a caret under the column", () => {
    expect(parseError("icp_score >= 80 and = 3").pointer).toBe(
      "icp_score >= 80 and = 3\n                    ^",
    );
    expect(parseError("(a or b").pointer).toBe("(a or b\n       ^");
  });

  it("keeps tabs in the caret line so it lines up", () => {
    expect(parseError("a\t==\t=").pointer).toBe("a\t==\t=\n \t  \t^");
  });

  it("names the line and the column in multi-line text, and shows only that line", () => {
    const error = parseError("icp_score >= 80\r\n  and = 3");
    expect(error.message).toBe('unexpected "=" at line 2, column 7: expected a value');
    expect({ position: error.position, line: error.line, column: error.column }).toEqual({
      position: 23,
      line: 2,
      column: 7,
    });
    expect(error.pointer).toBe("  and = 3\n      ^");
  });

  it("shows a window of a long line around the spot", () => {
    const text = `${"a and ".repeat(50)}= ${"and b ".repeat(50)}`;
    const error = parseError(text);
    expect(error.position).toBe(300);
    const [shown, caret] = error.pointer.split("\n") as [string, string];
    expect(shown.startsWith("…") && shown.endsWith("…")).toBe(true);
    expect(shown.length).toBe(82);
    expect(shown[caret.indexOf("^")]).toBe("=");
  });

  it("replaces control characters in the snippet so the caret stays aligned", () => {
    const error = parseError('"\u0007" a');
    expect(error.pointer).toBe('" " a\n    ^');
    expect(parseError("a\u0007").pointer).toBe("a \n ^");
  });
});

describe("parseExpression: limits", () => {
  it(`rejects text longer than ${MAX_EXPRESSION_LENGTH} characters, at the first character past the limit`, () => {
    const longest = `a == "${"x".repeat(MAX_EXPRESSION_LENGTH - 7)}"`;
    expect(longest).toHaveLength(MAX_EXPRESSION_LENGTH);
    expect(() => parseExpression(longest)).not.toThrow();
    const error = parseError(`${longest} `);
    expect(error.message).toBe(
      "expression too long at column 1001: expected at most 1,000 characters (it has 1,001)",
    );
    expect(error.position).toBe(1000);
  });

  it(`allows ${MAX_NESTING} levels of parentheses and "not", not one more`, () => {
    const nested = (levels: number) => `${"(".repeat(levels)}a${")".repeat(levels)}`;
    expect(() => parseExpression(nested(MAX_NESTING))).not.toThrow();
    const error = parseError(nested(MAX_NESTING + 1));
    expect(error.message).toBe(
      'too deeply nested at column 33: expected at most 32 levels of "(" and "not"',
    );
    expect(error.position).toBe(MAX_NESTING);

    expect(() => parseExpression(`${"not ".repeat(MAX_NESTING)}a`)).not.toThrow();
    expect(parseError(`${"not ".repeat(16)}${"(".repeat(17)}a${")".repeat(17)}`).position).toBe(
      16 * 4 + 16,
    );
  });

  it("does not count a long flat chain as nesting", () => {
    expect(() =>
      parseExpression(Array.from({ length: 100 }, (_, i) => `f${i}`).join(" or ")),
    ).not.toThrow();
  });
});
