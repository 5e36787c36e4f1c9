/** Credit windows: UTC day and month keys, their rollover, and the caps that apply to a lead. */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { ClaypipeError } from "../../src/core/errors.js";
import {
  capsFor,
  nextWindowStart,
  parseWindowKey,
  windowAt,
} from "../../src/pipeline/credit-windows.js";

const at = (iso: string) => Date.parse(iso);

describe("credit windows", () => {
  it("names the UTC day and month holding a moment", () => {
    expect(windowAt("day", at("2026-11-25T23:59:59.999Z")).key).toBe("day:2026-11-25");
    expect(windowAt("day", at("2026-11-26T00:00:00.000Z")).key).toBe("day:2026-11-26");
    expect(windowAt("month", at("2026-11-30T23:59:59.999Z")).key).toBe("month:2026-11");
    expect(windowAt("month", at("2026-12-01T00:00:00.000Z")).key).toBe("month:2026-12");
  });

  it("uses UTC, whatever the moment's offset in another zone", () => {
    // 23:30 on the 25th in New York is already the 26th in UTC.
    expect(windowAt("day", at("2026-11-25T23:30:00-05:00")).key).toBe("day:2026-11-26");
  });

  it("finds the next window's start across day, month and year ends", () => {
    expect(nextWindowStart("day", at("2026-11-25T13:00:00Z"))).toBe(at("2026-11-26T00:00:00Z"));
    expect(nextWindowStart("day", at("2026-11-30T23:59:59.999Z"))).toBe(at("2026-12-01T00:00:00Z"));
    expect(nextWindowStart("day", at("2026-12-31T12:00:00Z"))).toBe(at("2027-01-01T00:00:00Z"));
    expect(nextWindowStart("day", at("2028-02-28T12:00:00Z"))).toBe(at("2028-02-29T00:00:00Z"));
    expect(nextWindowStart("month", at("2026-11-25T13:00:00Z"))).toBe(at("2026-12-01T00:00:00Z"));
    expect(nextWindowStart("month", at("2026-12-31T23:59:59.999Z"))).toBe(
      at("2027-01-01T00:00:00Z"),
    );
    expect(nextWindowStart("month", at("2026-01-31T00:00:00Z"))).toBe(at("2026-02-01T00:00:00Z"));
  });

  it("a window's start belongs to it and its end to the next", () => {
    const day = windowAt("day", at("2026-03-10T08:00:00Z"));
    expect(windowAt("day", day.start).key).toBe(day.key);
    expect(windowAt("day", day.end - 1).key).toBe(day.key);
    expect(windowAt("day", day.end).key).toBe("day:2026-03-11");
  });

  it("parses the keys it makes, and refuses others", () => {
    expect(parseWindowKey("day:2026-11-25")).toEqual(windowAt("day", at("2026-11-25T05:00:00Z")));
    expect(parseWindowKey("month:2026-12").end).toBe(at("2027-01-01T00:00:00Z"));
    for (const bad of ["day:2026-11", "month:2026-11-25", "week:2026-11-25", "day:26-11-25"]) {
      expect(() => parseWindowKey(bad)).toThrow(ClaypipeError);
    }
  });
});

describe("capsFor", () => {
  const config = configSchema.parse({
    clay: {
      workspaces: [
        {
          name: "main",
          credits: { daily: { data: 5000 }, monthly: { actions: 40_000, data: 100_000 } },
          tables: [{ name: "t", webhooks: [{ url: "https://x.test/h" }] }],
        },
        { name: "other", tables: [{ name: "u", webhooks: [{ url: "https://x.test/i" }] }] },
      ],
    },
    sources: [
      { name: "web", credits: { daily: { actions: 100 } } },
      { name: "csv", credits: {} },
    ],
  });
  const now = at("2026-11-25T10:00:00Z");

  it("gives the workspace's and the source's caps with their scopes and windows", () => {
    expect(capsFor(config, { workspace: "main", source: "web" }, now)).toEqual([
      { scope: "workspace:main", window: "day:2026-11-25", limit: { data: 5000 } },
      {
        scope: "workspace:main",
        window: "month:2026-11",
        limit: { actions: 40_000, data: 100_000 },
      },
      { scope: "source:web", window: "day:2026-11-25", limit: { actions: 100 } },
    ]);
  });

  it("leaves out what has no limit", () => {
    expect(capsFor(config, { workspace: "other", source: "csv" }, now)).toEqual([]);
  });
});
