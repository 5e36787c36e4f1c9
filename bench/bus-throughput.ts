/**
 * Bus throughput through claypipe's Bus port next to the raw client doing the
 * same work, in the same run, per broker:
 * 1. publish BENCH_MESSAGES lead CloudEvents with broker acks, in batches of
 *    BENCH_BATCH, BENCH_CONCURRENCY batches in flight, each with a message id
 *    (port: bus.publish; raw: the client's publish, a batch in flight at once);
 * 2. consume them in one new durable group, explicit ack, BENCH_CONCURRENCY
 *    handlers at once (port: bus.consume; raw: the client's own consumer);
 *    timed from the first message handled to the last (the time to the first,
 *    joining the group, is printed apart);
 * 3. both at once: a group consumes a new topic while the messages are
 *    published to it; timed from the first publish, once the group has handled
 *    a message published before, to the last message handled.
 * The messages are encoded once, before any timing, with claypipe's
 * CloudEvents envelope; each handler parses the JSON body on both sides. Each
 * side is warmed up first; then BENCH_ROUNDS rounds (default 3) with the sides
 * taking turns, and the port's ratio is the median of the rounds' ratios.
 *
 *   npm run bench:bus                  # needs NATS with JetStream (NATS_URL, default 127.0.0.1:4222)
 *   BENCH_MESSAGES=50000 BENCH_CONCURRENCY=16 BENCH_BATCH=200 BENCH_ROUNDS=5 npm run bench:bus
 *   BENCH_BUS=kafka npm run bench:bus  # one broker only (nats, kafka)
 *   BENCH_QUICK=1 npm run bench:bus    # NATS only, 10,000 messages, one round
 *   BENCH_KAFKA_MAX_UNCOMMITTED=100000 BENCH_BUS=kafka npm run bench:bus   # the Kafka bus's maxUncommittedPerPartition
 *
 * Kafka runs on librdkafka's mock cluster (kcat), and is skipped, saying why,
 * without the Confluent client or kcat. Every topic is new (a prefix of the
 * run's own); NATS streams are deleted at the end, Kafka topics go with the
 * mock cluster.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import type { Bus } from "../src/bus/bus.js";
import { QUICK, recordFigure } from "./bench-figures.js";
import { benchEvents, messageBytes } from "./bus-bench-events.js";
import { kafkaSetup } from "./bus-bench-kafka.js";
import {
  type BenchPlan,
  type BrokerSetup,
  measureBoth,
  measureConsume,
  measurePublish,
} from "./bus-bench-measures.js";
import { natsSetup } from "./bus-bench-nats.js";
import { type Comparison, compareSides, fmt, type Side } from "./bus-bench-rounds.js";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? (QUICK ? 10_000 : 20_000));
const NATS_URL = process.env.NATS_URL || "nats://127.0.0.1:4222";
const PLAN: BenchPlan = {
  batch: Number(process.env.BENCH_BATCH ?? 100),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
  timeoutMs: 300_000,
};
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const BROKERS = (process.env.BENCH_BUS ?? (QUICK ? "nats" : "nats,kafka")).split(",");
const KAFKA_MAX_UNCOMMITTED = process.env.BENCH_KAFKA_MAX_UNCOMMITTED
  ? Number(process.env.BENCH_KAFKA_MAX_UNCOMMITTED)
  : undefined;
const WARM_UP_MESSAGES = 2000;
const GROUP = "bench";
// A group that never reads: its lag is everything the topic holds.
const NO_GROUP = "bench-never-read";

/** Topics of the run's own, per broker. */
const topicPrefix = (broker: string) =>
  `claypipe-bench-bus-${broker}-${randomBytes(4).toString("hex")}`;

/** Messages the group has not acked, once the acks in flight have landed. */
async function settledLag(bus: Bus, topic: string, group: string): Promise<number> {
  let pending = Number.POSITIVE_INFINITY;
  for (let tries = 0; tries < 50 && pending > 0; tries++) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    pending = (await bus.lag(topic, group)).reduce((sum, lag) => sum + lag.pending, 0);
  }
  return pending;
}

/** Messages the topic holds: the lag of a group that never read it. */
async function stored(bus: Bus, topic: string): Promise<number> {
  return (await bus.lag(topic, NO_GROUP)).reduce((sum, lag) => sum + lag.pending, 0);
}

/** The topic side `i` publishes to in `round` (measure 1), which measure 2 then reads. */
const publishTopic = (setup: BrokerSetup, i: number, round: number) =>
  `${setup.topicPrefix}.publish-${i}-${round}`;

function publishMeasure(setup: BrokerSetup): Promise<Comparison> {
  const sides = [setup.port, setup.raws[0]!].map(
    (target, i): Side => ({
      name: target.name,
      async run(round) {
        const topic = publishTopic(setup, i, round);
        const events = benchEvents(MESSAGES, `p${i}r${round}`);
        const seconds = await measurePublish(target, topic, events, PLAN);
        return { seconds, check: `${fmt(await stored(setup.bus, topic))} stored` };
      },
    }),
  );
  return compareSides(
    `1. publish: ${fmt(MESSAGES)} messages in batches of ${PLAN.batch}, ${PLAN.concurrency} batches in flight, broker acks`,
    sides,
    ROUNDS,
    MESSAGES,
  );
}

function consumeMeasure(setup: BrokerSetup): Promise<Comparison> {
  // The raw consumers all read what the raw client published, each as a group of its own.
  const sides = [setup.port, ...setup.raws].map(
    (target, i): Side => ({
      name: target.name,
      async run(round) {
        const topic = publishTopic(setup, Math.min(i, 1), round);
        const group = `${GROUP}-consume-${i}`;
        const { seconds, startSeconds } = await measureConsume(
          target,
          topic,
          group,
          MESSAGES,
          PLAN,
        );
        const lag = await settledLag(setup.bus, topic, group);
        return {
          seconds,
          check: `first handled after ${fmt(startSeconds, 2)} s; lag after: ${fmt(lag)}`,
        };
      },
    }),
  );
  return compareSides(
    `2. consume: ${fmt(MESSAGES)} stored messages, one new durable group, ${PLAN.concurrency} handlers at once, pulls of ${PLAN.batch}, explicit ack; from the first message handled to the last`,
    sides,
    ROUNDS,
    MESSAGES,
  );
}

function bothMeasure(setup: BrokerSetup): Promise<Comparison> {
  const sides = [setup.port, setup.raws[0]!].map(
    (target, i): Side => ({
      name: target.name,
      async run(round) {
        const topic = `${setup.topicPrefix}.both-${i}-${round}`;
        // One more: the first shows the group runs (see measureBoth).
        const events = benchEvents(MESSAGES + 1, `b${i}r${round}`);
        const { publishSeconds, consumeSeconds } = await measureBoth(
          target,
          topic,
          GROUP,
          events,
          PLAN,
        );
        const lag = await settledLag(setup.bus, topic, GROUP);
        return {
          seconds: consumeSeconds,
          check: `published in ${fmt(publishSeconds, 2)} s; lag after: ${fmt(lag)}`,
        };
      },
    }),
  );
  return compareSides(
    `3. both at once: ${fmt(MESSAGES)} messages published (as in 1) while one group consumes them (as in 2); from the first publish, once the group runs, to the last handled`,
    sides,
    ROUNDS,
    MESSAGES,
  );
}

/** One untimed publish and consume per side, so neither measures a cold client. */
async function warmUp(setup: BrokerSetup): Promise<void> {
  const count = Math.min(MESSAGES, WARM_UP_MESSAGES);
  const quick = { ...PLAN, timeoutMs: 60_000 };
  for (const [i, target] of [setup.port, ...setup.raws].entries()) {
    const topic = `${setup.topicPrefix}.warm-${i}`;
    await measurePublish(target, topic, benchEvents(count, `w${i}`), quick);
    await measureConsume(target, topic, GROUP, count, quick);
  }
}

async function runBroker(setup: BrokerSetup): Promise<Array<{ measure: string } & Comparison>> {
  console.log(`\n== ${setup.broker} ==`);
  await warmUp(setup);
  return [
    { measure: "publish", ...(await publishMeasure(setup)) },
    { measure: "consume", ...(await consumeMeasure(setup)) },
    { measure: "both", ...(await bothMeasure(setup)) },
  ];
}

async function main(): Promise<void> {
  const size = messageBytes(benchEvents(1, "size")[0]!);
  console.log(
    `bus throughput, claypipe's Bus port vs the raw client; Node ${process.version}, ` +
      `${availableParallelism()} cores; messages of ${size.body} bytes of body and ` +
      `${size.headers} bytes of key, id and headers`,
  );
  const summary: string[] = [];
  if (BROKERS.includes("nats")) {
    await measureBroker("NATS", await natsSetup(NATS_URL, PLAN, topicPrefix("nats")), summary);
  }
  if (BROKERS.includes("kafka")) {
    const kafka = await kafkaSetup(topicPrefix("kafka"), KAFKA_MAX_UNCOMMITTED);
    if ("skipped" in kafka) console.log(`\n== Kafka: skipped ==\n${kafka.skipped}`);
    else await measureBroker("Kafka", kafka, summary);
  }
  if (summary.length === 0) return;
  console.log(
    `\nRatios (goal ≥ 0.8; median of ${ROUNDS} round${ROUNDS === 1 ? "" : "s"} each):\n${summary.join("\n")}`,
  );
}

/** Runs the broker's measures, adds its ratios to `summary`, and cleans up whatever happens. */
async function measureBroker(label: string, setup: BrokerSetup, summary: string[]): Promise<void> {
  try {
    for (const { measure, portRate, ratios } of await runBroker(setup)) {
      for (const { raw, rawRate, ratio } of ratios) {
        summary.push(`${label} ${measure}, port / ${raw}: ${fmt(ratio, 2)}`);
        recordFigure({
          figure: `bus ${measure}, ${label} (vs ${raw})`,
          unit: "msgs/s",
          claypipe: portRate,
          baseline: rawRate,
          baselineLabel: "raw client",
          goal: { of: "ratio", atLeast: 0.8 },
          checked: `${fmt(MESSAGES)} messages through each side (a side that stops short fails the run)`,
        });
      }
    }
  } finally {
    await setup.cleanup();
  }
}

await main();
