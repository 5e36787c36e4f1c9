/**
 * The send step against the real emulator and a SQLite store: rows in Clay with
 * their id and signed callback URL, the credit cap and its next window, the
 * circuit breaker through an outage, and every way a send can end.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { newLeadId } from "../../src/core/ids.js";
import type { Lead } from "../../src/core/lead.js";
import { createCapacityStep } from "../../src/pipeline/capacity-step.js";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { createDeferredStep } from "../../src/pipeline/deferred-step.js";
import { MAX_SENDS } from "../../src/pipeline/lead-send.js";
import { ERROR, WARN } from "../clay/log-capture.js";
import { ManualClock } from "../clay/manual-clock.js";
import {
  closeSendSides,
  person,
  type SendSide,
  type SendSideOptions,
  sendStepOf,
  startSendSide,
  TABLE_ID,
} from "../pipeline/send-side-fixture.js";

afterEach(closeSendSides);

const never = new AbortController().signal;

async function setup(options: SendSideOptions = {}) {
  const side = await startSendSide(options);
  const step = sendStepOf(side);
  return { side, step };
}

async function submit(side: SendSide, count: number, from = 0): Promise<string[]> {
  const leads = Array.from({ length: count }, (_, index) => person(from + index));
  const { accepted } = await side.intake.submit(leads);
  return accepted.map((entry) => entry.id);
}

async function states(side: SendSide, ids: string[]) {
  return Promise.all(ids.map(async (id) => (await side.store.leads.get(id))!.state));
}

describe("send step", () => {
  it("sends queued leads: rows carry claypipe_id and a callback URL whose token verifies", async () => {
    const { side, step } = await setup();
    const ids = await submit(side, 5);
    const before = Date.now();
    expect(await step(never)).toBe(5);

    const rows = side.emulator.control.rows(TABLE_ID);
    expect(rows.map((row) => row.fields.claypipe_id).sort()).toEqual([...ids].sort());
    for (const row of rows) {
      const url = String(row.fields.callback_url);
      expect(url.startsWith("http://127.0.0.1:9/hooks/v1/callbacks/clay/")).toBe(true);
      const verified = side.ctx.signer.verify(url.slice(url.lastIndexOf("/") + 1));
      expect(verified).toMatchObject({ ok: true, leadId: row.fields.claypipe_id, attempt: 1 });
      expect(row.fields.email).toMatch(/^person\d@example\.com$/);
    }
    for (const id of ids) {
      const lead = (await side.store.leads.get(id))!;
      expect(lead).toMatchObject({ state: "awaiting_callback", attempt: 1 });
      expect(lead.callbackDeadline).toBeGreaterThanOrEqual(before + 5 * 60_000);
      expect(lead.callbackDeadline).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    }
    expect(await side.breaker.state()).toBe("closed");
    expect(await step(never)).toBe(0);
  });

  it("sends the lower priority number first", async () => {
    const { side } = await setup({
      config: {
        sources: [
          { name: "backfill", priority: 50 },
          { name: "web", priority: 0 },
        ],
        sender: { concurrency: 1, initialBackoff: 10, maxBackoff: 50, maxAttempts: 1 },
      },
    });
    const step = sendStepOf(side, 1);
    const backfill = await side.intake.submit([person(1)], { source: "backfill" });
    const web = await side.intake.submit([person(2)], { source: "web" });
    await step(never);
    expect(await states(side, [web.accepted[0]!.id, backfill.accepted[0]!.id])).toEqual([
      "awaiting_callback",
      "queued",
    ]);
  });

  it("defers leads at a credit cap until the next UTC day, then sends them, never over the cap", async () => {
    const clock = new ManualClock(Date.parse("2026-11-25T22:00:00Z"));
    const { side, step } = await setup({
      clock,
      workspace: { costEstimate: { actions: 1, data: 10 }, credits: { daily: { data: 30 } } },
    });
    const deferredStep = createDeferredStep(side.ctx);
    const ids = await submit(side, 5);
    await step(never);

    const leads = await Promise.all(ids.map((id) => side.store.leads.get(id)));
    const sent = leads.filter((lead) => lead!.state === "awaiting_callback");
    const deferred = leads.filter((lead) => lead!.state === "deferred");
    expect(sent).toHaveLength(3);
    expect(deferred).toHaveLength(2);
    for (const lead of deferred) {
      expect(lead!.availableAt).toBe(Date.parse("2026-11-26T00:00:00Z"));
      expect(lead!.reason).toBe("credit cap workspace:main day 2026-11-25 reached (data 30/30)");
    }
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(3);
    expect(await side.store.ledger.used("workspace:main", "day:2026-11-25")).toEqual({
      actions: 3,
      data: 30,
    });
    const warnings = side.logs.filter((line) => line.level === WARN && line.creditHold);
    expect(warnings.map((line) => line.msg)).toEqual([
      expect.stringMatching(
        /^[12] leads? waits? as deferred until 2026-11-26T00:00:00\.000Z \(UTC\), held by the workspace:main daily cap \(data 30\/30\); raise the cap/,
      ),
    ]);

    // Still the same day: nothing moves.
    await clock.advance(60 * 60_000);
    expect(await deferredStep(never)).toBe(0);
    expect(await step(never)).toBe(0);

    await clock.advance(60 * 60_000);
    expect(await deferredStep(never)).toBe(2);
    for (const lead of deferred) {
      const history = await side.store.leads.history(lead!.id);
      expect(history.at(-1)).toMatchObject({
        from: "deferred",
        to: "queued",
        reason: "budget window reopened",
      });
    }
    expect(await step(never)).toBe(2);
    expect(await states(side, ids)).toEqual(Array(5).fill("awaiting_callback"));
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(5);
    expect(await side.store.ledger.used("workspace:main", "day:2026-11-25")).toEqual({
      actions: 3,
      data: 30,
    });
    expect(await side.store.ledger.used("workspace:main", "day:2026-11-26")).toEqual({
      actions: 2,
      data: 20,
    });
  });

  it("holds to a source's monthly cap across the month's end", async () => {
    const clock = new ManualClock(Date.parse("2026-11-30T23:00:00Z"));
    const { side, step } = await setup({
      clock,
      config: { sources: [{ name: "web", credits: { monthly: { actions: 2 } } }] },
    });
    const deferredStep = createDeferredStep(side.ctx);
    const ids = await submit(side, 3);
    await step(never);
    const deferred = (await Promise.all(ids.map((id) => side.store.leads.get(id)))).filter(
      (lead) => lead!.state === "deferred",
    );
    expect(deferred).toHaveLength(1);
    expect(deferred[0]!.availableAt).toBe(Date.parse("2026-12-01T00:00:00Z"));
    expect(deferred[0]!.reason).toBe("credit cap source:web month 2026-11 reached (actions 2/2)");
    await clock.advance(60 * 60_000);
    expect(await deferredStep(never)).toBe(1);
    expect(await step(never)).toBe(1);
    expect(await side.store.ledger.used("source:web", "month:2026-12")).toEqual({
      actions: 1,
      data: 10,
    });
  });

  it("keeps every cap when many leads race for the last credits", async () => {
    const { side, step } = await setup({
      workspace: { credits: { daily: { actions: 7 } } },
      config: { sender: { concurrency: 8, initialBackoff: 10, maxBackoff: 50, maxAttempts: 1 } },
    });
    const ids = await submit(side, 20);
    await step(never);
    const counts = await side.store.leads.countByState();
    expect(counts.awaiting_callback).toBe(7);
    expect(counts.deferred).toBe(13);
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(7);
    expect(
      (await side.store.ledger.used("workspace:main", windowAt("day", Date.now()).key)).actions,
    ).toBe(7);
    expect(ids).toHaveLength(20);
  });

  it("opens the breaker in an outage: leads wait as queued, then go once Clay answers", async () => {
    const { side } = await setup({
      config: {
        breaker: { failureRate: 0.5, minRequests: 2, window: "10s", openFor: 800 },
        sender: { concurrency: 1, initialBackoff: 10, maxBackoff: 50, maxAttempts: 1 },
      },
    });
    const step = sendStepOf(side, 10);
    const ids = await submit(side, 6);
    side.emulator.control.setFaults({ outage: { durationMs: 1000 } });
    expect(await step(never)).toBe(6);

    expect(await side.breaker.state()).toBe("open");
    const gate = await side.breaker.allow();
    if (gate.allowed) throw new Error("the breaker should refuse while open");
    const leads = await Promise.all(ids.map((id) => side.store.leads.get(id)));
    const waiting = leads.filter((lead) => lead!.state === "queued");
    expect(leads.filter((lead) => lead!.state === "retrying")).toHaveLength(2);
    expect(waiting).toHaveLength(4);
    for (const lead of waiting) {
      expect(lead!.availableAt).toBe(gate.retryAt);
      expect(lead!.attempt).toBe(0);
      expect(lead!.reason).toContain("circuit breaker");
    }
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(0);

    const deadline = Date.now() + 10_000;
    while ((await side.store.leads.countByState()).awaiting_callback < 6 && Date.now() < deadline) {
      await step(never);
      await sleep(20);
    }
    expect(await states(side, ids)).toEqual(Array(6).fill("awaiting_callback"));
    expect(await side.breaker.state()).toBe("closed");
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(6);
    const logged = side.logs.map((line) => line.msg);
    expect(logged.some((msg) => msg.includes("opened"))).toBe(true);
    expect(logged.some((msg) => msg.includes("closed"))).toBe(true);
  });

  it("defers leads for sender.capacityWait when the table has no webhook left, and says so once", async () => {
    const clock = new ManualClock();
    const capacityWait = 2 * 60_000;
    const { side, step } = await setup({
      clock,
      webhook: { submissionLimit: 2 },
      workspace: { credits: { daily: { actions: 100 } } },
      config: {
        sender: {
          initialBackoff: 10,
          maxBackoff: 50,
          maxAttempts: 1,
          requestTimeout: 5000,
          capacityWait: "2m",
        },
      },
    });
    const ids = await submit(side, 4);
    await step(never);
    const leads = await Promise.all(ids.map((id) => side.store.leads.get(id)));
    const deferred = leads.filter((lead) => lead!.state === "deferred");
    expect(leads.filter((lead) => lead!.state === "awaiting_callback")).toHaveLength(2);
    expect(deferred).toHaveLength(2);
    for (const lead of deferred) {
      expect(lead!.availableAt).toBe(clock.now() + capacityWait);
      expect(lead!.reason).toMatch(/^no capacity: every webhook source/);
    }
    // Credits go back for the two that were never sent.
    const day = windowAt("day", clock.now()).key;
    expect((await side.store.ledger.used("workspace:main", day)).actions).toBe(2);
    const loud = side.logs.filter(
      (line) => line.level === ERROR && line.msg.startsWith("leads wait as deferred"),
    );
    expect(loud).toHaveLength(1);

    await clock.advance(capacityWait);
    expect(await createDeferredStep(side.ctx)(never)).toBe(2);
    const history = await side.store.leads.history(deferred[0]!.id);
    expect(history.at(-1)!.reason).toMatch(/^retry capacity/);
  });

  it("dead-letters a lead Clay rejects; its credits go back and its duplicates go on their own", async () => {
    const { side, step } = await setup({
      workspace: { credits: { daily: { actions: 100 } } },
      config: { breaker: { minRequests: 1, failureRate: 0.5 } },
    });
    const dead: Array<[string, string]> = [];
    side.ctx.events.on("dead", (id, reason) => dead.push([id, reason]));
    side.emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 422 });
    const [original] = await submit(side, 1);
    const { accepted } = await side.intake.submit([person(0)]);
    expect(accepted[0]!.state).toBe("duplicate");

    expect(await step(never)).toBe(1);
    const lead = (await side.store.leads.get(original!))!;
    expect(lead).toMatchObject({ state: "dead", reason: "rejected_by_clay", attempt: 1 });
    expect(dead).toEqual([[original, "rejected_by_clay"]]);
    expect(side.logs.some((line) => line.leadId === original && /422/.test(line.msg))).toBe(true);
    expect(await side.store.ledger.used("workspace:main", windowAt("day", Date.now()).key)).toEqual(
      {
        actions: 0,
        data: 0,
      },
    );
    // Clay answered: a refusal of one row does not count against its availability.
    expect(await side.breaker.state()).toBe("closed");

    const duplicate = (await side.store.leads.get(accepted[0]!.id))!;
    expect(duplicate).toMatchObject({ state: "queued", duplicateOf: null });
    expect(duplicate.reason).toContain(original);
  });

  it("takes a webhook Clay answers 404 out of the pool: the next one sends, nothing is counted for it, one error", async () => {
    const { side, step } = await setup({
      webhooks: (url) => [{ url: `${url}-nope` }, { url }],
    });
    const ids = await submit(side, 6);
    await step(never);
    expect(await states(side, ids)).toEqual(ids.map(() => "awaiting_callback"));
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(6);
    const capacity = await side.ctx.senders.get("main")!.capacity("leads");
    expect(capacity.table.used).toBe(6);
    expect(capacity.webhooks.map((webhook) => webhook.used)).toEqual([0, 6]);
    const errors = side.logs.filter((line) => line.level === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(
      /webhook #0 .*404.*clay\.workspaces\[\]\.tables\[\]\.webhooks\[0\]\.url.*webhook #1 takes over/,
    );
    expect(side.logs.filter((line) => line.level === WARN)).toHaveLength(0);
  });

  it("defers leads for capacity, not dead, when the only webhook is refused as configured (401 or 404)", async () => {
    for (const webhooks of [
      (url: string) => [{ url: `${url}-nope` }],
      (url: string) => [{ url, authToken: "wrong-token" }],
    ]) {
      const { side, step } = await setup({
        webhooks,
        table: { webhooks: [{ authToken: "right-token" }] },
      });
      const ids = await submit(side, 3);
      await step(never);
      const leads = await Promise.all(ids.map((id) => side.store.leads.get(id)));
      for (const lead of leads) {
        expect(lead!.state).toBe("deferred");
        expect(lead!.reason).toMatch(/^no capacity: no usable webhook source/);
      }
      expect((await side.ctx.senders.get("main")!.capacity("leads")).table.used).toBe(0);
      expect(side.logs.filter((line) => /webhook #0 .*is unusable/.test(line.msg))).toHaveLength(1);
      // No room is seen where Clay refuses the webhook: the leads are not taken back in a loop.
      expect(await createCapacityStep(side.ctx)(never)).toBe(0);
    }
  });

  it("dead-letters a lead too large for Clay without posting it", async () => {
    const { side, step } = await setup();
    // Intake refuses such a lead; one stored before that check (or by another way in) still
    // meets the sender's own check.
    const workspace = side.ctx.config.clay.workspaces[0]!;
    const [admitted] = await side.store.leads.admit(
      [
        {
          id: newLeadId(Date.now()),
          source: side.ctx.config.sources[0]!.name,
          workspace: workspace.name,
          table: workspace.tables[0]!.name,
          identityKey: "email:person1@example.com",
          fields: person(1, { notes: "x".repeat(110_000) }) as Lead,
          priority: 0,
        },
      ],
      { dedupeSince: 0, now: Date.now() },
    );
    await step(never);
    expect(await side.store.leads.get(admitted!.id)).toMatchObject({
      state: "dead",
      reason: "payload_too_large",
      attempt: 0,
    });
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(0);
  });

  it("retries a failed send later, and dead-letters it after the third", async () => {
    const clock = new ManualClock();
    const { side, step } = await setup({
      clock,
      workspace: { credits: { daily: { actions: 100 } } },
      config: { breaker: { minRequests: 100 } },
    });
    side.emulator.control.setFaults({ webhookErrorRate: 1 });
    const [id] = await submit(side, 1);
    const day = windowAt("day", clock.now()).key;

    for (let send = 1; send < MAX_SENDS; send++) {
      expect(await step(never)).toBe(1);
      const lead = (await side.store.leads.get(id!))!;
      expect(lead).toMatchObject({ state: "retrying", attempt: send });
      expect(lead.availableAt).toBe(clock.now() + 50 * 2 ** (send - 1));
      expect((await side.store.ledger.used("workspace:main", day)).actions).toBe(0);
      expect(await step(never)).toBe(0);
      await clock.advance(lead.availableAt - clock.now());
    }
    expect(await step(never)).toBe(1);
    expect(await side.store.leads.get(id!)).toMatchObject({
      state: "dead",
      reason: "send_failed",
      attempt: MAX_SENDS,
    });
    expect((await side.store.ledger.used("workspace:main", day)).actions).toBe(0);
  });

  it("puts claimed leads back when stopped before sending them", async () => {
    const { side, step } = await setup({
      config: { sender: { concurrency: 1, initialBackoff: 10, maxBackoff: 50, maxAttempts: 1 } },
    });
    const ids = await submit(side, 3);
    const stop = new AbortController();
    stop.abort();
    expect(await step(stop.signal)).toBe(3);
    expect(await states(side, ids)).toEqual(["queued", "queued", "queued"]);
    expect(side.emulator.control.rows(TABLE_ID)).toHaveLength(0);
  });
});
