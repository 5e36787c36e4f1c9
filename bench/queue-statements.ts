/**
 * PostgreSQL statements per lead on the queue tier, end to end: N leads go
 * through an API pipeline and one worker pipeline in this process (intake →
 * feed → send to Clay, the emulator → callback → inbox → route → deliver to a
 * file sink), and every statement the pipelines send is counted, by kind and
 * by the store method and caller that sent it (pg-statement-counter.ts). The
 * background loops' polls while the leads flow are counted too: they are part
 * of what a lead costs.
 *
 *   npm run bench:statements                 # 1,000 leads; needs PostgreSQL and Redis
 *   BENCH_QUICK=1 npm run bench:statements   # 200 leads
 *   BENCH_LEADS=5000 npm run bench:statements
 *   BENCH_WORKERS=3 npm run bench:statements   # 3 worker pipelines: what they cost each other
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../src/demo/free-port.js";
import { startEmulator } from "../src/emulator/index.js";
import { QUICK, recordFigure } from "./bench-figures.js";
import { installStatementCounter, type StatementCount } from "./pg-statement-counter.js";
import { queueBenchConfig } from "./queue-bench-config.js";
import { benchLeads, inBatches, openBenchServices, withTimeout } from "./queue-bench-services.js";
import { startInProcessQueueTier } from "./queue-in-process.js";

const LEADS = Number(process.env.BENCH_LEADS ?? (QUICK ? 200 : 1000));
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const CLAY_RATE = { perSecond: 1000, burst: 1000 };
const GOAL = 10;
const TIMEOUT_MS = 120_000;
const WORKSPACE = "stmts";

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const emulator = await startEmulator({
    timeScale: 1000,
    workspaces: [
      {
        id: WORKSPACE,
        rateLimit: CLAY_RATE,
        tables: [
          {
            id: `t_${WORKSPACE}`,
            httpApiColumn: { rateLimit: { requests: CLAY_RATE.perSecond, perMs: 1000 } },
            webhooks: [{}],
          },
        ],
      },
    ],
  });
  const services = await openBenchServices(WORKSPACE);
  const dir = mkdtempSync(join(tmpdir(), "claypipe-bench-statements-"));
  const counter = installStatementCounter();
  try {
    const config = queueBenchConfig({
      services,
      workspace: WORKSPACE,
      rateLimit: CLAY_RATE,
      webhookUrl: emulator.webhookUrl(`t_${WORKSPACE}`),
      port: await freePort(),
      sink: { file: join(dir, "delivered.jsonl") },
      stateDir: join(dir, "state"),
    });
    const tier = await startInProcessQueueTier(config.parse(), WORKERS);
    let states: Record<string, number>;
    let seconds: number;
    try {
      counter.reset();
      const start = performance.now();
      await inBatches(benchLeads(LEADS, WORKSPACE), 500, 4, (batch) => tier.api.submit(batch));
      states = await withTimeout(allSettled(services.leadStates), TIMEOUT_MS, "delivering");
      seconds = (performance.now() - start) / 1000;
    } finally {
      await tier.close();
    }
    const counts = counter.counts();
    const total = counter.total();
    report(counts, total, seconds, states);
    const delivered = states.delivered ?? 0;
    if (delivered !== LEADS)
      throw new Error(`${delivered} of ${LEADS} leads delivered: ${JSON.stringify(states)}`);
    // The figure is the tier's own cost: one worker.
    if (WORKERS !== 1) return;
    const figure = recordFigure({
      figure: "queue tier statements per lead",
      unit: "statements/lead",
      claypipe: total / LEADS,
      baseline: null,
      goal: { of: "value", atMost: GOAL },
      checked: `${fmt(delivered)} of ${fmt(LEADS)} leads delivered`,
    });
    console.log(
      `\n${fmt(figure.claypipe, 2)} statements per lead (goal ≤ ${GOAL}): ${figure.met ? "met" : "not met"}`,
    );
  } finally {
    counter.uninstall();
    await services.cleanup();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls until every lead is delivered or dead. */
async function allSettled(
  leadStates: () => Promise<Record<string, number>>,
): Promise<Record<string, number>> {
  for (;;) {
    const states = await leadStates();
    if ((states.delivered ?? 0) + (states.dead ?? 0) >= LEADS) return states;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function report(
  counts: StatementCount[],
  total: number,
  seconds: number,
  states: Record<string, number>,
): void {
  console.log(
    `queue tier, PostgreSQL statements per lead: ${fmt(LEADS)} leads, api + ${WORKERS} worker pipeline(s) in ` +
      `this process, ${fmt(seconds, 1)} s (${fmt(LEADS / seconds)} leads/s); leads: ${JSON.stringify(states)}`,
  );
  console.table(
    counts.map((entry) => ({
      "per lead": fmt(entry.count / LEADS, 2),
      kind: entry.kind,
      "store method": entry.store,
      caller: entry.caller,
    })),
  );
  const byKind = new Map<string, number>();
  for (const entry of counts) byKind.set(entry.kind, (byKind.get(entry.kind) ?? 0) + entry.count);
  console.table(
    [...byKind]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => ({ kind, "per lead": fmt(count / LEADS, 2) })),
  );
  console.log(`total: ${fmt(total / LEADS, 2)} per lead`);
}

await main();
