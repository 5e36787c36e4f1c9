import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { MAX_JSON_DEPTH, parseJsonBody } from "../../src/server/json-body.js";

function failure(text: string): ClaypipeError {
  try {
    parseJsonBody(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ClaypipeError);
    return error as ClaypipeError;
  }
  throw new Error("expected parseJsonBody to throw");
}

describe("parseJsonBody", () => {
  it("parses JSON values of every kind", () => {
    expect(parseJsonBody('{"email":"a@b.co","n":1}')).toEqual({ email: "a@b.co", n: 1 });
    expect(parseJsonBody("[1, [2]]")).toEqual([1, [2]]);
    expect(parseJsonBody(" null ")).toBeNull();
  });

  it("says the body is empty, and where JSON syntax breaks", () => {
    const empty = failure("  ");
    expect(empty.code).toBe("input_unreadable");
    expect(empty.message).toMatch(/empty/);
    const broken = failure('{"email": }');
    expect(broken.code).toBe("input_unreadable");
    expect(broken.message).toMatch(/not valid JSON/);
    expect(broken.hint).toMatch(/syntax/);
  });

  it("accepts nesting up to the limit and refuses one level more, without recursion", () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    expect(() => parseJsonBody(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(failure(nested(MAX_JSON_DEPTH + 1)).message).toMatch(/nested deeper than 64/);
    // Deep enough to overflow the stack of a recursive walk or JSON.stringify.
    expect(failure(nested(200_000)).message).toMatch(/nested deeper/);
    expect(failure(`{"a":${nested(100)}}`).message).toMatch(/nested deeper/);
  });

  it("refuses keys that poison prototypes, at any depth", () => {
    expect(failure('{"__proto__": {"admin": true}}').message).toMatch(/__proto__/);
    expect(failure('[{"x": {"constructor": {"prototype": {}}}}]').message).toMatch(/constructor/);
    expect(parseJsonBody('{"constructor": "Acme"}')).toEqual({ constructor: "Acme" });
  });
});
