/**
 * The callback deadline sweep against the emulator and a SQLite store:
 * reconciling through the public API, sending once more, and the DLQ.
 */
import { afterEach, describe, expect, it } from "vitest";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { createDeadlineStep } from "../../src/pipeline/deadline-step.js";
import { createSendStep } from "../../src/pipeline/send-step.js";
import { ManualClock } from "../clay/manual-clock.js";
import {
  closeSendSides,
  person,
  type SendSideOptions,
  startSendSide,
  TABLE_ID,
} from "./send-side-fixture.js";

afterEach(closeSendSides);

const never = new AbortController().signal;
const DEADLINE_MS = 5 * 60_000;

/** One lead sent to the emulator, its deadline not yet passed. */
async function sentLead(options: SendSideOptions = {}) {
  const clock = new ManualClock(Date.parse("2026-11-25T10:00:00Z"));
  const side = await startSendSide({
    ...options,
    clock,
    workspace: { credits: { daily: { actions: 100 } }, ...options.workspace },
  });
  const send = createSendStep(side.ctx, { budget: side.budget });
  const sweep = createDeadlineStep(side.ctx, { reconcileGraceMs: 30_000 });
  const { accepted } = await side.intake.submit([person(1)]);
  const id = accepted[0]!.id;
  expect(await send(never)).toBe(1);
  expect(await side.store.leads.get(id)).toMatchObject({ state: "awaiting_callback", attempt: 1 });
  const used = async () =>
    side.store.ledger.used("workspace:main", windowAt("day", clock.now()).key);
  return { side, clock, send, sweep, id, used };
}

describe("deadline step", () => {
  it("leaves leads alone until their deadline", async () => {
    const { sweep, clock, side, id } = await sentLead();
    await clock.advance(DEADLINE_MS - 1);
    expect(await sweep(never)).toBe(0);
    expect((await side.store.leads.get(id))!.state).toBe("awaiting_callback");
  });

  it("reconciles through the public API: a finished row goes to the inbox as its callback would", async () => {
    const { side, clock, sweep, id } = await sentLead({
      table: { autoRun: true, httpApiColumn: false },
    });
    await side.emulator.control.idle();
    const row = side.emulator.control.rows(TABLE_ID)[0]!;
    expect(row.status).toBe("enriched");

    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    const inbox = await side.store.inbox.pending(10);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      leadId: id,
      attempt: 1,
      receivedAt: clock.now(),
      body: { ...row.fields, clay_row_id: row.id },
    });
    const lead = (await side.store.leads.get(id))!;
    expect(lead).toMatchObject({ state: "awaiting_callback", attempt: 1 });
    expect(lead.callbackDeadline).toBe(clock.now() + 30_000);
    expect((await side.store.leads.history(id)).at(-1)!.reason).toContain("public API");

    // Not looked at again while the inbox processor has it.
    expect(await sweep(never)).toBe(0);
    expect(await side.store.inbox.pending(10)).toHaveLength(1);
  });

  it("sends once more when the row is not finished, then dead-letters it as no_callback", async () => {
    const { side, clock, send, sweep, id, used } = await sentLead();
    const dead: Array<[string, string]> = [];
    side.ctx.events.on("dead", (leadId, reason) => dead.push([leadId, reason]));
    expect((await used()).actions).toBe(1);

    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    expect(await side.store.inbox.pending(10)).toHaveLength(0);
    const retrying = (await side.store.leads.get(id))!;
    expect(retrying).toMatchObject({
      state: "retrying",
      reason: "no callback by the deadline: sending once more",
      availableAt: clock.now(),
    });

    expect(await send(never)).toBe(1);
    const resent = (await side.store.leads.get(id))!;
    expect(resent).toMatchObject({ state: "awaiting_callback", attempt: 2 });
    const rows = side.emulator.control
      .rows(TABLE_ID)
      .filter((row) => row.fields.claypipe_id === id);
    expect(rows).toHaveLength(2);
    const token = String(rows[1]!.fields.callback_url).split("/").at(-1)!;
    expect(side.ctx.signer.verify(token)).toMatchObject({ ok: true, leadId: id, attempt: 2 });
    // One lead, one reservation, however many sends.
    expect((await used()).actions).toBe(1);

    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    expect(await side.store.leads.get(id)).toMatchObject({ state: "dead", reason: "no_callback" });
    expect(dead).toEqual([[id, "no_callback"]]);
    expect((await used()).actions).toBe(0);
  });

  it("dead-letters at once when retryOnce is off and there is no public API", async () => {
    const { side, clock, sweep, id, used } = await sentLead({
      workspace: { publicApi: false },
      config: {
        callbacks: {
          baseUrl: "http://127.0.0.1:9/hooks",
          secret: "s".repeat(32),
          deadline: "5m",
          retryOnce: false,
        },
      },
    });
    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    expect(await side.store.leads.get(id)).toMatchObject({ state: "dead", reason: "no_callback" });
    expect((await used()).actions).toBe(0);
  });

  it("goes on to send once more when the public API refuses to answer", async () => {
    const { side, clock, sweep, id } = await sentLead({
      table: { autoRun: true, httpApiColumn: false },
      workspace: { publicApi: { apiKey: "not-the-key" } },
    });
    await side.emulator.control.idle();
    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    expect((await side.store.leads.get(id))!.state).toBe("retrying");
    expect(await side.store.inbox.pending(10)).toHaveLength(0);
    expect(side.logs.some((line) => line.leadId === id && /reconcile/.test(line.msg))).toBe(true);
  });

  it("releases the duplicates waiting for a lead that gets no callback", async () => {
    const { side, clock, sweep } = await sentLead({
      workspace: { publicApi: false },
      config: {
        callbacks: {
          baseUrl: "http://127.0.0.1:9/hooks",
          secret: "s".repeat(32),
          deadline: "5m",
          retryOnce: false,
        },
      },
    });
    const { accepted } = await side.intake.submit([person(1)]);
    expect(accepted[0]).toMatchObject({ state: "duplicate" });
    await clock.advance(DEADLINE_MS);
    await sweep(never);
    expect(await side.store.leads.get(accepted[0]!.id)).toMatchObject({
      state: "queued",
      duplicateOf: null,
    });
  });
});
