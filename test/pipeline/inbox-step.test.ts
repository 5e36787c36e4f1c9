/** The inbox step on the real SQLite store: one enrichment per lead, one settle, duplicates served, safe re-runs. */
import { afterEach, describe, expect, it } from "vitest";
import { createInboxStep } from "../../src/pipeline/inbox-step.js";
import type { EnrichedRow } from "../../src/store/store.js";
import { unclaimedCallbacks } from "../store/unclaimed-callbacks.js";
import { clayBody, createFixture, type Fixture } from "./callback-side-fixture.js";

let fixture: Fixture;
afterEach(() => fixture?.close());

const never = new AbortController().signal;
const caps = { clay: { workspaces: [workspace({ actions: 1_000, data: 10_000 })] } };

function workspace(daily: { actions: number; data: number }) {
  return {
    name: "main",
    costEstimate: { actions: 4, data: 10 },
    credits: { daily },
    tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/hook" }] }],
  };
}

function today(): string {
  return `day:${new Date(fixture.clock.now()).toISOString().slice(0, 10)}`;
}

function recordEnriched(): Array<[string, EnrichedRow]> {
  const seen: Array<[string, EnrichedRow]> = [];
  fixture.ctx.events.on("enriched", (id, row) => seen.push([id, row]));
  return seen;
}

describe("inbox step", () => {
  it("enriches a lead once and settles it once when the same callback comes twice", async () => {
    fixture = await createFixture(caps);
    const lead = await fixture.awaiting({}, { reserve: { actions: 1, data: 1 } });
    const enriched = recordEnriched();
    const body = clayBody(lead);
    const now = fixture.clock.now();
    await fixture.store.inbox.append([{ leadId: lead.id, attempt: 1, body, receivedAt: now }]);
    await fixture.store.inbox.append([{ leadId: lead.id, attempt: 1, body, receivedAt: now }]);

    const step = createInboxStep(fixture.ctx);
    expect(await step(never)).toBe(2);
    expect(await step(never)).toBe(0);

    const stored = await fixture.store.leads.get(lead.id);
    expect(stored?.state).toBe("enriched");
    const { callback_url: _dropped, ...expected } = body;
    expect(stored?.result).toEqual(expected);
    expect(stored?.result?.claypipe_id).toBe(lead.id);
    expect(stored?.availableAt).toBe(now);
    const history = await fixture.store.leads.history(lead.id);
    expect(history.filter((event) => event.to === "enriched")).toHaveLength(1);
    expect(enriched.map(([id]) => id)).toEqual([lead.id]);
    // Reserved 1/1, settled once to the workspace estimate 4/10 (twice would not change it: settle is per lead).
    expect(await fixture.store.ledger.used("workspace:main", today())).toEqual({
      actions: 4,
      data: 10,
    });
    expect(await unclaimedCallbacks(fixture.store, fixture.clock.now())).toEqual([]);
  });

  it("serves every waiting duplicate the same result and counts the credits saved", async () => {
    fixture = await createFixture();
    const original = await fixture.awaiting({ email: "ada@acme.com" });
    const first = await fixture.admit({ email: "ada@acme.com" });
    const second = await fixture.admit({ email: "ada@acme.com" });
    expect([first.state, second.state]).toEqual(["duplicate", "duplicate"]);
    const enriched = recordEnriched();

    await fixture.store.inbox.append([
      {
        leadId: original.id,
        attempt: 1,
        body: clayBody(original),
        receivedAt: fixture.clock.now(),
      },
    ]);
    await createInboxStep(fixture.ctx)(never);

    const result = (await fixture.store.leads.get(original.id))?.result;
    for (const duplicate of [first, second]) {
      const stored = await fixture.store.leads.get(duplicate.id);
      expect(stored?.state).toBe("enriched");
      expect(stored?.result).toEqual(result);
    }
    expect(enriched.map(([id]) => id).sort()).toEqual([original.id, first.id, second.id].sort());
    expect(await fixture.store.ledger.saved()).toEqual({ actions: 8, data: 20 });
  });

  it("finishes the work of a pass that died after enriching the lead, without doing anything twice", async () => {
    fixture = await createFixture(caps);
    const original = await fixture.awaiting(
      { email: "bo@acme.com" },
      { reserve: { actions: 1, data: 1 } },
    );
    const duplicate = await fixture.admit({ email: "bo@acme.com" });
    const body = clayBody(original);
    await fixture.store.inbox.append([
      { leadId: original.id, attempt: 1, body, receivedAt: fixture.clock.now() },
    ]);
    // What a crash right after the first write of the pass leaves behind.
    await fixture.store.leads.transition(original.id, "awaiting_callback", "enriched", {
      result: { ...body, callback_url: undefined },
      availableAt: fixture.clock.now(),
    });

    expect(await createInboxStep(fixture.ctx)(never)).toBe(1);
    expect((await fixture.store.leads.get(duplicate.id))?.state).toBe("enriched");
    expect(await fixture.store.ledger.used("workspace:main", today())).toEqual({
      actions: 4,
      data: 10,
    });
    expect(await fixture.store.ledger.saved()).toEqual({ actions: 4, data: 10 });
    const history = await fixture.store.leads.history(original.id);
    expect(history.filter((event) => event.to === "enriched")).toHaveLength(1);
  });

  it("takes a late result for a lead that went dead, was sent again, or is still being sent", async () => {
    fixture = await createFixture();
    const dead = await fixture.awaiting();
    await fixture.store.leads.transition(dead.id, "awaiting_callback", "dead", {
      reason: "no_callback",
    });
    const requeued = await fixture.awaiting();
    await fixture.store.leads.transition(requeued.id, "awaiting_callback", "retrying", {});
    const sending = await fixture.admit({});
    await fixture.store.leads.transition(sending.id, "queued", "sending", {});

    const now = fixture.clock.now();
    await fixture.store.inbox.append(
      [dead, requeued, sending].map((lead) => ({
        leadId: lead.id,
        attempt: 1,
        body: clayBody(lead),
        receivedAt: now,
      })),
    );
    expect(await createInboxStep(fixture.ctx)(never)).toBe(3);
    for (const lead of [dead, requeued, sending]) {
      expect((await fixture.store.leads.get(lead.id))?.state).toBe("enriched");
    }
  });

  it("marks callbacks of purged leads processed and moves on", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    await fixture.store.leads.transition(lead.id, "awaiting_callback", "dead", {
      reason: "no_callback",
    });
    await fixture.store.leads.purge([lead.id]);
    await fixture.store.inbox.append([
      { leadId: lead.id, attempt: 1, body: clayBody(lead), receivedAt: fixture.clock.now() },
    ]);
    expect(await createInboxStep(fixture.ctx)(never)).toBe(1);
    expect(await unclaimedCallbacks(fixture.store, fixture.clock.now())).toEqual([]);
  });

  it("lets passes that overlap process each callback once", async () => {
    fixture = await createFixture();
    const leads = [await fixture.awaiting(), await fixture.awaiting(), await fixture.awaiting()];
    const enriched = recordEnriched();
    await fixture.store.inbox.append(
      leads.map((lead) => ({
        leadId: lead.id,
        attempt: 1,
        body: clayBody(lead),
        receivedAt: fixture.clock.now(),
      })),
    );
    const step = createInboxStep(fixture.ctx);
    const counts = await Promise.all([step(never), step(never)]);
    expect(counts[0]! + counts[1]!).toBe(3);
    expect(enriched.map(([id]) => id).sort()).toEqual(leads.map((lead) => lead.id).sort());
  });

  it("leaves the callbacks of a stopping pass to the next one at once", async () => {
    fixture = await createFixture();
    const lead = await fixture.awaiting();
    await fixture.store.inbox.append([
      { leadId: lead.id, attempt: 1, body: clayBody(lead), receivedAt: fixture.clock.now() },
    ]);
    const stopping = new AbortController();
    stopping.abort();
    expect(await createInboxStep(fixture.ctx)(stopping.signal)).toBe(0);
    expect(await unclaimedCallbacks(fixture.store, fixture.clock.now())).toHaveLength(1);
    expect(await createInboxStep(fixture.ctx)(never)).toBe(1);
    expect((await fixture.store.leads.get(lead.id))?.state).toBe("enriched");
  });
});
