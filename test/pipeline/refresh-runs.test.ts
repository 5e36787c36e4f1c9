/**
 * Refresh runs on real stores: which stale versions a run renews (filters,
 * the per-run limit, the share of the credits left), the refresh lane, and the
 * schedule itself — a cron time taken once by two processes racing on one
 * PostgreSQL store, kept across a restart, a missed time run once.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/core/clock.js";
import { REFRESH_PRIORITY } from "../../src/pipeline/intake-service.js";
import { createRefreshRuns } from "../../src/pipeline/refresh-runs.js";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import type { EnrichedRow } from "../../src/store/store.js";
import { ManualClock } from "../clay/manual-clock.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";
import { closeSendSides, person, type SendSide, startSendSide } from "./send-side-fixture.js";

afterEach(closeSendSides);

const DAY = 86_400_000;
/** 2026-01-05T00:00Z, a Monday. */
const START = Date.UTC(2026, 0, 5);
const SCHEDULE = {
  name: "quarterly",
  schedule: "0 3 * * *",
  olderThan: "90d",
};

/** Submits `count` people and takes each through the store's own moves to delivered with `result`. */
async function deliveredLeads(
  side: SendSide,
  count: number,
  result: (index: number) => EnrichedRow,
  source?: string,
  firstPerson = 1,
): Promise<string[]> {
  const { accepted } = await side.intake.submit(
    Array.from({ length: count }, (_, index) => person(firstPerson + index)),
    source ? { source } : {},
  );
  const { leads } = side.store;
  const ids = accepted.map((entry) => entry.id);
  for (const [index, id] of ids.entries()) {
    await leads.transition(id, "queued", "sending", {});
    await leads.transition(id, "sending", "awaiting_callback", { attempt: 1, callbackDeadline: 1 });
    await leads.transition(id, "awaiting_callback", "enriched", { result: result(index) });
    await leads.transition(id, "enriched", "delivered", { routes: ["hot"] });
  }
  return ids;
}

function runsOf(side: SendSide) {
  return createRefreshRuns(side.ctx, side.intake, () => {});
}

async function refreshLeads(side: SendSide) {
  const { leads } = await side.store.leads.list({ states: ["queued"], limit: 1000 });
  return leads.filter((lead) => lead.priority === REFRESH_PRIORITY);
}

describe("refresh runs", () => {
  it("renews each stale person once, in the refresh lane, past the dedupe window", async () => {
    const clock = new ManualClock(START);
    const side = await startSendSide({ clock, config: { refresh: [SCHEDULE] } });
    const ids = await deliveredLeads(side, 3, (i) => ({ title: `T${i}` }));
    const runs = runsOf(side);

    expect((await runs.plan("quarterly")).leads).toEqual([]);
    await clock.advance(91 * DAY);
    const plan = await runs.plan("quarterly");
    expect(plan.leads.map((lead) => lead.id).sort()).toEqual([...ids].sort());
    expect(plan.estimatedCredits).toEqual({ actions: 3, data: 30 });

    const figures = await runs.runNow("quarterly");
    expect(figures).toMatchObject({ examined: 3, refreshed: 3, skipped: 0, stoppedBy: null });
    const renewed = await refreshLeads(side);
    expect(renewed).toHaveLength(3);
    expect(renewed.map((lead) => lead.fields.email).sort()).toEqual([
      "person1@example.com",
      "person2@example.com",
      "person3@example.com",
    ]);
    // A person whose refresh is in flight is not stale any more.
    expect((await runs.plan("quarterly")).leads).toEqual([]);
    expect((await runs.status())[0]).toMatchObject({ name: "quarterly", lastRun: figures });
  });

  it("takes only what its filters name, at most maxPerRun, within its share of the credits left", async () => {
    const clock = new ManualClock(START);
    const side = await startSendSide({
      clock,
      // 20 actions a day left; a 0.5 share is 10 leads at 1 action each.
      workspace: { credits: { daily: { actions: 20 } } },
      config: {
        sources: [{ name: "api" }, { name: "csv", priority: 10 }],
        refresh: [
          { ...SCHEDULE, name: "hot-csv", sources: ["csv"], where: "score >= 50" },
          { ...SCHEDULE, name: "capped", maxPerRun: 4 },
          { ...SCHEDULE, name: "budget" },
        ],
      },
    });
    await deliveredLeads(side, 6, (i) => ({ score: i * 20 }), "csv");
    await deliveredLeads(side, 14, () => ({ score: 100 }), "api", 7);
    await clock.advance(91 * DAY);
    const runs = runsOf(side);

    const hot = await runs.plan("hot-csv");
    expect(hot.leads.map((lead) => lead.result?.score).sort()).toEqual([100, 60, 80]);
    expect(hot.stoppedBy).toBeNull();
    expect(await runs.plan("capped")).toMatchObject({ examined: 5, stoppedBy: "maxPerRun" });
    expect((await runs.plan("capped")).leads).toHaveLength(4);
    const budget = await runs.plan("budget");
    expect(budget.leads).toHaveLength(10);
    expect(budget).toMatchObject({ stoppedBy: "credits", estimatedCredits: { actions: 10 } });
  });

  it("two processes on one PostgreSQL store run a cron time once; a restart keeps the next time; a missed time runs once", async () => {
    const schema = randomSchema("refresh_race");
    const admin = await connectAdmin();
    try {
      const clock = new ManualClock(START);
      const openStore = (clock: Clock) =>
        createPostgresStore({ connectionString: DATABASE_URL, schema, clock });
      const options = { clock, openStore, config: { refresh: [SCHEDULE] } };
      const first = await startSendSide(options);
      const second = await startSendSide({ ...options, emulator: first.emulator });
      await deliveredLeads(first, 5, (i) => ({ title: `T${i}` }));
      const [a, b] = [runsOf(first), runsOf(second)];
      const signal = new AbortController().signal;

      // Both learn the schedule: its first time is 03:00 on the day the store first saw it.
      expect(await Promise.all([a.runDue(signal), b.runDue(signal)])).toEqual([0, 0]);
      expect((await a.status())[0]!.nextRunAt).toBe(START + 3 * 3_600_000);

      await clock.advance(91 * DAY);
      const ran = await Promise.all([a.runDue(signal), b.runDue(signal), a.runDue(signal)]);
      expect(ran.reduce((sum, count) => sum + count, 0)).toBe(1);
      expect(await refreshLeads(first)).toHaveLength(5);
      const next = (await a.status())[0]!.nextRunAt!;
      expect(next).toBe(START + 91 * DAY + 3 * 3_600_000);

      // A restart: a new process finds the stored next time and does not run before it.
      const restarted = await startSendSide({ ...options, emulator: first.emulator });
      const c = runsOf(restarted);
      expect(await c.runDue(signal)).toBe(0);
      // Down for three scheduled times: the missed time runs once, then waits for the next.
      await clock.advance(3 * DAY);
      expect(await Promise.all([c.runDue(signal), b.runDue(signal)])).toEqual(
        expect.arrayContaining([0, 1]),
      );
      expect(await c.runDue(signal)).toBe(0);
      expect((await c.status())[0]!.nextRunAt).toBe(START + 94 * DAY + 3 * 3_600_000);
    } finally {
      await closeSendSides();
      await dropSchema(admin, schema);
      await admin.end();
    }
  });
});
