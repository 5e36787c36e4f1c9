import { describe, expect, it } from "vitest";
import { invalidLeads, readLeadBatch } from "../../src/server/routes/lead-batch.js";

const options = { maxBatch: 3, sources: ["api", "web"] };
const lead = (n: number) => ({ email: `lead${n}@example.com` });

describe("readLeadBatch", () => {
  it("reads a single lead, an array and an envelope, defaulting to the first source", () => {
    expect(readLeadBatch(lead(1), undefined, options)).toEqual({
      ok: true,
      inputs: [lead(1)],
      source: "api",
    });
    expect(readLeadBatch([lead(1), lead(2)], "web", options)).toEqual({
      ok: true,
      inputs: [lead(1), lead(2)],
      source: "web",
    });
    expect(readLeadBatch({ leads: [lead(1)], source: "web" }, undefined, options)).toEqual({
      ok: true,
      inputs: [lead(1)],
      source: "web",
    });
    expect(readLeadBatch({ leads: [lead(1)], source: "web" }, "web", options)).toMatchObject({
      ok: true,
    });
  });

  it("treats an object whose leads field is not an array as a lead", () => {
    const input = { email: "a@b.co", leads: "12" };
    expect(readLeadBatch(input, undefined, options)).toEqual({
      ok: true,
      inputs: [input],
      source: "api",
    });
  });

  it("refuses bodies that are not leads, with a hint", () => {
    for (const body of [null, 3, "text", true, undefined]) {
      const batch = readLeadBatch(body, undefined, options);
      expect(batch).toMatchObject({ ok: false, status: 400, problem: { error: "invalid_body" } });
      if (!batch.ok) expect(batch.problem.hint).toMatch(/lead object/);
    }
    expect(readLeadBatch([], undefined, options)).toMatchObject({
      status: 400,
      problem: { error: "no_leads" },
    });
    expect(readLeadBatch({ leads: [] }, undefined, options)).toMatchObject({
      problem: { error: "no_leads" },
    });
    expect(readLeadBatch({ leads: [lead(1)], extra: 1 }, undefined, options)).toMatchObject({
      status: 400,
      problem: { error: "invalid_body", message: expect.stringContaining('"extra"') },
    });
  });

  it("answers 413 with the limit over maxBatch", () => {
    const batch = readLeadBatch([lead(1), lead(2), lead(3), lead(4)], undefined, options);
    expect(batch).toMatchObject({ ok: false, status: 413, problem: { error: "too_many_leads" } });
    if (!batch.ok) expect(batch.problem.message).toMatch(/4 leads; the limit is 3/);
  });

  it("checks the source: known, a string, and not given twice differently", () => {
    expect(readLeadBatch(lead(1), "crm", options)).toMatchObject({
      status: 400,
      problem: { error: "unknown_source", hint: expect.stringContaining("api, web") },
    });
    expect(readLeadBatch(lead(1), ["api", "web"], options)).toMatchObject({
      problem: { error: "invalid_source" },
    });
    expect(readLeadBatch({ leads: [lead(1)], source: 7 }, undefined, options)).toMatchObject({
      problem: { error: "invalid_source" },
    });
    expect(readLeadBatch({ leads: [lead(1)], source: "web" }, "api", options)).toMatchObject({
      problem: { error: "conflicting_source" },
    });
  });

  it("keeps echoes of client input short", () => {
    const batch = readLeadBatch(lead(1), "x".repeat(100_000), options);
    expect(batch.ok).toBe(false);
    if (!batch.ok) expect(batch.problem.message.length).toBeLessThan(200);
  });
});

describe("invalidLeads", () => {
  it("lists each invalid lead by index with the field at fault and why", () => {
    const inputs = [
      lead(1),
      { email: "not-an-email" },
      "text",
      { first_name: "Ann" },
      { email: "a@b.co", tags: ["x"] },
    ];
    expect(invalidLeads(inputs)).toEqual([
      { index: 1, issues: [{ path: "email", reason: expect.stringMatching(/not a valid email/) }] },
      { index: 2, issues: [{ path: "", reason: expect.stringMatching(/JSON object/) }] },
      { index: 3, issues: [{ path: "", reason: expect.stringMatching(/needs an email/) }] },
      { index: 4, issues: [{ path: "tags", reason: expect.stringMatching(/nested values/) }] },
    ]);
    expect(invalidLeads([lead(1), lead(2)])).toEqual([]);
  });
});
