import { describe, expect, it } from "vitest";
import { type Expression, formatExpression, parseExpression } from "../../src/routing/index.js";

const field = (name: string): Expression => ({ kind: "field", path: name.split(".") });
const literal = (value: string | number | boolean | null): Expression => ({
  kind: "literal",
  value,
});

describe("parseExpression: literals", () => {
  it.each<[string, string | number | boolean | null]>([
    ["80", 80],
    ["2.5", 2.5],
    ["-3", -3],
    ["-0", 0],
    ["1e3", 1000],
    ["2.5E-1", 0.25],
    ["007", 7],
    ['"hi"', "hi"],
    ["'hi'", "hi"],
    ["'say \"hi\"'", 'say "hi"'],
    ['"it\'s"', "it's"],
    ["'it\\'s'", "it's"],
    ['"a\\\\b\\n\\r\\t\\"\\u00e9"', 'a\\b\n\r\t"é'],
    ['""', ""],
    ["true", true],
    ["False", false],
    ["NULL", null],
  ])("%s", (text, value) => {
    expect(parseExpression(text)).toEqual(literal(value));
  });
});

describe("parseExpression: structure", () => {
  it("reads fields by their exact name, keywords in any case", () => {
    expect(parseExpression("Work_Email2")).toEqual(field("Work_Email2"));
    expect(parseExpression("_x AND NOT y")).toEqual({
      kind: "and",
      operands: [field("_x"), { kind: "not", operand: field("y") }],
    });
  });

  it("reads dotted paths as one field, keywords in any segment only as field names", () => {
    expect(parseExpression("changed.company_domain")).toEqual({
      kind: "field",
      path: ["changed", "company_domain"],
    });
    expect(parseExpression("a.B_2.c3 == x._")).toEqual({
      kind: "compare",
      operator: "==",
      left: field("a.B_2.c3"),
      right: field("x._"),
    });
    expect(parseExpression("not changed.title and (a.b)")).toEqual({
      kind: "and",
      operands: [{ kind: "not", operand: field("changed.title") }, field("a.b")],
    });
    expect(parseExpression("andy.orb in [1]")).toEqual({
      kind: "in",
      negated: false,
      value: field("andy.orb"),
      list: [1],
    });
  });

  it("keeps long and/or chains flat", () => {
    expect(parseExpression("a or b or c")).toEqual({
      kind: "or",
      operands: [field("a"), field("b"), field("c")],
    });
    expect(parseExpression("(a and b) and c")).toEqual({
      kind: "and",
      operands: [{ kind: "and", operands: [field("a"), field("b")] }, field("c")],
    });
  });

  it("binds not tighter than comparison, comparison than and, and than or", () => {
    expect(parseExpression("not a and b == 1 or c in [1, 'x',]")).toEqual({
      kind: "or",
      operands: [
        {
          kind: "and",
          operands: [
            { kind: "not", operand: field("a") },
            { kind: "compare", operator: "==", left: field("b"), right: literal(1) },
          ],
        },
        { kind: "in", negated: false, value: field("c"), list: [1, "x"] },
      ],
    });
  });

  it("reads every comparison operator, word operators in any case", () => {
    for (const operator of ["==", "!=", "<", "<=", ">", ">="]) {
      expect(parseExpression(`a${operator}-1`)).toEqual({
        kind: "compare",
        operator,
        left: field("a"),
        right: literal(-1),
      });
    }
    for (const operator of ["ieq", "contains", "starts_with", "ends_with"]) {
      expect(parseExpression(`a ${operator.toUpperCase()} "x"`)).toEqual({
        kind: "compare",
        operator,
        left: field("a"),
        right: literal("x"),
      });
    }
  });

  it("compares parenthesized expressions, fields and literals on either side", () => {
    expect(parseExpression("(not a) != (b or c)")).toEqual({
      kind: "compare",
      operator: "!=",
      left: { kind: "not", operand: field("a") },
      right: { kind: "or", operands: [field("b"), field("c")] },
    });
    expect(parseExpression("1 < x")).toEqual({
      kind: "compare",
      operator: "<",
      left: literal(1),
      right: field("x"),
    });
  });

  it("reads not in, empty lists and spaces of any kind", () => {
    expect(parseExpression("x\tnot\nin\r\n[ ]")).toEqual({
      kind: "in",
      negated: true,
      value: field("x"),
      list: [],
    });
    expect(parseExpression("\u00a0a\u00a0")).toEqual(field("a"));
  });
});

describe("formatExpression", () => {
  it.each([
    ["icp_score>=80 AND work_email", "icp_score >= 80 and work_email"],
    ["(a)", "a"],
    ["a or (b and c)", "a or b and c"],
    ["(a or b) and c", "(a or b) and c"],
    ["(a or b) or c", "(a or b) or c"],
    ["a and (b and c)", "a and (b and c)"],
    ["not (a == 1)", "not (a == 1)"],
    ["not not (a)", "not not a"],
    ["(not a) == b", "(not a) == b"],
    ["x not in [1,'a',null,true,]", 'x not in [1, "a", null, true]'],
    ["x == 'it\\'s \"q\"\\n'", 'x == "it\'s \\"q\\"\\n"'],
    ['x == "\\u0001\\u007f"', 'x == "\\u0001\\u007f"'],
    ["x == 1e21 or x == 0.0000001", "x == 1e+21 or x == 1e-7"],
    ["changed.title!=null AND (a.b.c)", "changed.title != null and a.b.c"],
  ])("%s → %s", (text, formatted) => {
    expect(formatExpression(parseExpression(text))).toBe(formatted);
    expect(parseExpression(formatted)).toEqual(parseExpression(text));
  });
});
