/** Change detection between a person's versions, and how routing takes the result. */
import { describe, expect, it } from "vitest";
import { resultOutcome, withChanges } from "../../src/pipeline/result-changes.js";

describe("result changes", () => {
  it("names each field whose value changed, with what it was and is", () => {
    const previous = {
      claypipe_id: "a",
      title: "VP Sales",
      company_domain: "acme.com",
      phone: "1",
    };
    const result = { claypipe_id: "b", title: "CRO", company_domain: "acme.com", seniority: "c" };
    expect(withChanges(result, previous)).toEqual({
      ...result,
      changed: {
        title: { from: "VP Sales", to: "CRO" },
        phone: { from: "1", to: null },
        seniority: { from: null, to: "c" },
      },
    });
  });

  it("compares nested values by content and ignores claypipe's own fields and earlier changes", () => {
    const previous = { tags: { a: 1 }, callback_url: "x", changed: { title: {} } };
    const result = { tags: { a: 1 }, callback_url: "y" };
    const compared = withChanges(result, previous);
    expect(compared.changed).toEqual({});
    expect(resultOutcome(compared)).toBe("unchanged");
  });

  it("never compares the row's own ids, nor the fields the config ignores", () => {
    const previous = { clay_row_id: "r_1", synced_at: "2026-01-01", title: "VP" };
    const result = { clay_row_id: "r_9", synced_at: "2026-04-01", title: "VP" };
    expect(withChanges(result, previous, ["synced_at"]).changed).toEqual({});
    expect(withChanges(result, previous).changed).toEqual({
      synced_at: { from: "2026-01-01", to: "2026-04-01" },
    });
  });

  it("a result with changes, or never compared, is routed as enriched", () => {
    expect(resultOutcome(withChanges({ title: "CRO" }, { title: "VP" }))).toBe("enriched");
    expect(resultOutcome({ title: "CRO" })).toBe("enriched");
    expect(resultOutcome(null)).toBe("enriched");
  });
});
