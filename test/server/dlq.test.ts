/**
 * The DLQ over HTTP: leads Clay refuses (the emulator answers 400) go dead
 * with a reason; they can be listed with filters and pages, inspected,
 * replayed by reason or source (then delivered) and purged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, lead, startHarness } from "./server-harness.js";

let harness: Harness;
let apiDead: string[];
let webDead: string;

beforeAll(async () => {
  harness = await startHarness();
  harness.emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
  const api = await harness.request("POST", "/v1/leads", [lead(1), lead(2), lead(3)]);
  const web = await harness.request("POST", "/v1/leads?source=web", lead(4));
  expect([api.status, web.status]).toEqual([202, 202]);
  apiDead = api.body.accepted.map((entry: { id: string }) => entry.id);
  webDead = web.body.accepted[0].id;
  for (const id of [...apiDead, webDead])
    expect((await harness.waitForLead(id)).lead.state).toBe("dead");
  harness.emulator.control.clearFaults();
});
afterAll(() => harness.close());

const ids = (body: { leads: Array<{ id: string }> }) => body.leads.map((entry) => entry.id);

describe("GET /v1/dlq", () => {
  it("lists dead leads with their reason, filtered by reason and source", async () => {
    const all = await harness.request("GET", "/v1/dlq");
    expect(all.status).toBe(200);
    expect(ids(all.body).sort()).toEqual([...apiDead, webDead].sort());
    expect(all.body.leads[0]).toMatchObject({ state: "dead", reason: "rejected_by_clay" });
    expect(all.body.nextCursor).toBeNull();

    const web = await harness.request("GET", "/v1/dlq?source=web&reason=rejected_by_clay");
    expect(ids(web.body)).toEqual([webDead]);
    const none = await harness.request("GET", "/v1/dlq?reason=no_callback");
    expect(none.body.leads).toEqual([]);
    const future = await harness.request(
      "GET",
      `/v1/dlq?diedAfter=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(future.body.leads).toEqual([]);
  });

  it("filters on when a lead died (the time it shows) or, when asked, on when it came in", async () => {
    const { lead: dead } = await harness.waitForLead(webDead);
    expect(dead.createdAt).toBeLessThan(dead.updatedAt);
    const listed = async (query: string) =>
      ids((await harness.request("GET", `/v1/dlq?source=web&${query}`)).body);
    expect(await listed(`diedAfter=${dead.updatedAt}`)).toEqual([webDead]);
    expect(await listed(`diedBefore=${dead.updatedAt}`)).toEqual([]);
    expect(await listed(`diedBefore=${dead.updatedAt + 1}`)).toEqual([webDead]);
    expect(await listed(`createdAfter=${dead.updatedAt}`)).toEqual([]);
    expect(await listed(`createdBefore=${dead.updatedAt}`)).toEqual([webDead]);
  });

  it("pages with limit and cursor", async () => {
    const seen: string[] = [];
    let path = "/v1/dlq?limit=3";
    for (;;) {
      const page = await harness.request("GET", path);
      expect(page.status).toBe(200);
      expect(page.body.leads.length).toBeLessThanOrEqual(3);
      seen.push(...ids(page.body));
      if (page.body.nextCursor === null) break;
      path = `/v1/dlq?limit=3&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    expect(seen.sort()).toEqual([...apiDead, webDead].sort());
  });

  it("answers 400 naming the parameter at fault", async () => {
    const answer = await harness.request("GET", "/v1/dlq?limit=0&diedAfter=yesterday");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "invalid_request", hint: expect.any(String) });
    expect(answer.body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      "diedAfter",
      "limit",
    ]);
  });
});

describe("GET /v1/dlq/:id", () => {
  it("shows a dead lead with its history, and 404 for an unknown id", async () => {
    const answer = await harness.request("GET", `/v1/dlq/${webDead}`);
    expect(answer.status).toBe(200);
    expect(answer.body.lead).toMatchObject({
      id: webDead,
      state: "dead",
      reason: "rejected_by_clay",
    });
    expect(answer.body.history.at(-1)).toMatchObject({ from: "sending", to: "dead" });
    const unknown = await harness.request("GET", "/v1/dlq/0190aaaa-0000-7000-8000-000000000000");
    expect(unknown.status).toBe(404);
  });
});

describe("replay and purge", () => {
  it("refuses an empty filter and unknown keys with 400", async () => {
    for (const path of ["/v1/dlq/replay", "/v1/dlq/purge"]) {
      const empty = await harness.request("POST", path, {});
      expect(empty.status).toBe(400);
      expect(empty.body.message).toContain("at least one of");
      const unknown = await harness.request("POST", path, { reasons: "x" });
      expect(unknown.status).toBe(400);
      const wrongType = await harness.request("POST", path, "[1]");
      expect(wrongType.status).toBe(400);
    }
  });

  it("replays dead leads by source; they are sent again and delivered", async () => {
    const answer = await harness.request("POST", "/v1/dlq/replay", {
      source: "web",
      reason: "rejected_by_clay",
    });
    expect(answer).toMatchObject({ status: 200, body: { replayed: 1 } });
    const view = await harness.waitForLead(webDead);
    expect(view.lead.state).toBe("delivered");
    const left = await harness.request("GET", "/v1/dlq");
    expect(ids(left.body).sort()).toEqual([...apiDead].sort());
  });

  it("purges dead leads by id, and they are gone", async () => {
    const answer = await harness.request("POST", "/v1/dlq/purge", { ids: [apiDead[0]] });
    expect(answer).toMatchObject({ status: 200, body: { purged: 1 } });
    expect((await harness.request("GET", `/v1/leads/${apiDead[0]}`)).status).toBe(404);
    const rest = await harness.request("POST", "/v1/dlq/purge", { createdAfter: 0 });
    expect(rest.body).toEqual({ purged: 2 });
    expect((await harness.request("GET", "/v1/dlq")).body.leads).toEqual([]);
    expect((await harness.request("GET", `/v1/leads/${webDead}`)).body.lead.state).toBe(
      "delivered",
    );
  });
});
