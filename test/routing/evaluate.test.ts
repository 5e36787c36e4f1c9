import { describe, expect, it } from "vitest";
import { evaluate, MAX_EXPRESSION_LENGTH, parseExpression } from "../../src/routing/index.js";

type Case = [expression: string, row: Record<string, unknown>, expected: boolean];

function check(cases: Case[]) {
  it.each(cases)("%s over %j → %s", (expression, row, expected) => {
    expect(evaluate(parseExpression(expression), row)).toBe(expected);
  });
}

describe("evaluate: truthiness of a bare value", () => {
  check([
    ["work_email", { work_email: "ada@acme.com" }, true],
    ["work_email", {}, false],
    ["work_email", { work_email: null }, false],
    ["work_email", { work_email: "" }, false],
    ["work_email", { work_email: " " }, true],
    ["n", { n: 0 }, false],
    ["n", { n: -1 }, true],
    ["n", { n: Number.NaN }, false],
    ["n", { n: "0" }, true],
    ["flag", { flag: false }, false],
    ["flag", { flag: "false" }, true],
    ["tags", { tags: [] }, true],
    ["company", { company: {} }, true],
    ["0", {}, false],
    ["1", {}, true],
    ['""', {}, false],
    ['"x"', {}, true],
    ["null", {}, false],
    ["true", {}, true],
  ]);
});

describe("evaluate: equality and type coercion", () => {
  check([
    ["size == 120", { size: 120 }, true],
    ["size == 120", { size: "120" }, true],
    ["size == 120", { size: " 120.0 " }, true],
    ["size == 120", { size: "1.2e2" }, true],
    ['size == "120"', { size: 120 }, true],
    ['size == "120"', { size: "120.0" }, false],
    ["size == 120", { size: "120 people" }, false],
    ["size == 16", { size: "0x10" }, false],
    ['title == "CEO"', { title: "CEO" }, true],
    ['title == "CEO"', { title: "ceo" }, false],
    ['title ieq "CEO"', { title: "ceo" }, true],
    ['title ieq "CEO"', { title: "Chief" }, false],
    ["size ieq 120", { size: "120" }, true],
    ["flag == true", { flag: true }, true],
    ['flag == "true"', { flag: true }, false],
    ["flag == 1", { flag: true }, false],
    ["a == b", { a: "x", b: "x" }, true],
    ["a == b", { a: 2, b: "2" }, true],
    ["a == b", { a: [1], b: [1] }, false],
    ["a != b", { a: [1], b: [1] }, true],
    ['title != "CEO"', { title: "CTO" }, true],
    ['title != "CEO"', {}, true],
  ]);
});

describe("evaluate: null and missing fields", () => {
  check([
    ["missing == null", {}, true],
    ["present == null", { present: null }, true],
    ["present == null", { present: 0 }, false],
    ["present != null", { present: "" }, true],
    ["missing == 0", {}, false],
    ['missing == ""', {}, false],
    ["missing < 5", {}, false],
    ["missing >= 5", {}, false],
    ["null <= null", {}, false],
    ["missing in [null]", {}, true],
    ["missing not in [1, 2]", {}, true],
    ['missing contains ""', {}, false],
    ["constructor == null", {}, true],
    ["toString", {}, false],
    ["__proto__ == null", {}, true],
  ]);
});

describe("evaluate: dotted paths read through nested objects", () => {
  const changed = { changed: { title: "CTO", company_domain: "beta.io", size: 0 } };
  check([
    ["changed.company_domain", changed, true],
    ['changed.title == "CTO"', changed, true],
    ['changed.company_domain ends_with ".io"', changed, true],
    ["changed.size", changed, false],
    ["changed.missing == null", changed, true],
    ["changed.title.first == null", changed, true],
    ["changed", { changed: {} }, true],
    ["changed.title", { changed: null }, false],
    ["changed.title", { changed: "title" }, false],
    ["changed.length", { changed: "title" }, false],
    ["changed.length", { changed: [1, 2] }, false],
    ["a.b.c == 1", { a: { b: { c: "1" } } }, true],
    ["a.b == b.a", { a: { b: 2 }, b: { a: 2 } }, true],
    ["a.b in [1, 2]", { a: { b: 2 } }, true],
  ]);

  it("never reads a flat key that contains a dot", () => {
    expect(evaluate(parseExpression("changed.title"), { "changed.title": "CTO" })).toBe(false);
    expect(
      evaluate(parseExpression("changed.title == null"), {
        "changed.title": "CTO",
        changed: {},
      }),
    ).toBe(true);
  });

  it("reads only own properties: prototype keys on the way or at the end are null", () => {
    for (const text of [
      "a.constructor",
      "a.toString",
      "a.__proto__",
      "a.__proto__.toString",
      "a.constructor.name",
      "a.hasOwnProperty",
      "constructor.name",
      "toString.length",
      "__proto__.constructor",
    ]) {
      expect(evaluate(parseExpression(text), { a: {} }), text).toBe(false);
      expect(evaluate(parseExpression(`${text} == null`), { a: { b: 1 } }), text).toBe(true);
    }
    const own = JSON.parse('{"a": {"__proto__": {"x": 1}, "constructor": "c"}}');
    expect(evaluate(parseExpression("a.__proto__.x == 1"), own)).toBe(true);
    expect(evaluate(parseExpression('a.constructor == "c"'), own)).toBe(true);
  });

  it("reads through objects without a prototype, not through class instances", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { title: "CTO" });
    expect(evaluate(parseExpression('changed.title == "CTO"'), { changed: bare })).toBe(true);
    expect(evaluate(parseExpression("when.size"), { when: new Map([["size", 1]]) })).toBe(false);
    class Change {
      title = "CTO";
    }
    expect(evaluate(parseExpression("changed.title"), { changed: new Change() })).toBe(false);
  });

  it("follows a path as deep as the expression can be long", () => {
    const depth = 400;
    let nested: unknown = "deep";
    for (let level = 0; level < depth; level += 1) nested = { a: nested };
    const path = Array.from({ length: depth }, () => "a").join(".");
    expect(path.length).toBeLessThan(MAX_EXPRESSION_LENGTH);
    expect(evaluate(parseExpression(`${path} == "deep"`), nested as Record<string, unknown>)).toBe(
      true,
    );
    expect(evaluate(parseExpression(`${path}.a`), nested as Record<string, unknown>)).toBe(false);
  });
});

describe("evaluate: ordering", () => {
  check([
    ["icp_score >= 80", { icp_score: 80 }, true],
    ["icp_score >= 80", { icp_score: 79.5 }, false],
    ["icp_score > 80", { icp_score: "120" }, true],
    ['icp_score > "80"', { icp_score: "120" }, true],
    ["icp_score < 80", { icp_score: "abc" }, false],
    ["icp_score >= 80", { icp_score: "abc" }, false],
    ["icp_score <= -3", { icp_score: -3 }, true],
    ['name < "b"', { name: "a" }, true],
    ['name < "b"', { name: "B" }, true],
    ['name >= "b"', { name: "bob" }, true],
    ["flag > 0", { flag: true }, false],
    ["flag < 1", { flag: true }, false],
    ["size > 10", { size: [20] }, false],
    ["size > 10", { size: { n: 20 } }, false],
    ["n < 1", { n: Number.NaN }, false],
    ["n >= 1", { n: Number.NaN }, false],
  ]);
});

describe("evaluate: text operators ignore case", () => {
  check([
    ['title contains "vp"', { title: "VP of Sales" }, true],
    ['title contains "cto"', { title: "VP of Sales" }, false],
    ['title starts_with "vp"', { title: "VP of Sales" }, true],
    ['title ends_with "SALES"', { title: "VP of Sales" }, true],
    ['domain ends_with ".io"', { domain: "beta.io" }, true],
    ["phone contains 555", { phone: "+1 555 0100" }, true],
    ['zip starts_with "94"', { zip: 94107 }, true],
    ['title contains ""', { title: "any" }, true],
    ['tags contains "saas"', { tags: ["saas"] }, false],
    ['flag contains "t"', { flag: true }, false],
  ]);
});

describe("evaluate: in and not in", () => {
  check([
    ['country in ["US", "CA"]', { country: "US" }, true],
    ['country in ["US", "CA"]', { country: "us" }, false],
    ['country not in ["US", "CA"]', { country: "FR" }, true],
    ["size in [10, 50]", { size: "50" }, true],
    ["size in []", { size: 1 }, false],
    ["size not in []", { size: 1 }, true],
    ["tags in [1]", { tags: [1] }, false],
  ]);
});

describe("evaluate: logic and precedence", () => {
  check([
    ["a or b and c", { a: true, b: false, c: false }, true],
    ["(a or b) and c", { a: true, b: false, c: false }, false],
    ["a and b or c", { a: false, b: true, c: true }, true],
    ["a and (b or c)", { a: false, b: true, c: true }, false],
    ["not a and b", { a: false, b: true }, true],
    ["not (a and b)", { a: true, b: false }, true],
    ["not not a", { a: "x" }, true],
    ["(not a) == b", { a: 1, b: false }, true],
    ["not (a == 1)", { a: 2 }, true],
    ["x > 1 and x < 10 or y", { x: 5 }, true],
    ["x > 1 and x < 10 or y", { x: 50 }, false],
    ["x > 1 and x < 10 or y", { x: 50, y: 1 }, true],
    ["TRUE AND NOT False", {}, true],
    ["(a and b) == true", { a: 1, b: 1 }, true],
    ["a == (b or c)", { a: true, c: 1 }, true],
  ]);
});

describe("evaluate: short-circuit", () => {
  /** A row that records the fields the evaluator looked up, in order. */
  function recordingRow(fields: Record<string, unknown>): {
    row: Record<string, unknown>;
    read: Set<string>;
  } {
    const read = new Set<string>();
    const row = new Proxy(fields, {
      get(target, key, receiver) {
        read.add(String(key));
        return Reflect.get(target, key, receiver);
      },
      getOwnPropertyDescriptor(target, key) {
        read.add(String(key));
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
    return { row, read };
  }

  it("stops `and` at the first false operand", () => {
    const { row, read } = recordingRow({ a: 0, b: 1, c: 1 });
    expect(evaluate(parseExpression("a and b and c"), row)).toBe(false);
    expect([...read]).toEqual(["a"]);
  });

  it("stops `or` at the first true operand", () => {
    const { row, read } = recordingRow({ a: 0, b: 1, c: 1 });
    expect(evaluate(parseExpression("a or b or c"), row)).toBe(true);
    expect([...read]).toEqual(["a", "b"]);
  });

  it("reads every operand when nothing decides early", () => {
    const { row, read } = recordingRow({ a: 1, b: 1, c: 0 });
    expect(evaluate(parseExpression("a and (b and c) or d"), row)).toBe(false);
    expect([...read]).toEqual(["a", "b", "c", "d"]);
  });
});
