/**
 * The callback deadline sweep against the emulator and a SQLite store:
 * reconciling through the public API, sending once more, and the DLQ.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { PublicApiClient } from "../../src/clay/public-api-client.js";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { createDeadlineStep } from "../../src/pipeline/deadline-step.js";
import { ERROR, WARN } from "../clay/log-capture.js";
import { ManualClock } from "../clay/manual-clock.js";
import { unclaimedCallbacks } from "../store/unclaimed-callbacks.js";
import {
  closeSendSides,
  person,
  type SendSide,
  type SendSideOptions,
  sendStepOf,
  startSendSide,
  TABLE_ID,
} from "./send-side-fixture.js";

afterEach(closeSendSides);

/** Counts the table queries reconcile makes through the side's public API client. */
function countQueries(side: SendSide): () => number {
  const client = side.ctx.publicApis.get("main")!;
  let count = 0;
  (side.ctx.publicApis as Map<string, PublicApiClient>).set("main", {
    ...client,
    queryRows: (...args) => {
      count++;
      return client.queryRows(...args);
    },
  });
  return () => count;
}

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
  const send = sendStepOf(side);
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
    const inbox = await unclaimedCallbacks(side.store, clock.now());
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
    expect(await unclaimedCallbacks(side.store, clock.now())).toHaveLength(1);
  });

  it("sends once more when the row is not finished, then dead-letters it as no_callback", async () => {
    const { side, clock, send, sweep, id, used } = await sentLead();
    const dead: Array<[string, string]> = [];
    side.ctx.events.on("dead", (leadId, reason) => dead.push([leadId, reason]));
    expect((await used()).actions).toBe(1);

    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    expect(await unclaimedCallbacks(side.store, clock.now())).toHaveLength(0);
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

  it("goes on to send once more when the public API refuses the key, saying why once", async () => {
    const { side, clock, sweep, id } = await sentLead({
      table: { autoRun: true, httpApiColumn: false },
      workspace: { publicApi: { apiKey: "not-the-key" } },
    });
    await side.emulator.control.idle();
    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    const lead = (await side.store.leads.get(id))!;
    expect(lead.state).toBe("retrying");
    expect(lead.reason).toMatch(/reconcile failed: .*API key \(401\)/);
    expect(await unclaimedCallbacks(side.store, clock.now())).toHaveLength(0);
    const errors = side.logs.filter((line) => line.level === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/reconcile.*publicApi\.apiKey/);
  });

  it("a wrong table id: one error saying what to fix, Clay asked once, leads dead as reconcile_failed", async () => {
    const clock = new ManualClock(Date.parse("2026-11-25T10:00:00Z"));
    const side = await startSendSide({ clock, configTable: { id: "t_missing" } });
    const queries = countQueries(side);
    const send = sendStepOf(side);
    const sweep = createDeadlineStep(side.ctx);
    const dead: Array<[string, string]> = [];
    side.ctx.events.on("dead", (leadId, reason) => dead.push([leadId, reason]));
    const { accepted } = await side.intake.submit(Array.from({ length: 20 }, (_, n) => person(n)));
    const ids = accepted.map((lead) => lead.id);
    while ((await send(never)) > 0);

    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(20);
    // The resend is the config's answer to a missing callback, reconcile or not.
    while ((await send(never)) > 0);
    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(20);

    expect(dead.sort()).toEqual(ids.map((id) => [id, "reconcile_failed"]).sort());
    expect(await side.store.leads.get(ids[0]!)).toMatchObject({ reason: "reconcile_failed" });
    expect(queries()).toBe(1);
    const errors = side.logs.filter((line) => line.level === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 404, table: "leads" });
    expect(errors[0]!.msg).toMatch(/no table "t_missing".*table's `id`/);
    expect(side.logs.filter((line) => line.err !== undefined)).toEqual([]);
  });

  it("a 429 storm on the public API: reconcile waits out Retry-After and looks again later, no lead is resent", async () => {
    const clock = new ManualClock(Date.parse("2026-11-25T10:00:00Z"));
    const side = await startSendSide({ clock, table: { autoRun: true, httpApiColumn: false } });
    const send = sendStepOf(side);
    const sweep = createDeadlineStep(side.ctx, { reconcileGraceMs: 30_000 });
    const { accepted } = await side.intake.submit(Array.from({ length: 10 }, (_, n) => person(n)));
    while ((await send(never)) > 0);
    await side.emulator.control.idle();
    side.emulator.control.setFaults({
      publicApiRateLimitStorm: { durationMs: 60_000, retryAfterSeconds: 1 },
    });

    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(10);
    for (const { id } of accepted) {
      const lead = (await side.store.leads.get(id))!;
      expect(lead).toMatchObject({ state: "awaiting_callback", attempt: 1 });
      expect(lead.callbackDeadline).toBe(clock.now() + 60_000);
      expect(lead.reason).toMatch(/reconcile postponed: .*answered 429/);
    }
    // Two tries of the first lead, the second after Retry-After; the others wait without asking.
    expect(side.emulator.control.snapshot().workspaces[0]!.publicApi.rateLimited).toBe(2);
    expect(
      side.logs.filter((line) => line.level === WARN && /public API/.test(line.msg)),
    ).toHaveLength(1);

    side.emulator.control.clearFaults();
    expect(await sweep(never)).toBe(0);
    await clock.advance(60_000);
    expect(await sweep(never)).toBe(10);
    expect(await unclaimedCallbacks(side.store, clock.now())).toHaveLength(10);
  });

  it("goes on without reconciling when Clay's public API stays away for every look", async () => {
    const { side, clock, id } = await sentLead({
      workspace: { publicApi: { baseUrl: "http://127.0.0.1:9/public/v0" } },
    });
    const sweep = createDeadlineStep(side.ctx, { reconcile: { tries: 2, retryFirstMs: 1000 } });
    await clock.advance(DEADLINE_MS);
    expect(await sweep(never)).toBe(1);
    expect(await side.store.leads.get(id)).toMatchObject({ state: "awaiting_callback" });
    await clock.advance(1000);
    expect(await sweep(never)).toBe(1);
    const lead = (await side.store.leads.get(id))!;
    expect(lead.state).toBe("retrying");
    expect(lead.reason).toMatch(/did not answer on 2 looks/);
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
