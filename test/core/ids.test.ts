/** Lead ids: UUIDv7 with the given time in the first 48 bits, unique, sorting by time. */
import { describe, expect, it } from "vitest";
import { newLeadId } from "../../src/core/ids.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newLeadId", () => {
  it("is a UUIDv7 carrying the time in its first 48 bits", () => {
    const now = Date.UTC(2025, 10, 25, 12, 0, 0, 123);
    const id = newLeadId(now);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(now);
    expect(newLeadId(0).startsWith("00000000-0000-7")).toBe(true);
  });

  it("is unique, and ids of later times sort after earlier ones", () => {
    const ids = Array.from({ length: 10_000 }, (_, n) => newLeadId(1_700_000_000_000 + (n >> 4)));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(UUID_V7.test, UUID_V7)).toBe(true);
    for (let n = 16; n < ids.length; n += 16) expect(ids[n - 16]! < ids[n]!).toBe(true);
  });

  it("refuses a time it cannot hold", () => {
    expect(() => newLeadId(-1)).toThrow(RangeError);
    expect(() => newLeadId(2 ** 48)).toThrow(RangeError);
    expect(() => newLeadId(Number.NaN)).toThrow(RangeError);
  });
});
