/**
 * Generic CRM events over real HTTP: `POST /v1/events/:source` with the
 * source's shared secret, JSON events mapped by dot paths, all or nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IntakeHarness, startIntakeHarness } from "./intake-sources-harness.js";

const SF_SECRET = "salesforce-flow-secret-0123";
const PLAIN_SECRET = "plain-events-secret-4567";
const bearer = { authorization: `Bearer ${SF_SECRET}` };

let harness: IntakeHarness;

beforeAll(async () => {
  harness = await startIntakeHarness({
    sources: [
      { name: "api" },
      {
        name: "salesforce",
        crm: {
          secret: SF_SECRET,
          eventsPath: "records",
          fields: {
            email: "Contact.Email",
            first_name: "Contact.FirstName",
            company: "Account.Name",
            title: "Contact.Title",
          },
        },
      },
      { name: "zap", crm: { secret: PLAIN_SECRET, secretHeader: "X-Claypipe-Secret" } },
    ],
  });
});
afterAll(() => harness.close());

function record(n: number, contact: Record<string, unknown> = {}) {
  return {
    attributes: { type: "Opportunity" },
    Contact: { Email: `buyer${n}@example.com`, FirstName: `Buyer${n}`, ...contact },
    Account: { Name: "Initech" },
  };
}

describe("POST /v1/events/:source", () => {
  it("maps each event by its dot paths and answers 202 once all are written", async () => {
    const from = harness.accepted.length;
    const answer = await harness.post(
      "/v1/events/salesforce",
      { records: [record(1, { Title: "VP Sales" }), record(2)] },
      bearer,
    );
    expect(answer.status).toBe(202);
    expect(answer.body.accepted).toEqual([
      { index: 0, id: expect.any(String), state: "queued" },
      { index: 1, id: expect.any(String), state: "queued" },
    ]);
    const leads = await harness.leadsSince(from);
    expect(leads.map((lead) => [lead.source, lead.fields])).toEqual([
      [
        "salesforce",
        {
          email: "buyer1@example.com",
          first_name: "Buyer1",
          company: "Initech",
          title: "VP Sales",
        },
      ],
      ["salesforce", { email: "buyer2@example.com", first_name: "Buyer2", company: "Initech" }],
    ]);
    expect(leads.map((lead) => lead.id)).toEqual(
      answer.body.accepted.map((a: { id: string }) => a.id),
    );
  });

  it("takes one event as an object, and flat events as they are when there is no mapping", async () => {
    const from = harness.accepted.length;
    const single = await harness.post(
      "/v1/events/zap",
      { email: "one@example.com", "Job Title": "CEO" },
      {
        "x-claypipe-secret": PLAIN_SECRET,
      },
    );
    expect(single.status).toBe(202);
    expect((await harness.leadsSince(from))[0]!.fields).toEqual({
      email: "one@example.com",
      job_title: "CEO",
    });
  });

  it("reads the body as JSON whatever its content type", async () => {
    const answer = await harness.post(
      "/v1/events/zap",
      JSON.stringify([{ email: "text@example.com" }]),
      { "content-type": "text/plain", "x-claypipe-secret": PLAIN_SECRET },
    );
    expect(answer.status).toBe(202);
  });

  it("refuses the whole request with 422 naming each bad event's paths", async () => {
    const before = await harness.leadCount();
    const answer = await harness.post(
      "/v1/events/salesforce",
      {
        records: [
          record(3),
          record(4, { Email: "not-an-email" }),
          { Contact: { FirstName: "Nobody" } },
          record(5, { Title: { Label: "VP" } }),
          "text",
        ],
      },
      bearer,
    );
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: "invalid_events", hint: expect.any(String) });
    expect(answer.body.events).toEqual([
      {
        index: 1,
        issues: [
          {
            path: "Contact.Email",
            reason: '"not-an-email" is not a valid email address (lead field email)',
          },
        ],
      },
      {
        index: 2,
        issues: [
          {
            path: "",
            reason: expect.stringContaining(
              "the mapping reads Contact.Email, Contact.FirstName, Account.Name, Contact.Title",
            ),
          },
        ],
      },
      {
        index: 3,
        issues: [
          {
            path: "Contact.Title",
            reason: expect.stringContaining("is an object, not a single value"),
          },
        ],
      },
      { index: 4, issues: [{ path: "", reason: "an event must be a JSON object" }] },
    ]);
    expect(await harness.leadCount()).toBe(before);
  });

  it("answers 400 for a body with no events where they should be, and 413 past server.maxBatch", async () => {
    const missing = await harness.post("/v1/events/salesforce", { data: [] }, bearer);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('"records"');
    const empty = await harness.post("/v1/events/salesforce", { records: [] }, bearer);
    expect(empty.body.error).toBe("no_events");
    const scalar = await harness.post("/v1/events/zap", "42", {
      "content-type": "application/json",
      "x-claypipe-secret": PLAIN_SECRET,
    });
    expect(scalar.status).toBe(400);
    const many = await harness.post(
      "/v1/events/salesforce",
      { records: [1, 2, 3, 4, 5, 6].map((n) => record(100 + n)) },
      bearer,
    );
    expect(many.status).toBe(413);
    expect(many.body.error).toBe("too_many_events");
  });
});

describe("the shared secret", () => {
  it("refuses a missing or wrong secret before reading the body, and another source's", async () => {
    const before = await harness.leadCount();
    const none = await harness.post("/v1/events/salesforce", { records: [record(9)] });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="claypipe"');
    expect(none.body).toMatchObject({ error: "unauthorized", message: "No secret was sent." });
    const wrong = await harness.post("/v1/events/salesforce", "{not json", {
      "content-type": "application/json",
      authorization: `Bearer ${SF_SECRET}x`,
    });
    expect(wrong.status).toBe(401);
    const crossed = await harness.post(
      "/v1/events/zap",
      { email: "x@example.com" },
      {
        "x-claypipe-secret": SF_SECRET,
      },
    );
    expect(crossed.status).toBe(401);
    expect(crossed.body.hint).toContain("x-claypipe-secret");
    // A server API key is not this source's secret either.
    const bearerOnPlain = await harness.post(
      "/v1/events/zap",
      { email: "x@example.com" },
      {
        authorization: `Bearer ${PLAIN_SECRET}`,
      },
    );
    expect(bearerOnPlain.status).toBe(401);
    expect(await harness.leadCount()).toBe(before);
  });

  it("answers 404 for a source without a crm block", async () => {
    const answer = await harness.post("/v1/events/api", { email: "a@example.com" }, bearer);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe("unknown_event_source");
  });

  it("never logs the secret or the events' people", () => {
    const text = JSON.stringify(harness.logs);
    expect(text).not.toContain(SF_SECRET);
    expect(text).not.toMatch(/@example\.com/);
  });
});
