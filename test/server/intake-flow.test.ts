/**
 * Intake over real HTTP, end to end: a lead posted to the server goes to the
 * Clay emulator, comes back through its HTTP API column to this server's
 * callback route, and ends delivered in the file sink; GET /v1/leads/:id tells
 * the whole story.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, lead, startHarness } from "./server-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

async function leadCount(): Promise<number> {
  const status = await harness.request("GET", "/v1/status");
  expect(status.status).toBe(200);
  return Object.values(status.body.states as Record<string, number>).reduce((sum, n) => sum + n, 0);
}

describe("POST /v1/leads", () => {
  it("accepts one lead with 202, and the lead ends delivered with its history, result and routes", async () => {
    const posted = await harness.request("POST", "/v1/leads", lead(1));
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({
      accepted: [{ index: 0, id: expect.any(String), state: "queued" }],
    });
    const id = posted.body.accepted[0].id as string;

    await harness.waitForLead(id);
    const answer = await harness.request("GET", `/v1/leads/${id}`);
    expect(answer.status).toBe(200);
    const { lead: stored, history, deliveries } = answer.body;
    expect(stored).toMatchObject({
      id,
      state: "delivered",
      source: "api",
      fields: { email: "lead1@example.com" },
    });
    expect(stored.result).toMatchObject({
      claypipe_id: id,
      email: "lead1@example.com",
      icp_score: expect.any(Number),
    });
    expect(stored.routes).toEqual(["default"]);
    expect(history.map((event: { to: string }) => event.to)).toEqual(
      expect.arrayContaining([
        "received",
        "queued",
        "sending",
        "awaiting_callback",
        "enriched",
        "delivered",
      ]),
    );
    expect(history.at(-1)).toMatchObject({ to: "delivered" });
    expect(deliveries).toEqual([
      expect.objectContaining({ leadId: id, sink: "out", state: "delivered" }),
    ]);
    expect(
      harness.sinkRecords().filter((record) => JSON.stringify(record).includes(id)),
    ).toHaveLength(1);
  });

  it("accepts a batch envelope with its source, and a repeat of a lead as a duplicate", async () => {
    const posted = await harness.request("POST", "/v1/leads", {
      leads: [lead(2), lead(3), lead(2)],
      source: "web",
    });
    expect(posted.status).toBe(202);
    expect(
      posted.body.accepted.map((entry: { index: number; state: string }) => [
        entry.index,
        entry.state,
      ]),
    ).toEqual([
      [0, "queued"],
      [1, "queued"],
      [2, "duplicate"],
    ]);
    const views = await Promise.all(
      posted.body.accepted.map((entry: { id: string }) => harness.waitForLead(entry.id)),
    );
    expect(views.map((view) => [view.lead.source, view.lead.state])).toEqual([
      ["web", "delivered"],
      ["web", "delivered"],
      ["web", "delivered"],
    ]);
  });

  it("takes the source from the query string too", async () => {
    const posted = await harness.request("POST", "/v1/leads?source=web", [lead(4)]);
    expect(posted.status).toBe(202);
    const view = await harness.pipeline.getLead(posted.body.accepted[0].id);
    expect(view?.lead.source).toBe("web");
  });

  it("answers 422 with each bad lead's field path and reason, and accepts none of a mixed batch", async () => {
    const before = await leadCount();
    const batch = [
      lead(10),
      { email: "nope" },
      lead(11),
      { first_name: "Solo" },
      { email: "c@d.co", tags: ["a"] },
    ];
    const answer = await harness.request("POST", "/v1/leads", batch);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      error: "invalid_leads",
      message: expect.stringContaining("3 of 5 leads are invalid"),
      hint: expect.any(String),
      leads: [
        {
          index: 1,
          issues: [{ path: "email", reason: expect.stringContaining("not a valid email") }],
        },
        { index: 3, issues: [{ path: "", reason: expect.stringContaining("needs an email") }] },
        { index: 4, issues: [{ path: "tags", reason: expect.stringContaining("nested values") }] },
      ],
    });
    expect(await leadCount()).toBe(before);
  });

  it("answers 413 over maxBatch and 401 without a valid key, over real HTTP", async () => {
    const tooMany = Array.from({ length: 6 }, (_, n) => lead(100 + n));
    const over = await harness.request("POST", "/v1/leads", tooMany);
    expect(over.status).toBe(413);
    expect(over.body.message).toContain("limit is 5");
    const wrong = await harness.request("POST", "/v1/leads", lead(1), {
      authorization: "Bearer not-the-key-000000",
    });
    expect(wrong.status).toBe(401);
    const missing = await harness.request("POST", "/v1/leads", lead(1), { authorization: "" });
    expect(missing.status).toBe(401);
  });
});

describe("GET /v1/leads/:id", () => {
  it("answers 404 with a hint for an unknown id", async () => {
    const answer = await harness.request("GET", "/v1/leads/0190aaaa-0000-7000-8000-000000000000");
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: "lead_not_found", hint: expect.any(String) });
  });
});
