/** The row-size bound intake checks before measuring a lead exactly. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flatJsonBytesAtMost, jsonBytes } from "../../src/core/row-size.js";

describe("flatJsonBytesAtMost", () => {
  it("is never below the exact size of a flat record, whatever its characters and numbers", () => {
    const value = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string({ unit: fc.constantFrom("\u0000", "\u001f", '"', "\\", "é", "😀") }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "binary" }), value), (row) => {
        expect(flatJsonBytesAtMost(row)).toBeGreaterThanOrEqual(jsonBytes(row));
      }),
    );
  });
});
