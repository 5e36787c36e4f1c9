/** The DLQ on the real SQLite store: list with filters, inspect, replay (no credit twice), purge. */
import { afterEach, describe, expect, it } from "vitest";
import { createDeadLetters } from "../../src/pipeline/dead-letters.js";
import { createDeliveryStep } from "../../src/pipeline/delivery-step.js";
import { createRoutingStep } from "../../src/pipeline/routing-step.js";
import type { StoredLead } from "../../src/store/store.js";
import { createFixture, type Fixture, RecordingSink } from "./callback-side-fixture.js";

let fixture: Fixture;
afterEach(() => fixture?.close());

const never = new AbortController().signal;

async function deadLead(
  reason: string,
  source = "api",
  result?: Record<string, unknown>,
): Promise<StoredLead> {
  const lead = await fixture.awaiting({}, { source });
  await fixture.store.leads.transition(lead.id, "awaiting_callback", "dead", {
    reason,
    ...(result ? { result } : {}),
  });
  await fixture.store.ledger.release(lead.id, fixture.clock.now());
  return (await fixture.store.leads.get(lead.id))!;
}

const sources = { sources: [{ name: "api" }, { name: "csv" }] };

describe("dead letters", () => {
  it("lists dead leads by reason and source, and inspects one with its history", async () => {
    fixture = await createFixture(sources);
    const a = await deadLead("no_callback");
    await fixture.clock.advance(10);
    const b = await deadLead("rejected_by_clay", "csv");
    await fixture.awaiting();
    const dlq = createDeadLetters(fixture.ctx);

    expect((await dlq.list()).leads.map((lead) => lead.id)).toEqual([a.id, b.id]);
    expect((await dlq.list({ reason: "no_callback" })).leads.map((lead) => lead.id)).toEqual([
      a.id,
    ]);
    expect((await dlq.list({ source: "csv" })).leads.map((lead) => lead.id)).toEqual([b.id]);
    expect((await dlq.list({ ids: [b.id] })).leads.map((lead) => lead.id)).toEqual([b.id]);
    expect(
      (await dlq.list({ ids: [a.id, b.id], reason: "no_callback" })).leads.map((lead) => lead.id),
    ).toEqual([a.id]);
    const page = await dlq.list({ limit: 1 });
    expect(page.leads.map((lead) => lead.id)).toEqual([a.id]);
    expect((await dlq.list({ cursor: page.nextCursor! })).leads.map((lead) => lead.id)).toEqual([
      b.id,
    ]);

    const view = await dlq.inspect(a.id);
    expect(view?.lead).toMatchObject({ id: a.id, state: "dead", reason: "no_callback" });
    expect(view?.history.map((event) => event.to)).toEqual([
      "received",
      "queued",
      "sending",
      "awaiting_callback",
      "dead",
    ]);
    expect(view?.deliveries).toEqual([]);
    expect(await dlq.inspect("no-such-lead")).toBeUndefined();
  });

  it("sends a dead lead without a result to Clay again, and only the ones the filter picks", async () => {
    fixture = await createFixture(sources);
    const noCallback = await deadLead("no_callback");
    const fromCsv = await deadLead("no_callback", "csv");
    const rejected = await deadLead("rejected_by_clay");
    const dlq = createDeadLetters(fixture.ctx);

    expect(await dlq.replay({ reason: "no_callback", source: "api" })).toEqual({ replayed: 1 });
    expect(await fixture.store.leads.get(noCallback.id)).toMatchObject({
      state: "queued",
      reason: "replayed",
      availableAt: fixture.clock.now(),
    });
    expect((await fixture.store.leads.get(fromCsv.id))?.state).toBe("dead");

    expect(
      await dlq.replay({ ids: [rejected.id, noCallback.id], reason: "rejected_by_clay" }),
    ).toEqual({
      replayed: 1,
    });
    expect((await fixture.store.leads.get(rejected.id))?.state).toBe("queued");
    expect(await dlq.replay({ createdAfter: fixture.clock.now() + 1 })).toEqual({ replayed: 0 });
  });

  it("routes a dead lead whose result came back from that result, spending no credit", async () => {
    const crm = new RecordingSink("crm");
    fixture = await createFixture(
      {
        clay: {
          workspaces: [
            {
              name: "main",
              credits: { daily: { actions: 100 } },
              tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/hook" }] }],
            },
          ],
        },
        routes: { default: ["crm"] },
      },
      [crm],
    );
    const lead = await deadLead("no_callback", "api", { claypipe_id: "x", title: "CTO" });
    const day = `day:${new Date(fixture.clock.now()).toISOString().slice(0, 10)}`;
    const usedBefore = await fixture.store.ledger.used("workspace:main", day);

    expect(await createDeadLetters(fixture.ctx).replay({ ids: [lead.id] })).toEqual({
      replayed: 1,
    });
    expect((await fixture.store.leads.get(lead.id))?.state).toBe("enriched");
    await createRoutingStep(fixture.ctx)(never);
    await createDeliveryStep(fixture.ctx, crm)(never);

    expect(await fixture.store.leads.get(lead.id)).toMatchObject({
      state: "delivered",
      routes: ["default"],
    });
    expect(crm.received.map((record) => record.row.title)).toEqual(["CTO"]);
    expect(await fixture.store.ledger.used("workspace:main", day)).toEqual(usedBefore);
    expect(await fixture.store.leads.history(lead.id)).not.toContainEqual(
      expect.objectContaining({ to: "queued", reason: "replayed" }),
    );
  });

  it("replays only the chosen leads' dead deliveries of a sink", async () => {
    const crm = new RecordingSink("crm");
    crm.answer = () => ({ ok: false, retryable: false, reason: "crm refused" });
    fixture = await createFixture({ routes: { default: ["crm"] } }, [crm]);
    const first = await fixture.enriched();
    const second = await fixture.enriched();
    await createRoutingStep(fixture.ctx)(never);
    const deliver = createDeliveryStep(fixture.ctx, crm);
    await deliver(never);
    expect((await fixture.store.deliveries.dead("crm")).length).toBe(2);

    crm.answer = () => ({ ok: true });
    const dlq = createDeadLetters(fixture.ctx);
    expect(await dlq.replay({ sink: "crm", ids: [second.id] })).toEqual({ replayed: 1 });
    expect(await dlq.replay({ sink: "crm", reason: "something else" })).toEqual({ replayed: 0 });
    await expect(dlq.replay({ sink: "crn" })).rejects.toMatchObject({
      code: "input_invalid",
      hint: "replay one of: crm",
    });
    await createRoutingStep(fixture.ctx)(never);
    await deliver(never);
    expect((await fixture.store.deliveries.forLead(second.id))[0]?.state).toBe("delivered");
    expect((await fixture.store.deliveries.forLead(first.id))[0]?.state).toBe("dead");
    expect(await fixture.store.leads.get(second.id)).toMatchObject({
      state: "delivered",
      reason: "delivered to crm",
    });
    expect((await fixture.store.leads.get(first.id))?.state).toBe("delivered");
  });

  it("purges only dead leads that match", async () => {
    fixture = await createFixture(sources);
    const gone = await deadLead("no_callback", "csv");
    const kept = await deadLead("no_callback", "api");
    const alive = await fixture.awaiting({}, { source: "csv" });
    const dlq = createDeadLetters(fixture.ctx);

    expect(await dlq.purge({ source: "csv" })).toEqual({ purged: 1 });
    expect(await fixture.store.leads.get(gone.id)).toBeUndefined();
    expect((await fixture.store.leads.get(kept.id))?.state).toBe("dead");
    expect((await fixture.store.leads.get(alive.id))?.state).toBe("awaiting_callback");
    expect(await dlq.purge({ ids: [alive.id] })).toEqual({ purged: 0 });
  });
});
