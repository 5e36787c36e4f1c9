/**
 * The dashboard at scale: each view answered over real HTTP by the real
 * server (createServer with the dashboard) on a store of 1,000,000 leads, on
 * SQLite (standard tier) and on PostgreSQL (queue tier, API role), served by a
 * process of its own (dashboard-server.ts), next to the same views on a store
 * of 10,000 leads in the same run. Each view is asked
 * `--rounds` times (30) after a warm-up, one request at a time, one every
 * `--every` ms (150), while the live overview's stream is open (so status() is
 * read every 2 s meanwhile, as when someone watches it, and a request can
 * arrive during that read); pipeline.status() is timed inside the server process. Fails
 * (exit 1) when any p95 at the large store, status() included, is 300 ms or more.
 *
 *   npm run bench:dashboard                          # 1,000,000 leads, both stores
 *   npm run bench:dashboard -- --quick               # 100,000 leads
 *   BENCH_QUICK=1 npm run bench:dashboard            # 100,000 leads, SQLite, 10 rounds 50 ms apart
 *   npm run bench:dashboard -- --store sqlite --leads 500000 --rounds 50
 *
 * Stores are seeded in /tmp (SQLite) or a schema of their own (PostgreSQL,
 * BENCH_PG_URL, default database `test` on 127.0.0.1; Redis at REDIS_URL for
 * the queue tier) and removed afterwards. The pipeline is not started: nothing
 * moves the seeded leads while they are timed.
 */
import { fork } from "node:child_process";
import { availableParallelism, cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { QUICK, recordFigure } from "./bench-figures.js";
import { BENCH_KEY, REDIS_URL, type StoreKind } from "./dashboard-config.js";
import { type SeededStore, seedStore } from "./dashboard-seed.js";
import type { ServerAnswer, ServerRequest } from "./dashboard-server.js";
import { logIn, type Timing, timeIt, viewGetter, watchOverview } from "./dashboard-timing.js";
import { benchViews } from "./dashboard-view-list.js";

const GOAL_MS = 300;
const BASELINE_LEADS = 10_000;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: QUICK },
    store: { type: "string", default: QUICK ? "sqlite" : "both" },
    leads: { type: "string" },
    rounds: { type: "string", default: QUICK ? "10" : "30" },
    every: { type: "string", default: QUICK ? "50" : "150" },
  },
});
const LEADS = Number(values.leads ?? (values.quick ? 100_000 : 1_000_000));
const ROUNDS = Number(values.rounds);
const WARMUP = 3;
const EVERY_MS = Number(values.every);
/** The seeds' "now": leads were created over the 30 days before it. */
const SEEDED_AT = Date.now();
const KINDS: StoreKind[] =
  values.store === "both" ? ["sqlite", "postgres"] : [values.store as StoreKind];

type Row = { view: string; timing: Timing };

/** Serves the dashboard on a seeded store, in a child process, and times every view. */
async function measure(store: SeededStore): Promise<Row[]> {
  const server = startServer();
  const listening = await server.ask({
    type: "open",
    store: { kind: store.kind, place: store.place },
    dir: store.dir,
  });
  if (listening.type !== "listening") throw new Error("the bench server did not listen");
  const { url } = listening;
  const rows: Row[] = [];
  try {
    const cookie = await logIn(url, BENCH_KEY);
    const stopWatching = await watchOverview(url, cookie);
    const get = viewGetter(url, cookie);
    try {
      rows.push({
        view: "GET /healthz",
        timing: await timeIt(get("/healthz"), ROUNDS, WARMUP, EVERY_MS),
      });
      const timed = await server.ask({ type: "time-status", rounds: ROUNDS, warmup: WARMUP });
      if (timed.type === "status-timed")
        rows.push({ view: "pipeline.status()", timing: timed.timing });
      for (const { label, path } of await benchViews(url, cookie, SEEDED_AT)) {
        rows.push({
          view: `GET ${label}`,
          timing: await timeIt(get(path), ROUNDS, WARMUP, EVERY_MS),
        });
      }
    } finally {
      stopWatching();
    }
  } finally {
    await server.ask({ type: "close" });
    if (listening.redisPrefix) await dropRedisKeys(listening.redisPrefix);
  }
  return rows;
}

/** The server process; `ask` sends a request and waits for its answer. */
function startServer() {
  const child = fork(fileURLToPath(new URL("./dashboard-server.ts", import.meta.url)), [], {
    execArgv: process.execArgv,
  });
  let failed: ((error: Error) => void) | undefined;
  child.once("exit", (code) => failed?.(new Error(`the bench server exited with ${code}`)));
  return {
    ask(request: ServerRequest): Promise<ServerAnswer> {
      return new Promise((resolve, reject) => {
        failed = reject;
        child.once("message", (answer) => resolve(answer as ServerAnswer));
        child.send(request);
      });
    },
  };
}

async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

const ms = (value: number) => value.toFixed(1).padStart(8);

/** The slowest view's p95 at each size, for `npm run bench`'s table. */
function recordWorst(kind: StoreKind, small: Row[], large: Row[]): void {
  const worst = (rows: Row[]) =>
    rows.reduce((slowest, row) => (row.timing.p95 > slowest.timing.p95 ? row : slowest));
  const slowest = worst(large);
  recordFigure({
    figure: `dashboard slowest view p95, ${kind}, ${LEADS.toLocaleString("en-US")} leads`,
    unit: "ms",
    claypipe: slowest.timing.p95,
    baseline: worst(small).timing.p95,
    baselineLabel: `${BASELINE_LEADS.toLocaleString("en-US")} leads`,
    goal: { of: "value", atMost: GOAL_MS },
    checked: `${large.length} views answered 200 (${slowest.view} the slowest)`,
  });
}

function printTable(kind: StoreKind, small: Row[], large: Row[]): boolean {
  const n = LEADS.toLocaleString("en-US");
  console.log(
    `\n${kind}: ${"view".padEnd(44)}${"10k p50".padStart(8)}${"10k p95".padStart(8)}${`p50`.padStart(8)}${"p95".padStart(8)}${"max".padStart(8)}  ${"p95 ÷ 10k"}   (right: ${n} leads, ms)`,
  );
  let met = true;
  for (const row of large) {
    const base = small.find((one) => one.view === row.view)?.timing;
    const over = row.timing.p95 >= GOAL_MS;
    if (over) met = false;
    console.log(
      `${"".padEnd(kind.length + 2)}${row.view.padEnd(44)}${base ? ms(base.p50) : "".padStart(8)}${base ? ms(base.p95) : "".padStart(8)}${ms(row.timing.p50)}${ms(row.timing.p95)}${ms(row.timing.max)}  ${base ? (row.timing.p95 / base.p95).toFixed(1).padStart(9) : ""}${over ? "  MISSED" : ""}`,
    );
  }
  return met;
}

async function main(): Promise<void> {
  console.log(
    `Dashboard views: ${LEADS.toLocaleString("en-US")} leads vs ${BASELINE_LEADS.toLocaleString("en-US")}, ${ROUNDS} requests per view, one every ${EVERY_MS} ms, after ${WARMUP} warm-up; Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), load ${loadavg()[0]!.toFixed(1)}`,
  );
  let met = true;
  for (const kind of KINDS) {
    const small = await seedStore(kind, BASELINE_LEADS, SEEDED_AT);
    const large = await seedStore(kind, LEADS, SEEDED_AT);
    console.log(
      `${kind}: seeded ${LEADS.toLocaleString("en-US")} leads in ${large.seconds.toFixed(0)} s (${Math.round(LEADS / large.seconds).toLocaleString("en-US")} leads/s, history, deliveries and counters included)`,
    );
    try {
      const smallRows = await measure(small);
      const largeRows = await measure(large);
      met = printTable(kind, smallRows, largeRows) && met;
      recordWorst(kind, smallRows, largeRows);
    } finally {
      await small.remove();
      await large.remove();
    }
  }
  console.log(
    `\ngoal: every p95 < ${GOAL_MS} ms at ${LEADS.toLocaleString("en-US")} leads — ${met ? "met" : "MISSED"}`,
  );
  if (!met) process.exitCode = 1;
}

await main();
