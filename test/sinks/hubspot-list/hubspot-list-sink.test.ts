import { afterEach, describe, expect, it } from "vitest";
import { hubspotListSinkSchema } from "../../../src/config/sink-schema.js";
import type { HubspotSinkOptions } from "../../../src/sinks/hubspot/hubspot-sink.js";
import { createHubspotListSink } from "../../../src/sinks/hubspot-list/hubspot-list-sink.js";
import type { SinkRecord, SinkResult } from "../../../src/sinks/sink.js";
import {
  type HubspotStandIn,
  type HubspotStandInOptions,
  startHubspotStandIn,
} from "../../stand-ins/hubspot-stand-in.js";
import { people, sinkRecord } from "../../stand-ins/sink-records.js";
import { captureLogs } from "../capture-logs.js";
import { sinkContract } from "../sink-contract.js";

const TOKEN = "pat-na1-list-secret-0000";
const LIST = "4711";
const running: HubspotStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

interface Setup {
  standIn?: Partial<HubspotStandInOptions>;
  config?: { accessToken?: string; listId?: string | number };
  sink?: HubspotSinkOptions;
}

async function setup(options: Setup = {}) {
  const standIn = await startHubspotStandIn({
    token: TOKEN,
    lists: { [LIST]: "MANUAL", "900": "DYNAMIC" },
    ...options.standIn,
  });
  running.push(standIn);
  const config = hubspotListSinkSchema.parse({
    name: "nurture",
    type: "hubspot-list",
    accessToken: TOKEN,
    listId: LIST,
    baseUrl: standIn.url,
    ...options.config,
  });
  return { standIn, sink: createHubspotListSink(config, options.sink) };
}

const live = () => AbortSignal.timeout(20_000);
const failures = (results: SinkResult[]) => results.filter((result) => !result.ok);
const reasonOf = (result: SinkResult | undefined) => (result as { reason: string }).reason;

sinkContract("HubSpot list sink against the HubSpot stand-in", {
  keyedOn: "identity",
  async open() {
    const { standIn, sink } = await setup();
    return { sink, arrived: async () => standIn.listMembers(LIST) };
  },
  async failing(kind) {
    const { standIn, sink } = await setup();
    standIn.failNext(kind === "retryable" ? 503 : 400);
    return sink;
  },
  async cleanUp() {
    await Promise.all(running.splice(0).map((standIn) => standIn.close()));
  },
});

describe("HubSpot list sink against the HubSpot stand-in", () => {
  it("upserts the contacts, then adds them to the list: one request of each per 100", async () => {
    const { standIn, sink } = await setup();
    const results = await sink.deliver(people(100), live());
    expect(failures(results)).toEqual([]);
    expect(standIn.requests).toBe(2);
    expect(standIn.contacts().size).toBe(100);
    expect(standIn.listMembers(LIST)).toHaveLength(100);
    expect(standIn.contacts().get("person0@acme.com")).toMatchObject({ firstname: "Ada0" });
  });

  it("counts a contact already in the list as delivered, and adds no second membership", async () => {
    const { standIn, sink } = await setup();
    expect(failures(await sink.deliver(people(3), live()))).toEqual([]);
    const replay = people(3).map((record) => ({ ...record, row: { ...record.row, title: "CTO" } }));
    expect(await sink.deliver(replay, live())).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(standIn.listMembers(LIST)).toEqual([
      "person0@acme.com",
      "person1@acme.com",
      "person2@acme.com",
    ]);
    expect(standIn.contacts().size).toBe(3);
  });

  it("adds the contact that already exists (by email), not a new one", async () => {
    const { standIn, sink } = await setup();
    const response = await fetch(`${standIn.url}/crm/v3/objects/contacts/batch/upsert`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [{ idProperty: "email", id: "ada@acme.com", properties: { firstname: "Ada" } }],
      }),
    });
    const existingId = ((await response.json()) as { results: Array<{ id: string }> }).results[0]!
      .id;
    const record = sinkRecord({ email: "ADA@acme.com", last_name: "Lovelace" });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    expect(standIn.contacts().size).toBe(1);
    expect(standIn.contacts().get("ada@acme.com")).toMatchObject({
      hs_object_id: existingId,
      firstname: "Ada",
      lastname: "Lovelace",
    });
    expect(standIn.listMembers(LIST)).toEqual(["ada@acme.com"]);
  });

  it("fails a record without an email for good and adds the others", async () => {
    const { standIn, sink } = await setup();
    const noEmail = sinkRecord({ first_name: "Ada", linkedin_url: "https://linkedin.com/in/ada" });
    const results = await sink.deliver([noEmail, people(1)[0]!], live());
    expect(results[0]).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(results[0])).toContain("no email to upsert a HubSpot contact by");
    expect(results[1]).toEqual({ ok: true });
    expect(standIn.listMembers(LIST)).toEqual(["person0@acme.com"]);
  });

  it("answers ids HubSpot reports missing as retryable, and adds them on the next try", async () => {
    const { standIn, sink } = await setup();
    standIn.reportMissingNext(1);
    const results = await sink.deliver(people(2), live());
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2_000 });
      expect(reasonOf(result)).toContain("recordIdsMissing");
    }
    expect(standIn.listMembers(LIST)).toEqual([]);
    expect(failures(await sink.deliver(people(2), live()))).toEqual([]);
    expect(standIn.listMembers(LIST)).toHaveLength(2);
  });

  it.each([
    [
      "an unknown list (404)",
      "12345",
      "set the sink's listId to the ILS id of a static contact list",
    ],
    ["an active (DYNAMIC) list (400)", "900", "the list must be a static contact list"],
  ])("fails for good on %s, saying what to fix", async (_name, listId, hint) => {
    const { standIn, sink } = await setup({ config: { listId } });
    const results = await sink.deliver(people(2), live());
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(reasonOf(result)).toContain(hint);
      expect(reasonOf(result)).toContain(listId);
    }
    // The contacts were upserted: a replay after the fix finds them.
    expect(standIn.contacts().size).toBe(2);
  });

  it("fails for good when the token lacks the list scopes (403 on the list change)", async () => {
    const refuseLists: typeof fetch = async (input, init) =>
      init?.method === "PUT"
        ? Response.json(
            { status: "error", message: "missing scopes", category: "MISSING_SCOPES" },
            { status: 403 },
          )
        : fetch(input, init);
    const { sink } = await setup({ sink: { fetch: refuseLists } });
    const [result] = await sink.deliver(people(1), live());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(result)).toContain("crm.lists.write and crm.lists.read");
  });

  it("answers a 429 on the list change as retryable after HubSpot's window, then adds", async () => {
    // The portal admits one request per 500 ms: the upsert passes, the list change gets 429.
    const { standIn, sink } = await setup({
      standIn: { rateLimit: { requests: 1, perMs: 500 } },
      sink: { rateLimit: { requests: 10, perMs: 500 } },
    });
    const results = await sink.deliver(people(2), live());
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 500 });
      expect(reasonOf(result)).toContain("TEN_SECONDLY_ROLLING");
    }
    expect(standIn.rateLimited).toBe(1);
    // With the sink's window as narrow as the portal's, the same two requests wait their turn instead.
    const again = await setup({
      standIn: { rateLimit: { requests: 1, perMs: 500 } },
      sink: { rateLimit: { requests: 1, perMs: 500 } },
    });
    expect(failures(await again.sink.deliver(people(2), live()))).toEqual([]);
    expect(again.standIn.rateLimited).toBe(0);
    expect(again.standIn.listMembers(LIST)).toHaveLength(2);
  });

  it("keeps a burst of batches under HubSpot's window: zero 429s", async () => {
    const window = { requests: 19, perMs: 1_000 };
    const { standIn, sink } = await setup({
      standIn: { rateLimit: window },
      sink: { rateLimit: window },
    });
    const records = people(100);
    const batches: SinkRecord[][] = [];
    for (let at = 0; at < records.length; at += 5) batches.push(records.slice(at, at + 5));
    const results = (await Promise.all(batches.map((batch) => sink.deliver(batch, live())))).flat();
    expect(failures(results)).toEqual([]);
    expect(standIn.rateLimited).toBe(0);
    expect(standIn.requests).toBe(40);
    expect(standIn.listMembers(LIST)).toHaveLength(100);
  });

  it("never writes the token or an email to its logs or reasons", async () => {
    const { logger, lines } = captureLogs();
    const { standIn, sink } = await setup({ config: { listId: "12345" }, sink: { logger } });
    const reasons = (await sink.deliver(people(2), live())).map(reasonOf);
    standIn.failNext(503);
    reasons.push(...(await sink.deliver(people(2), live())).map(reasonOf));
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...lines, ...reasons]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("person0@acme.com");
    }
  });

  it("reads listId written as a number in YAML, and refuses one that is not an id", () => {
    const base = { name: "n", type: "hubspot-list", accessToken: TOKEN };
    expect(hubspotListSinkSchema.parse({ ...base, listId: 4711 }).listId).toBe("4711");
    expect(hubspotListSinkSchema.safeParse({ ...base, listId: "Nurture list" }).success).toBe(
      false,
    );
  });
});
