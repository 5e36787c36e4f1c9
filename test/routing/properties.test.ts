import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Expression,
  ExpressionError,
  evaluate,
  formatExpression,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
} from "../../src/routing/index.js";
import { expression, nearMiss, row, tokenSoup } from "./arbitraries.js";

/** Parses, or returns the ExpressionError; any other error fails the property. */
function tryParse(text: string): Expression | ExpressionError {
  try {
    return parseExpression(text);
  } catch (thrown) {
    if (thrown instanceof ExpressionError) return thrown;
    throw thrown;
  }
}

describe("parseExpression on any text", () => {
  it("returns a tree or throws an ExpressionError pointing inside the text", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: MAX_EXPRESSION_LENGTH + 10 }),
      fc.string({ unit: "binary-ascii", maxLength: 200 }),
      tokenSoup,
      nearMiss,
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = tryParse(input);
        if (result instanceof ExpressionError) {
          expect(result.position).toBeGreaterThanOrEqual(0);
          expect(result.position).toBeLessThanOrEqual(input.length);
          expect(result.pointer).toContain("^");
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("answers inputs of up to 10,000 characters, adversarial ones included", () => {
    const worst = [
      "(".repeat(10_000),
      "not ".repeat(2_500),
      `"${"\\".repeat(9_998)}`,
      "a or ".repeat(2_000),
      `x in [${"1,".repeat(4_990)}`,
      "(".repeat(MAX_EXPRESSION_LENGTH),
      "not ".repeat(MAX_EXPRESSION_LENGTH / 4),
      `x in [${"1,".repeat(490)}1]`,
      "a or ".repeat(199).concat("a"),
      "9".repeat(MAX_EXPRESSION_LENGTH),
    ];
    for (const input of worst) tryParse(input);
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1_000, maxLength: 10_000 }), (input) => {
        tryParse(input);
      }),
      { numRuns: 200 },
    );
  });
});

describe("evaluate on any JSON row", () => {
  it("returns a boolean and never throws", () => {
    fc.assert(
      fc.property(expression, row, (tree, fields) => {
        expect(typeof evaluate(tree, fields)).toBe("boolean");
      }),
      { numRuns: 3000 },
    );
  });

  it("gives `x != y` as the opposite of `x == y` and `not in` as the opposite of `in`", () => {
    fc.assert(
      fc.property(row, (fields) => {
        for (const [equal, unequal] of [
          ["a == b", "a != b"],
          ["icp_score == 120", "icp_score != 120"],
          ['a in [1, "120", null, true]', 'a not in [1, "120", null, true]'],
        ] as const) {
          expect(evaluate(parseExpression(unequal), fields)).toBe(
            !evaluate(parseExpression(equal), fields),
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("formatExpression", () => {
  it("prints any tree as text that parses back to the same tree", () => {
    const printable = expression.filter(
      (tree) => formatExpression(tree).length <= MAX_EXPRESSION_LENGTH,
    );
    fc.assert(
      fc.property(printable, (tree) => {
        expect(parseExpression(formatExpression(tree))).toEqual(tree);
      }),
      { numRuns: 3000 },
    );
  });

  it("prints whatever parses in one canonical form that parses to the same tree", () => {
    fc.assert(
      fc.property(fc.oneof(tokenSoup, nearMiss), (input) => {
        const parsed = tryParse(input);
        if (parsed instanceof ExpressionError) return;
        const printed = formatExpression(parsed);
        expect(parseExpression(printed)).toEqual(parsed);
        expect(formatExpression(parseExpression(printed))).toBe(printed);
      }),
      { numRuns: 3000 },
    );
  });
});
