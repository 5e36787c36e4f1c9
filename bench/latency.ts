/**
 * Intake → sink latency added by claypipe, at a steady 10 leads/s, for the
 * standard tier (SQLite), the queue tier (PostgreSQL + Redis) and the event
 * tier (NATS JetStream + PostgreSQL), each against the Clay emulator.
 *
 *   npm run bench:latency                    # 300 leads per tier (30 s each)
 *   BENCH_QUICK=1 npm run bench:latency      # 40 leads per tier
 *   BENCH_LEADS=600 BENCH_TIERS=queue npm run bench:latency
 *
 * Each lead is POSTed alone to /v1/leads; the sink (a webhook sink) is the
 * latency probe (latency-probe.ts), which also stands between claypipe and
 * Clay on both legs. A lead's latency is (sink received − POST sent) − (Clay
 * called back − the row reached Clay's webhook): what claypipe adds, Clay's
 * enrichment delay (fixed here, 20 ms) and its queues subtracted lead by lead.
 * Every lead must reach the sink, once, or the run fails.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type RunningEmulator, startEmulator } from "../src/emulator/index.js";
import { QUICK, recordFigure } from "./bench-figures.js";
import { type LatencyProbe, startLatencyProbe } from "./latency-probe.js";
import { startLatencyTier, type TierName } from "./latency-tiers.js";
import { withTimeout } from "./queue-bench-services.js";

const LEADS = Number(process.env.BENCH_LEADS ?? (QUICK ? 40 : 300));
const PER_SECOND = 10;
const TIERS = (process.env.BENCH_TIERS ?? "standard,queue,event").split(",") as TierName[];
const TIME_SCALE = 1000;
/** Clay's enrichment delay, in Clay time: 20 ms real at TIME_SCALE. */
const CLAY_DELAY_MS = 20_000;
const SETTLE_TIMEOUT_MS = 30_000;
const GOAL_MS: Record<TierName, number> = { standard: 50, queue: 100, event: 100 };
const LABEL: Record<TierName, string> = {
  standard: "standard tier",
  queue: "queue tier",
  event: "event tier",
};

interface TierLatency {
  tier: TierName;
  added: number[];
  clay: number[];
  /** POST sent → the row at Clay's webhook: intake, outbox, queue or bus, send. */
  toClay: number[];
  /** Clay's callback → the sink: receiver, inbox, routing, delivery. */
  fromClay: number[];
  duplicates: number;
}

async function measureTier(
  tier: TierName,
  emulator: RunningEmulator,
  probe: LatencyProbe,
): Promise<TierLatency> {
  const running = await startLatencyTier(tier, probe, emulator.webhookUrl(`t_${tier}`));
  try {
    const posted = new Map<string, number>();
    const start = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < LEADS; i++) {
      const due = start + (i * 1000) / PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sends.push(
        (async () => {
          const at = performance.timeOrigin + performance.now();
          const answer = await fetch(`${running.url}/v1/leads`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${running.apiKey}`,
            },
            body: JSON.stringify({
              email: `latency-${tier}-${i}@example.com`,
              first_name: "Ada",
              last_name: "Lovelace",
              company: "Acme Analytics",
            }),
          });
          if (answer.status !== 202) throw new Error(`intake answered ${answer.status}`);
          const { accepted } = (await answer.json()) as { accepted: Array<{ id: string }> };
          posted.set(accepted[0]!.id, at);
        })(),
      );
    }
    await Promise.all(sends);
    const allSunk = async () => {
      while ([...posted.keys()].some((id) => probe.times(id).sunk === undefined)) await sleep(20);
    };
    await withTimeout(allSunk(), SETTLE_TIMEOUT_MS, `${tier}: every lead at the sink`);
    // A moment for a repeated delivery to show, should there be one.
    await sleep(200);
    const result: TierLatency = {
      tier,
      added: [],
      clay: [],
      toClay: [],
      fromClay: [],
      duplicates: 0,
    };
    for (const [id, postedAt] of posted) {
      const times = probe.times(id);
      if (times.rowIn === undefined || times.calledBack === undefined)
        throw new Error(`${tier}: lead ${id} reached the sink without passing Clay`);
      const clay = times.calledBack - times.rowIn;
      result.clay.push(clay);
      result.added.push(times.sunk! - postedAt - clay);
      result.toClay.push(times.rowIn - postedAt);
      result.fromClay.push(times.sunk! - times.calledBack);
      result.duplicates += times.deliveries - 1;
    }
    return result;
  } finally {
    await running.close();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => Math.round(value * 10) / 10;

async function main(): Promise<void> {
  console.log(
    `intake → sink latency added by claypipe: ${LEADS} leads per tier, one per POST, ${PER_SECOND}/s; ` +
      `Clay's delay (${CLAY_DELAY_MS / TIME_SCALE} ms enrichment + its queues) subtracted per lead`,
  );
  const emulator = await startEmulator({
    timeScale: TIME_SCALE,
    workspaces: TIERS.map((tier) => ({
      id: tier,
      rateLimit: { perSecond: 100, burst: 100 },
      tables: [
        {
          id: `t_${tier}`,
          enrichment: { minDelayMs: CLAY_DELAY_MS, maxDelayMs: CLAY_DELAY_MS, notFoundRate: 0 },
          httpApiColumn: { rateLimit: { requests: 1000, perMs: 1000 } },
          webhooks: [{}],
        },
      ],
    })),
  });
  const probe = await startLatencyProbe();
  const results: TierLatency[] = [];
  try {
    for (const tier of TIERS) results.push(await measureTier(tier, emulator, probe));
  } finally {
    await probe.close();
    await emulator.close();
  }
  console.table(
    results.map((result) => ({
      tier: LABEL[result.tier],
      leads: result.added.length,
      "p50 ms": ms(percentile(result.added, 50)),
      "p95 ms": ms(percentile(result.added, 95)),
      "p99 ms": ms(percentile(result.added, 99)),
      "max ms": ms(Math.max(...result.added)),
      "to Clay p50/p99": `${ms(percentile(result.toClay, 50))} / ${ms(percentile(result.toClay, 99))}`,
      "from Clay p50/p99": `${ms(percentile(result.fromClay, 50))} / ${ms(percentile(result.fromClay, 99))}`,
      "Clay p50 ms": ms(percentile(result.clay, 50)),
      "repeated deliveries": result.duplicates,
    })),
  );
  for (const result of results) {
    const p99 = ms(percentile(result.added, 99));
    const figure = recordFigure({
      figure: `latency p99, ${LABEL[result.tier]}`,
      unit: "ms",
      claypipe: p99,
      baseline: null,
      goal: { of: "value", atMost: GOAL_MS[result.tier] },
      checked: `${result.added.length} of ${LEADS} leads at the sink, each once (${result.duplicates} repeats)`,
    });
    console.log(
      `${LABEL[result.tier]}: p99 ${p99} ms, goal ≤ ${GOAL_MS[result.tier]} ms → ${figure.met ? "met" : "NOT met"}`,
    );
  }
}

await main();
