/**
 * The callback route over real HTTP: the emulator's HTTP API column calls
 * back to the server; forged, malformed and expired tokens get 401, a token
 * for a lead that does not exist 404, and a repeated callback 200 with nothing
 * happening twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCallbackSigner } from "../../src/clay/callback-token.js";
import { type Harness, lead, SECRET, startHarness, TABLE_ID } from "./server-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.emulator.control.clearFaults());

/** Posts a lead and waits until it is delivered; returns its id and the row Clay called back with. */
async function deliveredLead(n: number) {
  const posted = await harness.request("POST", "/v1/leads", lead(n));
  expect(posted.status).toBe(202);
  const id = posted.body.accepted[0].id as string;
  const view = await harness.waitForLead(id);
  expect(view.lead.state).toBe("delivered");
  const row = harness.emulator.control
    .rows(TABLE_ID)
    .find((candidate) => candidate.fields.claypipe_id === id);
  expect(row).toBeDefined();
  const callbackUrl = row!.fields.callback_url as string;
  expect(callbackUrl.startsWith(`${harness.url}/v1/callbacks/clay/`)).toBe(true);
  const body: Record<string, unknown> = { ...row!.fields, clay_row_id: row!.id };
  return { id, callbackUrl, body };
}

async function postCallback(url: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const recordsOf = (id: string) =>
  harness.sinkRecords().filter((record) => JSON.stringify(record).includes(id));
/** Times the lead became enriched (the routing step's enriched → enriched records do not count). */
const enrichedEvents = async (id: string) =>
  (await harness.pipeline.getLead(id))!.history.filter(
    (event) => event.to === "enriched" && event.from !== "enriched",
  ).length;

/** Once a lead posted now is delivered, the callbacks that came before it have been processed. */
async function barrier(n: number): Promise<void> {
  await harness.emulator.control.idle();
  harness.emulator.control.clearFaults();
  await deliveredLead(n);
}

describe("POST /v1/callbacks/clay/:token", () => {
  it("acknowledges a repeated callback with 200 and does nothing twice", async () => {
    const { id, callbackUrl, body } = await deliveredLead(1);
    const again = await postCallback(callbackUrl, body);
    expect(again).toEqual({ status: 200, body: { ok: true, outcome: "already_done" } });
    const altered = await postCallback(callbackUrl, { ...body, icp_score: -1 });
    expect(altered.status).toBe(200);
    await barrier(101);
    expect(recordsOf(id)).toHaveLength(1);
    expect(await enrichedEvents(id)).toBe(1);
    expect((await harness.pipeline.getLead(id))!.lead.result).toMatchObject({
      icp_score: body.icp_score,
    });
  });

  it("absorbs Clay sending every callback twice", async () => {
    harness.emulator.control.setFaults({ callbackDuplicateRate: 1 });
    const duplicatedBefore = harness.emulator.control.snapshot().callbacks.duplicated;
    const { id } = await deliveredLead(2);
    await harness.emulator.control.idle();
    expect(harness.emulator.control.snapshot().callbacks.duplicated).toBeGreaterThan(
      duplicatedBefore,
    );
    expect(recordsOf(id)).toHaveLength(1);
    expect(await enrichedEvents(id)).toBe(1);
  });

  it("answers 401 to forged and malformed tokens, saying why", async () => {
    const { callbackUrl, body } = await deliveredLead(3);
    // A character inside the signature: the last one carries padding bits, and changing it
    // may make the token non-canonical (malformed) rather than wrongly signed.
    const at = callbackUrl.length - 5;
    const forged = `${callbackUrl.slice(0, at)}${callbackUrl[at] === "A" ? "B" : "A"}${callbackUrl.slice(at + 1)}`;
    expect(await postCallback(forged, body)).toMatchObject({
      status: 401,
      body: { error: "unauthorized", reason: "bad_signature", hint: expect.any(String) },
    });
    expect(await postCallback(`${harness.url}/v1/callbacks/clay/not-a-token`, body)).toMatchObject({
      status: 401,
      body: { reason: "malformed" },
    });
  });

  it("answers 401 to an expired token and 404 to a lead that does not exist", async () => {
    const ttlMs = 60_000;
    const past = createCallbackSigner({
      secrets: [SECRET],
      ttlMs,
      clock: { now: () => Date.now() - 2 * ttlMs, sleep: async () => {} },
    });
    const { id } = await deliveredLead(4);
    const expired = past.sign({ leadId: id, attempt: 1 });
    expect(
      await postCallback(`${harness.url}/v1/callbacks/clay/${expired}`, { a: 1 }),
    ).toMatchObject({
      status: 401,
      body: { reason: "expired", message: expect.stringContaining("expired") },
    });
    const signer = createCallbackSigner({ secrets: [SECRET], ttlMs });
    const unknown = signer.sign({ leadId: "0190aaaa-0000-7000-8000-000000000000", attempt: 1 });
    expect(
      await postCallback(`${harness.url}/v1/callbacks/clay/${unknown}`, { a: 1 }),
    ).toMatchObject({
      status: 404,
      body: { error: "unknown_lead" },
    });
  });

  it("refuses a body nested past the depth limit with 400 before the pipeline sees it; the real row then counts", async () => {
    harness.emulator.control.setFaults({ callbackLostRate: 1 });
    const posted = await harness.request("POST", "/v1/leads", lead(6));
    const id = posted.body.accepted[0].id as string;
    await harness.waitForLead(id, (view) => view.lead.state === "awaiting_callback");
    harness.emulator.control.clearFaults();
    const row = harness.emulator.control
      .rows(TABLE_ID)
      .find((candidate) => candidate.fields.claypipe_id === id)!;
    const url = row.fields.callback_url as string;

    // Deep enough to overflow the stack of anything that serializes it again.
    const deep = `{"a":${"[".repeat(300_000)}${"]".repeat(300_000)}}`;
    const refused = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: deep,
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: "input_unreadable",
      message: expect.stringContaining("nested"),
    });

    const taken = await postCallback(url, { ...row.fields, clay_row_id: row.id });
    expect(taken).toEqual({ status: 200, body: { ok: true, outcome: "accepted" } });
    expect((await harness.waitForLead(id)).lead).toMatchObject({
      state: "delivered",
      result: { claypipe_id: id },
    });
  });

  it("never logs a token or a callback body", async () => {
    const { callbackUrl, body } = await deliveredLead(5);
    await postCallback(callbackUrl, body);
    const token = callbackUrl.split("/").at(-1)!;
    const logged = JSON.stringify(harness.logs);
    expect(logged).toContain("/v1/callbacks/clay/:token");
    expect(logged).not.toContain(token);
    expect(logged).not.toContain("lead5@example.com");
  });
});
