/** The dedupe key: identity, a field list, and the fallback when a field is missing. */
import { describe, expect, it } from "vitest";
import { identityKey, type Lead, validateLead } from "../../src/core/lead.js";
import { dedupeKey } from "../../src/pipeline/dedupe-key.js";

const valid = (input: Record<string, unknown>): Lead => {
  const result = validateLead(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.lead;
};

describe("dedupeKey", () => {
  it("is the identity key with the identity setting", () => {
    const lead = valid({ email: " Ada@Example.COM ", first_name: "Ada" });
    expect(dedupeKey(lead, "identity")).toBe("email:ada@example.com");
    expect(dedupeKey(lead, "identity")).toBe(identityKey(lead));
  });

  it("joins the normalized values of the configured fields", () => {
    const a = valid({ email: "a@x.com", Company: " Acme Inc ", "Job Title": "CTO" });
    const b = valid({ email: "b@y.com", company: "acme inc", job_title: "cto" });
    expect(dedupeKey(a, ["company", "Job Title"])).toBe(dedupeKey(b, ["company", "job_title"]));
    expect(dedupeKey(a, ["company", "job_title"])).not.toBe(dedupeKey(a, ["job_title", "company"]));
  });

  it("keeps values apart whatever characters they hold", () => {
    const a = valid({ email: "a@x.com", first_name: "a|b", last_name: "c" });
    const b = valid({ email: "a@x.com", first_name: "a", last_name: "b|c" });
    expect(dedupeKey(a, ["first_name", "last_name"])).not.toBe(
      dedupeKey(b, ["first_name", "last_name"]),
    );
  });

  it("falls back to the identity when a configured field is missing", () => {
    const lead = valid({ email: "a@x.com", company: "Acme" });
    expect(dedupeKey(lead, ["company", "job_title"])).toBe("email:a@x.com");
  });

  it("tells numbers and booleans by their text", () => {
    const lead = valid({ email: "a@x.com", employees: 50, active: true });
    expect(dedupeKey(lead, ["employees", "active"])).toBe(
      'fields:["employees","active"]=["50","true"]',
    );
  });
});
