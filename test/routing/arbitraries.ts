/** fast-check generators for routing expressions: syntax trees, token soup, and rows. */
import fc from "fast-check";
import type { CompareOperator, Expression, LiteralValue } from "../../src/routing/ast.js";
import { formatExpression } from "../../src/routing/format-expression.js";

/** Field names the trees read and the rows hold, including ones Object.prototype has. */
export const FIELD_NAMES = [
  "a",
  "b",
  "icp_score",
  "Work_Email",
  "_x9",
  "constructor",
  "__proto__",
  "toString",
];

const OPERATORS: CompareOperator[] = [
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "ieq",
  "contains",
  "starts_with",
  "ends_with",
];

const numberLiteral = fc
  .oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((value) => (value === 0 ? 0 : value));

export const literalValue: fc.Arbitrary<LiteralValue> = fc.oneof(
  numberLiteral,
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom("120", " 2.5 ", "CEO", "ceo", "", "x@acme.com"),
  fc.boolean(),
  fc.constant(null),
);

const fieldName = fc.oneof(
  fc.constantFrom(...FIELD_NAMES),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((name) => !isKeyword(name)),
);

function isKeyword(name: string): boolean {
  return [
    "and",
    "or",
    "not",
    "in",
    "true",
    "false",
    "null",
    "ieq",
    "contains",
    "starts_with",
    "ends_with",
  ].includes(name.toLowerCase());
}

/** Trees in the shape the parser builds: and/or with two or more operands, no -0. */
export const expression: fc.Arbitrary<Expression> = fc.letrec<{ node: Expression }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthSize: "small", withCrossShrink: true },
    fc.oneof(
      literalValue.map((value): Expression => ({ kind: "literal", value })),
      fc
        .array(fieldName, { minLength: 1, maxLength: 3 })
        .map((path): Expression => ({ kind: "field", path })),
    ),
    tie("node").map((operand): Expression => ({ kind: "not", operand })),
    fc
      .array(tie("node"), { minLength: 2, maxLength: 3 })
      .map((operands): Expression => ({ kind: "and", operands })),
    fc
      .array(tie("node"), { minLength: 2, maxLength: 3 })
      .map((operands): Expression => ({ kind: "or", operands })),
    fc
      .record({ operator: fc.constantFrom(...OPERATORS), left: tie("node"), right: tie("node") })
      .map((node): Expression => ({ kind: "compare", ...node })),
    fc
      .record({
        negated: fc.boolean(),
        value: tie("node"),
        list: fc.array(literalValue, { maxLength: 4 }),
      })
      .map((node): Expression => ({ kind: "in", ...node })),
  ),
})).node;

const TOKENS = [
  "a",
  "b1",
  "_x",
  "icp_score",
  "changed.title",
  "a.b.c",
  ".",
  "..",
  " ",
  " ",
  " ",
  "\n",
  "\t",
  "and",
  "or",
  "not",
  "in",
  "AND",
  "Not",
  "ieq",
  "contains",
  "starts_with",
  "ends_with",
  "true",
  "false",
  "null",
  "(",
  "(",
  ")",
  ")",
  "[",
  "]",
  ",",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "=",
  "!",
  "&&",
  "||",
  "-",
  ".",
  "@",
  "😀",
  "\u0000",
  "1",
  "-2.5",
  "1e3",
  "1.",
  "1e",
  "1e999",
  '"x"',
  "'y'",
  '"',
  "'",
  "\\",
  '"\\u00e9"',
  '"\\q"',
];

/** Strings made of the language's pieces, mostly near-miss expressions. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 120 })
  .map((tokens) => tokens.join(""));

/** A printed tree with a few characters cut at one spot and a piece of the language put in. */
export const nearMiss: fc.Arbitrary<string> = fc
  .tuple(expression, fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...TOKENS))
  .map(([tree, at, cut, token]) => {
    const text = formatExpression(tree);
    const spot = at % (text.length + 1);
    return text.slice(0, spot) + token + text.slice(spot + cut);
  });

/** Any JSON value, plus numeric strings and the odd values a row may hold. */
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    "120",
    "-3.5",
    " 7 ",
    "1e400",
    "0x10",
    "",
    "CEO",
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ),
);

/** A field value, or an object of them keyed by the names the trees read, for paths to follow. */
const nestedValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: "small" },
    fieldValue,
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** A row: an object of JSON values keyed by the names the trees read, some nested, some with dots. */
export const row: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof(fc.constantFrom(...FIELD_NAMES, "a.b", "changed.title"), fc.string({ maxLength: 4 })),
  nestedValue,
  { maxKeys: 8 },
);
