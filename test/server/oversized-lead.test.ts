/**
 * A lead that can never make a Clay row (over Clay's 100 KB) or has an email
 * longer than RFC 5321 allows is refused at intake with a 422 naming the
 * field, on the API and on a public form alike: nothing is stored to die later
 * as payload_too_large.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IntakeHarness, startIntakeHarness } from "./intake-sources-harness.js";

let harness: IntakeHarness;
const API_KEY = "oversized-lead-api-key-0123";
const AUTH = { authorization: `Bearer ${API_KEY}` };

beforeAll(async () => {
  harness = await startIntakeHarness({
    sources: [
      { name: "api" },
      { name: "contact-form", form: { id: "contact", allowedOrigins: ["*"] } },
    ],
    server: { apiKeys: [API_KEY], bodyLimit: 2 * 1024 * 1024 },
  });
});
afterAll(() => harness.close());

const HUGE_DOMAIN = "a".repeat(900 * 1024);
const LONG_EMAIL = `${"a".repeat(250)}@a.example`;

describe("intake of a lead too large for Clay", () => {
  it.each(["/v1/leads", "/v1/forms/contact"])(
    "%s answers 422 for a 900 KB domain and stores nothing",
    async (path) => {
      const before = await harness.leadCount();
      const answer = await harness.post(
        path,
        { email: "ada@acme.example", domain: HUGE_DOMAIN },
        AUTH,
      );
      expect(answer.status).toBe(422);
      expect(JSON.stringify(answer.body)).toContain("domain");
      expect(JSON.stringify(answer.body)).toContain("over Clay's limit of 100.0 KB");
      expect(JSON.stringify(answer.body)).toContain("shorten or drop");
      expect(await harness.leadCount()).toBe(before);
    },
  );

  it.each(["/v1/leads", "/v1/forms/contact"])(
    "%s answers 422 for an email over 254 characters and stores nothing",
    async (path) => {
      const before = await harness.leadCount();
      const answer = await harness.post(path, { email: LONG_EMAIL }, AUTH);
      expect(answer.status).toBe(422);
      expect(JSON.stringify(answer.body)).toContain("at most 254 (RFC 5321)");
      expect(await harness.leadCount()).toBe(before);
    },
  );
});
