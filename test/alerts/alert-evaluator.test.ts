/**
 * The alert conditions over a status and the evaluator that turns them into
 * changes: each condition is raised once when it becomes true, again only
 * after it cleared and came back, and says what happened and what to do.
 */
import { describe, expect, it } from "vitest";
import {
  type AlertCondition,
  type AlertStatus,
  readAlertConditions,
} from "../../src/alerts/alert-conditions.js";
import { evaluateAlerts } from "../../src/alerts/alert-evaluator.js";
import { createCallbackSilence } from "../../src/alerts/callback-silence.js";
import { alertsSchema } from "../../src/config/alerts-schema.js";
import { LEAD_STATES } from "../../src/core/lead-state.js";

const thresholds = alertsSchema.parse({
  targets: [{ type: "webhook", url: "http://127.0.0.1:1/alerts" }],
  rowsLeft: 100,
  submissionsLeft: 50,
  dlqSize: 10,
});
const quiet = { holds: false, forMs: 0 };

function status(overrides: Partial<AlertStatus> = {}): AlertStatus {
  return {
    states: Object.fromEntries(LEAD_STATES.map((state) => [state, 0])) as AlertStatus["states"],
    credits: [],
    capacity: [],
    breakers: [],
    dlq: { leads: 0, deliveries: 0 },
    ...overrides,
  };
}

const credits = (data: number) =>
  status({
    credits: [
      {
        scope: "workspace:main",
        window: "day:2026-12-03",
        used: { actions: 0, data },
        limit: { data: 50 },
      },
    ],
  });

/** Runs the evaluator over a sequence of statuses; the keys raised and cleared at each. */
function run(statuses: AlertStatus[]): Array<{ raised: string[]; cleared: string[] }> {
  let active: ReadonlyMap<string, AlertCondition> = new Map();
  return statuses.map((each) => {
    const changes = evaluateAlerts(active, readAlertConditions(each, thresholds, quiet));
    active = changes.active;
    return {
      raised: changes.raised.map((c) => c.key),
      cleared: changes.cleared.map((c) => c.key),
    };
  });
}

describe("alert conditions and their evaluation", () => {
  it("raises a credit cap's 80% and 100% once each, however many checks follow", () => {
    const key = (share: number) => `credit:workspace:main:day:2026-12-03:data:${share}`;
    expect(run([credits(10), credits(40), credits(45), credits(50), credits(50)])).toEqual([
      { raised: [], cleared: [] },
      { raised: [key(0.8)], cleared: [] },
      { raised: [], cleared: [] },
      { raised: [key(1)], cleared: [] },
      { raised: [], cleared: [] },
    ]);
    const [full] = evaluateAlerts(
      new Map(),
      readAlertConditions(credits(50), thresholds, quiet),
    ).raised.filter((c) => c.key === key(1));
    expect(full?.text).toBe(
      "workspace:main has used 50 of its daily cap of 50 data credits for 2026-12-03.",
    );
    expect(full?.action).toContain("Raise credits.daily.data for workspace:main");
  });

  it("a new window's credits are new conditions; the past window's drop out without a word", () => {
    const nextDay = status({
      credits: [
        {
          scope: "workspace:main",
          window: "day:2026-12-04",
          used: { actions: 0, data: 45 },
          limit: { data: 50 },
        },
      ],
    });
    expect(run([credits(45), nextDay])).toEqual([
      { raised: ["credit:workspace:main:day:2026-12-03:data:0.8"], cleared: [] },
      { raised: ["credit:workspace:main:day:2026-12-04:data:0.8"], cleared: [] },
    ]);
  });

  it("raises a breaker once while open (half-open too), clears it once closed, raises it again when it reopens", () => {
    const breaker = (state: "open" | "closed" | "half_open") =>
      status({ breakers: [{ workspace: "main", state }] });
    expect(
      run([
        breaker("closed"),
        breaker("open"),
        breaker("half_open"),
        breaker("open"),
        breaker("closed"),
        breaker("open"),
      ]),
    ).toEqual([
      { raised: [], cleared: [] },
      { raised: ["breaker:main"], cleared: [] },
      { raised: [], cleared: [] },
      { raised: [], cleared: [] },
      { raised: [], cleared: ["breaker:main"] },
      { raised: ["breaker:main"], cleared: [] },
    ]);
    const [open] = readAlertConditions(breaker("open"), thresholds, quiet).filter(
      (c) => c.key === "breaker:main",
    );
    expect(open?.clearedText).toContain("closed");
    expect(open?.action).toContain("Check Clay's status");
  });

  it("raises a table near its row limit, a retired webhook source, and the last source running low", () => {
    const pool = (
      rowsLeft: number,
      first: { retired: boolean; remaining: number },
      second: number,
    ) =>
      status({
        capacity: [
          {
            workspace: "main",
            table: "leads",
            pool: {
              table: { used: 50_000 - rowsLeft, limit: 50_000, remaining: rowsLeft },
              webhooks: [
                {
                  index: 0,
                  key: "webhook:a",
                  used: 50_000 - first.remaining,
                  limit: 50_000,
                  unusable: false,
                  ...first,
                },
                {
                  index: 1,
                  key: "webhook:b",
                  used: 50_000 - second,
                  limit: 50_000,
                  remaining: second,
                  retired: false,
                  unusable: false,
                },
              ],
            },
          },
        ],
      });
    expect(
      run([
        pool(5000, { retired: false, remaining: 40 }, 50_000),
        pool(5000, { retired: true, remaining: 0 }, 50_000),
        pool(90, { retired: true, remaining: 0 }, 30),
      ]),
    ).toEqual([
      { raised: [], cleared: [] },
      { raised: ["retired:main/leads:webhook:a"], cleared: [] },
      { raised: ["rows:main/leads", "submissions:main/leads"], cleared: [] },
    ]);
  });

  it("raises the DLQ at its threshold and again only after it dropped below and grew back", () => {
    const dlq = (leads: number, deliveries: number) => status({ dlq: { leads, deliveries } });
    expect(run([dlq(5, 4), dlq(6, 4), dlq(20, 0), dlq(0, 0), dlq(10, 0)])).toEqual([
      { raised: [], cleared: [] },
      { raised: ["dlq"], cleared: [] },
      { raised: [], cleared: [] },
      { raised: [], cleared: ["dlq"] },
      { raised: ["dlq"], cleared: [] },
    ]);
  });

  it("callbacks are silent once leads await them and none finished for the whole silence", () => {
    const silence = createCallbackSilence(15 * 60_000);
    const states = (awaiting: number, delivered: number) => ({
      ...status().states,
      awaiting_callback: awaiting,
      delivered,
    });
    const minute = 60_000;
    expect(silence(states(3, 10), 0).holds).toBe(false);
    expect(silence(states(3, 10), 14 * minute).holds).toBe(false);
    // One finished: the silence starts again.
    expect(silence(states(3, 11), 14 * minute).holds).toBe(false);
    expect(silence(states(3, 11), 28 * minute).holds).toBe(false);
    expect(silence(states(3, 11), 29 * minute)).toEqual({ holds: true, forMs: 15 * minute });
    // Nothing awaiting is no silence, however long.
    expect(silence(states(0, 11), 60 * minute).holds).toBe(false);
  });
});
