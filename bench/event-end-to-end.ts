/**
 * The event tier end to end, next to the queue tier doing the same work in the
 * same run, all as production runs them (`claypipe start --role api` plus
 * N `--role worker` processes: enrichers on the event tier, workers on the
 * queue tier), against the Clay emulator at a high rate limit (1000/s, burst
 * 1000): event tier with 1 and 3 enrichers, queue tier with 1 and 3 workers.
 * Then rate fidelity: 3 enrichers against a workspace at a modest rate.
 *
 *   npm run bench:event                  # needs PostgreSQL, Redis and NATS JetStream
 *   npm run bench:event -- --bus kafka   # the event tier on librdkafka's mock cluster (kcat, Kafka client)
 *   BENCH_BACKLOG=1000 BENCH_RATE_SECONDS=30 npm run bench:event
 *
 * Each scenario has its own emulated workspace, PostgreSQL schema, Redis
 * prefix, topics and sink table, removed at the end. How it measures:
 * - intake time: this process's clock (Date.now()) just before the lead's
 *   POST /v1/leads; sink time: the PostgreSQL sink's row, whose updated_at is
 *   the server's now() at the upsert (same machine, same clock). Nothing
 *   inside claypipe times itself.
 * - the emulator enriches every row after the same delay (BENCH_ENRICH_MS real
 *   ms, 50 by default: 50 s of Clay time at time scale 1000), so each lead's
 *   latency is sink time − intake time − that delay: what claypipe adds
 *   (intake, feeding, the bus or queue, sending, the callback, routing, the sink).
 * - latency (p50, p99): a steady load, one lead per POST, BENCH_PACED_RATE a
 *   second (10) for BENCH_PACED_SECONDS (10), below every scenario's capacity
 *   (the leads/s column; a scenario slower than the load says so), so it is
 *   the path's own latency and not time spent waiting in a backlog.
 * - leads/s: a backlog of BENCH_BACKLOG leads (300) posted at once in batches
 *   of 500, from the first POST to the last lead's sink row.
 * - where that time went: the median time from the POST to each lead's first
 *   entry into sending, awaiting_callback, enriched and delivered, from the
 *   leads' histories in the store (the services' clocks: the same machine's).
 * - a warm-up of 10 leads goes through each scenario first, not counted.
 * - every scenario runs the config's defaults (sender.concurrency 4,
 *   queue.lookahead 20, or BENCH_LOOKAHEAD).
 * - rate fidelity: 3 enrichers, a workspace at BENCH_RATE/s (Clay's default
 *   10) with Clay's burst 20, a backlog of rate × BENCH_RATE_SECONDS (20) + the limiter's
 *   usable burst; timed from Clay's first row of it to its last; allowed =
 *   usable burst at once, then the rate (test/reliability/queue-rate.test.ts's
 *   reckoning); goal ≥ 0.98 with 0 429s.
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { loadKafkaClient } from "../src/bus/kafka/kafka-client.js";
import { coerceError } from "../src/core/errors.js";
import { type RunningEmulator, startEmulator } from "../src/emulator/index.js";
import { startMockCluster } from "../test/bus/kafka-mock-cluster.js";
import {
  backlogRate,
  type PacedResult,
  pacedLatencies,
  percentile,
} from "./event-bench-measures.js";
import { type BenchTierPlan, startBenchTier } from "./event-bench-tier.js";
import { measureRateFidelity } from "./event-rate-fidelity.js";
import type { BenchBus } from "./queue-bench-config.js";
import { benchLeads } from "./queue-bench-services.js";

const TIME_SCALE = 1000;
const ENRICH_MS = Number(process.env.BENCH_ENRICH_MS ?? 50);
const PACED = {
  rate: Number(process.env.BENCH_PACED_RATE ?? 10),
  seconds: Number(process.env.BENCH_PACED_SECONDS ?? 10),
};
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 300);
const HIGH_RATE = { perSecond: 1000, burst: 1000 };
const FIDELITY_RATE = { perSecond: Number(process.env.BENCH_RATE ?? 10), burst: 20 };
const FIDELITY_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 20);
const FIDELITY_GOAL = 0.98;
const WARMUP = 10;
const NATS_URL = process.env.NATS_URL || "nats://127.0.0.1:4222";
const LOOKAHEAD = process.env.BENCH_LOOKAHEAD ? Number(process.env.BENCH_LOOKAHEAD) : undefined;

interface Scenario {
  name: string;
  plan: BenchTierPlan;
}

interface EndToEnd {
  scenario: string;
  leadsPerSecond: number;
  p50: number;
  p99: number;
  /** The machine's 1-minute load average when the scenario began. */
  load: number;
  milestones: PacedResult["milestones"];
  check: string;
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function endToEnd(emulator: RunningEmulator, scenario: Scenario): Promise<EndToEnd> {
  const { workspace } = scenario.plan;
  const load = loadavg()[0]!;
  const tier = await startBenchTier(emulator, TIME_SCALE, scenario.plan);
  try {
    await tier.post(benchLeads(WARMUP, `${workspace}warm`));
    await tier.waitForSettled(WARMUP, 60_000);
    const { latencies, milestones } = await pacedLatencies(tier, {
      ...PACED,
      tag: `${workspace}paced`,
      before: WARMUP,
      enrichmentDelayMs: ENRICH_MS,
    });
    const leadsPerSecond = await backlogRate(tier, {
      count: BACKLOG,
      tag: `${workspace}backlog`,
      before: WARMUP + latencies.length,
    });
    const states = await tier.services.leadStates();
    const clay = emulator.control.snapshot().workspaces.find((found) => found.id === workspace)!;
    return {
      scenario: scenario.name,
      leadsPerSecond,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      load,
      milestones,
      check: `${Object.entries(states)
        .map(([state, count]) => `${count} ${state}`)
        .join(", ")}; Clay ${clay.tables[0]!.rowCount} rows, ${clay.requests.rateLimited} 429s`,
    };
  } finally {
    await tier.close();
  }
}

function printEndToEnd(results: EndToEnd[], busName: string): void {
  console.log(
    `\n1. end to end: ${fmt(BACKLOG)}-lead backlog for leads/s; ${PACED.rate} leads/s for ${PACED.seconds} s ` +
      `(one per POST) for intake→sink latency, the emulator's ${ENRICH_MS} ms enrichment taken out; ` +
      `Clay at ${HIGH_RATE.perSecond}/s, burst ${HIGH_RATE.burst}`,
  );
  console.table(
    results.map((result) => ({
      scenario: result.scenario,
      "leads/s": fmt(result.leadsPerSecond, 1),
      "p50 ms": fmt(result.p50),
      "p99 ms": fmt(result.p99),
      load: fmt(result.load, 1),
      check: result.check,
    })),
  );
  const [event1, event3, queue1, queue3] = results as [EndToEnd, EndToEnd, EndToEnd, EndToEnd];
  const ratio = (label: string, a: EndToEnd, b: EndToEnd) =>
    console.log(
      `${label}: leads/s ${fmt(a.leadsPerSecond / b.leadsPerSecond, 2)}, ` +
        `p50 ${fmt(a.p50 / b.p50, 2)}, p99 ${fmt(a.p99 / b.p99, 2)}`,
    );
  console.log(
    `where the steady load's time went: median ms from the POST to each state's first entry (lead histories; ` +
      `the emulator's ${ENRICH_MS} ms included from enriched on)`,
  );
  console.table(
    results.map((result) => ({
      scenario: result.scenario,
      ...Object.fromEntries(result.milestones.map(({ state, medianMs }) => [state, fmt(medianMs)])),
    })),
  );
  for (const slow of results.filter((result) => result.leadsPerSecond < PACED.rate * 1.25)) {
    console.log(
      `${slow.scenario}: ${fmt(slow.leadsPerSecond, 1)} leads/s is close to or under the steady load's ${PACED.rate}/s, ` +
        "so its latency includes waiting in a backlog (a busy machine? lower BENCH_PACED_RATE)",
    );
  }
  console.log(`\nratios (${busName}):`);
  ratio("event 3 enrichers / event 1 enricher", event3, event1);
  ratio("event 1 enricher / queue 1 worker", event1, queue1);
  ratio("event 3 enrichers / queue 3 workers", event3, queue3);
}

/** `capacity`: the leads/s 3 enrichers reached end to end in this run. */
async function rateFidelity(
  emulator: RunningEmulator,
  broker: BenchBus["broker"],
  capacity: number,
): Promise<void> {
  const workspace = "erate";
  const tier = await startBenchTier(emulator, TIME_SCALE, {
    workspace,
    broker,
    workers: 3,
    rateLimit: FIDELITY_RATE,
    enrichmentDelayMs: ENRICH_MS,
    ...(LOOKAHEAD !== undefined && { lookahead: LOOKAHEAD }),
  });
  try {
    const result = await measureRateFidelity(emulator, tier, {
      workspace,
      rateLimit: FIDELITY_RATE,
      seconds: FIDELITY_SECONDS,
    });
    const met = result.ratio >= FIDELITY_GOAL && result.rateLimited === 0;
    console.log(
      `\n2. rate fidelity: event tier, 3 enrichers, workspace at ${FIDELITY_RATE.perSecond}/s, burst ${FIDELITY_RATE.burst} ` +
        `(usable burst ${result.usableBurst}); ${fmt(result.leads)} leads at once`,
    );
    console.log(
      `Clay's first row to last: ${fmt(result.seconds, 2)} s (${fmt((result.leads - 1) / result.seconds, 2)} rows/s); ` +
        `the limiter allows ${fmt(result.fastestSeconds, 2)} s at best → achieved/allowed ${fmt(result.ratio, 3)}; ` +
        `${result.rateLimited} 429s`,
    );
    console.log(
      `goal: ≥ ${FIDELITY_GOAL} with 0 429s → ${met ? "met" : "NOT met"}` +
        (FIDELITY_SECONDS < 20 ? ` (a ${FIDELITY_SECONDS} s run is short to judge)` : ""),
    );
    if (capacity < FIDELITY_RATE.perSecond * 1.25) {
      console.log(
        `the rate is close to or above the ${fmt(capacity, 1)} leads/s 3 enrichers reached end to end above ` +
          "(callbacks and deliveries included): a shortfall may be the machine's, not the limiter's",
      );
    }
  } finally {
    await tier.close();
  }
}

/** The broker the event tier runs on, and how to let it go; exits saying why when Kafka cannot run. */
async function openBroker(
  bus: string,
): Promise<{ broker: BenchBus["broker"]; name: string; close(): Promise<void> }> {
  if (bus === "nats") {
    return {
      broker: { nats: NATS_URL },
      name: `NATS JetStream at ${NATS_URL}`,
      close: async () => {},
    };
  }
  if (bus !== "kafka") throw new Error(`--bus ${bus}: use nats or kafka`);
  try {
    await loadKafkaClient();
  } catch (thrown) {
    const error = coerceError(thrown);
    const hint = (error as { hint?: string }).hint;
    throw new Error(`--bus kafka: ${error.message}${hint ? `: ${hint}` : ""}`);
  }
  const cluster = await startMockCluster();
  return {
    broker: { kafka: cluster.bootstrap.split(",") },
    name: `Kafka: librdkafka's mock cluster (3 brokers, kcat) at ${cluster.bootstrap}`,
    close: () => cluster.stop(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bus: { type: "string", default: "nats" } } });
  const bus = await openBroker(values.bus);
  const emulator = await startEmulator({ timeScale: TIME_SCALE });
  try {
    console.log(
      `event tier (${bus.name}) vs queue tier (BullMQ on Redis), claypipe start processes; ` +
        `Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
          .map((load) => load.toFixed(1))
          .join(" ")}`,
    );
    const plan = (workspace: string, broker: BenchBus["broker"] | undefined, workers: number) => ({
      workspace,
      broker,
      workers,
      rateLimit: HIGH_RATE,
      enrichmentDelayMs: ENRICH_MS,
      ...(LOOKAHEAD !== undefined && { lookahead: LOOKAHEAD }),
    });
    const scenarios: Scenario[] = [
      { name: "event: api + 1 enricher", plan: plan("e1", bus.broker, 1) },
      { name: "event: api + 3 enrichers", plan: plan("e3", bus.broker, 3) },
      { name: "queue: api + 1 worker", plan: plan("q1", undefined, 1) },
      { name: "queue: api + 3 workers", plan: plan("q3", undefined, 3) },
    ];
    const results: EndToEnd[] = [];
    for (const scenario of scenarios) results.push(await endToEnd(emulator, scenario));
    printEndToEnd(results, values.bus);
    await rateFidelity(emulator, bus.broker, results[1]!.leadsPerSecond);
  } finally {
    await emulator.close();
    await bus.close();
  }
}

await main();
