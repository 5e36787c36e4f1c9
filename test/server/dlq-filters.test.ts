import { describe, expect, it } from "vitest";
import {
  dlqListQuerySchema,
  dlqPurgeFilterSchema,
  dlqReplayFilterSchema,
} from "../../src/server/routes/dlq-filters.js";

describe("DLQ filters", () => {
  it("reads list queries, with times in ms or ISO 8601 and a default limit", () => {
    expect(dlqListQuerySchema.parse({})).toEqual({ limit: 100 });
    expect(
      dlqListQuerySchema.parse({
        reason: "no_callback",
        diedAfter: "1700000000000",
        diedBefore: "2026-11-25T00:00:00Z",
        createdAfter: "1600000000000",
        createdBefore: "2026-11-24T00:00:00Z",
        limit: "5",
      }),
    ).toEqual({
      reason: "no_callback",
      diedAfter: 1_700_000_000_000,
      diedBefore: Date.parse("2026-11-25T00:00:00Z"),
      createdAfter: 1_600_000_000_000,
      createdBefore: Date.parse("2026-11-24T00:00:00Z"),
      limit: 5,
    });
  });

  it("refuses bad times, limits and unknown parameters, naming the field", () => {
    const paths = (query: unknown) =>
      dlqListQuerySchema.safeParse(query).error?.issues.map((issue) => issue.path.join("."));
    expect(paths({ diedAfter: "yesterday" })).toEqual(["diedAfter"]);
    expect(paths({ createdBefore: "soon" })).toEqual(["createdBefore"]);
    expect(paths({ after: 0 })).toEqual([""]);
    expect(paths({ limit: "0" })).toEqual(["limit"]);
    expect(paths({ limit: "5000" })).toEqual(["limit"]);
    expect(paths({ reasn: "x" })).toEqual([""]);
    expect(paths({ reason: ["a", "b"] })).toEqual(["reason"]);
  });

  it("demands at least one criterion for replay and purge; a sink alone is one for replay", () => {
    expect(dlqReplayFilterSchema.safeParse({}).success).toBe(false);
    expect(dlqReplayFilterSchema.parse({ sink: "crm" })).toEqual({ sink: "crm" });
    expect(dlqPurgeFilterSchema.safeParse({}).error?.issues[0]?.message).toMatch(
      /createdAfter": 0/,
    );
    expect(dlqReplayFilterSchema.parse({ reason: "no_callback", sink: "crm" })).toEqual({
      reason: "no_callback",
      sink: "crm",
    });
    expect(dlqPurgeFilterSchema.parse({ createdAfter: 0 })).toEqual({ createdAfter: 0 });
    expect(dlqPurgeFilterSchema.parse({ diedBefore: 5 })).toEqual({ diedBefore: 5 });
    expect(dlqPurgeFilterSchema.safeParse({ sink: "crm", ids: ["a"] }).success).toBe(false);
    expect(dlqReplayFilterSchema.safeParse({ ids: [] }).success).toBe(false);
  });
});
