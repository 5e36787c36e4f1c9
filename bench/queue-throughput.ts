/**
 * Queue tier throughput, next to raw BullMQ doing the same work in the same run:
 * 1. enqueue: pipeline.submit on an API pipeline (role api: durable admit into
 *    the PostgreSQL outbox; its feeder tops the BullMQ queue up to the
 *    lookahead) vs Queue.addBulk of the same leads, same batches;
 * 2. HTTP intake: POST /v1/leads, one lead a request (autocannon in a child
 *    process) vs a bare Fastify handler doing queue.add;
 * 3. end to end (queue-end-to-end-runs.ts; alone: `npm run bench:queue-e2e`):
 *    submit → Clay (the emulator at 1000/s, burst 1000, time scale 1000) →
 *    callback → delivered to a file sink, through one worker pipeline in this
 *    process and through `claypipe start` processes (api + 1 worker, api + N
 *    workers), vs a raw BullMQ Worker POSTing each lead to the same emulator
 *    and a bare HTTP receiver counting the callbacks.
 *
 *   npm run bench:queue                      # needs PostgreSQL and Redis
 *   BENCH_LEADS=5000 BENCH_SECONDS=20 npm run bench:queue
 *   BENCH_WORKER_PROCESSES=0 npm run bench:queue    # skip the multi-process run
 *   BENCH_PARTS=intake BENCH_QUICK=1 npm run bench:queue   # only part 2, short
 *
 * BENCH_PARTS picks the parts, comma-separated: enqueue (1), intake (2), e2e
 * and workers (3: one worker pipeline in this process, claypipe start
 * processes); all by default. BENCH_QUICK=1 makes each HTTP load 4 s.
 *
 * BENCH_LEADS sizes the end-to-end runs (enqueue uses 10×, or
 * BENCH_ENQUEUE_LEADS); BENCH_SECONDS is each HTTP load; BENCH_CONCURRENCY is
 * the jobs a worker runs at once on both sides (claypipe's sender.concurrency,
 * default 4).
 */
import { availableParallelism } from "node:os";
import type { RunningEmulator } from "../src/emulator/index.js";
import { createLogger } from "../src/logging/create-logger.js";
import { createPipeline } from "../src/tiers/create-pipeline.js";
import { QUICK, recordFigure } from "./bench-figures.js";
import {
  benchLeads,
  inBatches,
  openBenchServices,
  REDIS_URL,
  redisPersistence,
} from "./queue-bench-services.js";
import {
  END_TO_END_WORKSPACES,
  endToEnd,
  startQueueBenchEmulator,
  withQueueRun,
} from "./queue-end-to-end-runs.js";
import { type HttpLoadResult, runHttpLoad } from "./queue-http-load.js";
import { startInProcessQueueTier } from "./queue-in-process.js";
import { rawEnqueue, startRawIntakeServer } from "./queue-raw-bullmq.js";

const LEADS = Number(process.env.BENCH_LEADS ?? 2000);
const ENQUEUE_LEADS = Number(process.env.BENCH_ENQUEUE_LEADS ?? LEADS * 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 4 : 10));
const PARTS = new Set(
  (process.env.BENCH_PARTS ?? "enqueue,intake,e2e,workers").split(",").map((part) => part.trim()),
);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WORKER_PROCESSES = Number(process.env.BENCH_WORKER_PROCESSES ?? 3);
const CONNECTIONS = 50;
const BATCH = { size: 500, parallel: 4 };
const CLAY_RATE = { perSecond: 1000, burst: 1000 };
const RUN = { clayRate: CLAY_RATE, concurrency: CONCURRENCY };

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function enqueue(emulator: RunningEmulator): Promise<void> {
  const claypipe = await withQueueRun(emulator, "enq", RUN, async ({ config, services }) => {
    const api = await createPipeline(config.parse(), { role: "api", logger: createLogger("warn") });
    let seconds: number;
    try {
      await api.start();
      const leads = benchLeads(ENQUEUE_LEADS, "enq");
      const start = performance.now();
      await inBatches(leads, BATCH.size, BATCH.parallel, (batch) => api.submit(batch));
      seconds = (performance.now() - start) / 1000;
    } finally {
      await api.stop();
    }
    return { seconds, states: await services.leadStates() };
  });
  const raw = await withRawPrefix("enqraw", (prefix) =>
    rawEnqueue(
      { redisUrl: REDIS_URL, prefix, queueName: "send-raw" },
      benchLeads(ENQUEUE_LEADS, "enqraw"),
      BATCH,
    ),
  );
  console.log(
    `\n1. enqueue: ${fmt(ENQUEUE_LEADS)} leads in batches of ${BATCH.size}, ${BATCH.parallel} batches at once`,
  );
  console.table(
    [
      { target: "claypipe pipeline.submit (role api)", seconds: claypipe.seconds },
      { target: "raw BullMQ queue.addBulk", seconds: raw },
    ].map(({ target, seconds }) => ({
      target,
      "leads/s": fmt(ENQUEUE_LEADS / seconds),
      seconds: fmt(seconds, 2),
    })),
  );
  console.log(`claypipe / raw: ${fmt(raw / claypipe.seconds, 2)}`);
  console.log(`claypipe's outbox after: ${describeStates(claypipe.states)}`);
}

async function httpIntake(emulator: RunningEmulator): Promise<void> {
  const claypipe = await withQueueRun(emulator, "http", RUN, async ({ config, services }) => {
    const tier = await startInProcessQueueTier(config.parse(), 0);
    try {
      const result = await runHttpLoad({
        url: `${tier.url}/v1/leads`,
        headers: { authorization: `Bearer ${config.apiKey}` },
        tag: "http",
        connections: CONNECTIONS,
        seconds: SECONDS,
      });
      await tier.close();
      const stored = Object.values(await services.leadStates()).reduce((sum, n) => sum + n, 0);
      // Every 202 has its row; a row beyond them is a request the load stopped waiting for.
      const extra = stored - result.accepted;
      const accounted = extra >= 0 && extra <= CONNECTIONS && result.other + result.errors === 0;
      return {
        result,
        accounted,
        check: `${fmt(stored)} leads stored for ${fmt(result.accepted)} 202s, ${result.other + result.errors} other answers or errors`,
      };
    } finally {
      await tier.close();
    }
  });
  const raw = await withRawPrefix("httpraw", async (prefix) => {
    const server = await startRawIntakeServer({
      redisUrl: REDIS_URL,
      prefix,
      queueName: "send-raw",
    });
    try {
      const result = await runHttpLoad({
        url: server.url,
        headers: {},
        tag: "httpraw",
        connections: CONNECTIONS,
        seconds: SECONDS,
      });
      return { result, check: `${fmt(await server.jobs())} jobs for ${fmt(result.accepted)} 202s` };
    } finally {
      await server.close();
    }
  });
  console.log(
    `\n2. HTTP intake: POST /v1/leads, one lead a request, ${CONNECTIONS} connections, ${SECONDS} s each`,
  );
  const row = (target: string, result: HttpLoadResult, check: string) => ({
    target,
    "202/s": fmt(result.acceptedPerSecond),
    "p50 ms": result.p50Ms,
    "p99 ms": result.p99Ms,
    "other answers": result.other,
    errors: result.errors,
    check,
  });
  console.table([
    row("claypipe server (role api)", claypipe.result, claypipe.check),
    row("Fastify + queue.add", raw.result, raw.check),
  ]);
  console.log(
    `claypipe / raw: ${fmt(claypipe.result.acceptedPerSecond / raw.result.acceptedPerSecond, 2)}`,
  );
  if (!claypipe.accounted)
    throw new Error(`HTTP intake: leads unaccounted for (${claypipe.check})`);
  const throughput = recordFigure({
    figure: "queue tier HTTP intake",
    unit: "req/s",
    claypipe: Math.round(claypipe.result.acceptedPerSecond),
    baseline: Math.round(raw.result.acceptedPerSecond),
    baselineLabel: "bare Fastify + queue.add",
    goal: { of: "ratio", atLeast: 0.6 },
    checked: claypipe.check,
  });
  const p99 = recordFigure({
    figure: "queue tier HTTP intake p99",
    unit: "ms",
    claypipe: claypipe.result.p99Ms,
    baseline: raw.result.p99Ms,
    baselineLabel: "bare Fastify + queue.add",
    goal: { of: "value", atMost: 25 },
    checked: claypipe.check,
  });
  console.log(
    `goal ≥ 0.6×: ${throughput.met ? "met" : "NOT met"}; p99 ${claypipe.result.p99Ms} ms, goal ≤ 25 ms: ${p99.met ? "met" : "NOT met"}`,
  );
}

/** A Redis prefix for a raw BullMQ run, its keys removed after `work`. */
async function withRawPrefix<T>(purpose: string, work: (prefix: string) => Promise<T>): Promise<T> {
  const services = await openBenchServices(purpose);
  try {
    return await work(services.prefix);
  } finally {
    await services.cleanup();
  }
}

function describeStates(states: Record<string, number>): string {
  return Object.entries(states)
    .map(([state, count]) => `${fmt(count)} ${state}`)
    .join(", ");
}

async function main(): Promise<void> {
  const workspaces = ["enq", "http", ...END_TO_END_WORKSPACES];
  const emulator = await startQueueBenchEmulator(workspaces, CLAY_RATE);

  try {
    console.log(
      `queue tier throughput vs raw BullMQ; Node ${process.version}, ${availableParallelism()} cores, ` +
        `PostgreSQL and Redis on loopback`,
    );
    if (PARTS.has("enqueue")) await enqueue(emulator);
    if (PARTS.has("intake")) await httpIntake(emulator);
    if (PARTS.has("e2e") || PARTS.has("workers")) {
      await endToEnd(emulator, {
        leads: LEADS,
        workerProcesses: WORKER_PROCESSES,
        concurrency: CONCURRENCY,
        clayRate: CLAY_RATE,
      });
    }
    console.log(
      "\nWhat raw BullMQ does not do, and claypipe pays for: a durable outbox in PostgreSQL (an " +
        `acknowledged lead survives losing Redis; here: ${await redisPersistence()}), dedupe of repeats ` +
        "within the window (no credit spent twice), the credit budget (reserve and settle per lead), " +
        "one rate limit and breaker per workspace shared by every worker, webhook and table counters, " +
        "signed callback URLs checked and written durably before the ack, routing to idempotent sinks, " +
        "each lead's state and history, and a DLQ with reasons and replay.",
    );
  } finally {
    await emulator.close();
  }
}

await main();
