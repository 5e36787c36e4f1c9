/**
 * Poison messages on the event tier's incoming topic while leads flow: the
 * bus transport feeds intake leads from its PostgreSQL outbox and enriches
 * them, and another system publishes, on one key, a message that is not JSON,
 * one that fails the schema and one over the 256 KiB bound, each followed by a
 * good lead of its own. Each poison message lands in the dead-letter topic
 * with its reason and its key, every good lead reaches Clay, and the topic
 * drains: nothing blocks the key. On NATS and on Kafka (librdkafka's mock
 * cluster).
 *
 * A 1 MB message (1,000,000 bytes): NATS stores it (its default max_payload is
 * 1 MiB with headers) and the enricher dead-letters it as too large; Kafka's
 * producer refuses it at publish (message.max.bytes is 1,000,000 with
 * headers), so it never reaches the topic.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Bus } from "../../src/bus/bus.js";
import { openKafkaBus } from "../../src/bus/kafka/kafka-bus.js";
import { openBus } from "../../src/bus/open-bus.js";
import { type DeadLetter, decodeDeadLetter } from "../../src/bus/topics/dead-letter-event.js";
import { encodeIncomingLead } from "../../src/bus/topics/lead-incoming.js";
import type { EncodedTopicMessage } from "../../src/bus/topics/topic-event.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { createPostgresStore } from "../../src/store/postgres/index.js";
import { createBusTransport } from "../../src/transport/bus/bus-transport.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "../bus/fixtures/nats-server.js";
import { describeKafka, MOCK_CONSUMER_CONFIG } from "../bus/kafka-test-setup.js";
import { REDIS_URL, uniquePrefix } from "../clay/fixtures/redis-server.js";
import { closeSendSides, person, startSendSide, TABLE_ID } from "../pipeline/send-side-fixture.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "../store/fixtures/postgres-server.js";

const INTAKE_LEADS = 40;
const POISON_KEY = "email:poison@foreign.example";
const ONE_MB = 1_000_000;
const encoder = new TextEncoder();

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  await closeSendSides();
}, 30_000);

type BusKind = "nats" | "kafka";

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 40 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A good foreign lead on the poison key: its own person, so each is a lead of its own. */
function foreignLead(n: number): EncodedTopicMessage {
  return encodeIncomingLead(
    { fields: { email: `person${1000 + n}@example.com`, company: "Acme" } },
    { key: POISON_KEY, time: new Date().toISOString() },
  );
}

/** A valid envelope with another body; `n` gives it an id of its own (NATS stores one message per id). */
function withBody(body: Uint8Array, n: number): EncodedTopicMessage {
  return { ...foreignLead(100 + n), value: body };
}

function openTheBus(kind: BusKind, bootstrap: string | undefined): Promise<Bus> {
  return kind === "nats"
    ? openBus({ nats: { servers: NATS_URL } })
    : // The mock cluster has no CreateTopics: topics come with their first message.
      openKafkaBus({
        brokers: bootstrap!.split(","),
        autoCreateTopics: true,
        consumerConfig: MOCK_CONSUMER_CONFIG,
      });
}

async function poisonScenario(kind: BusKind, bootstrap?: string): Promise<void> {
  const topicPrefix = uniqueTopicPrefix("poison");
  const topics = { incoming: `${topicPrefix}.incoming`, deadLetters: `${topicPrefix}.dlq` };
  const schema = randomSchema("bus_poison");
  cleanup.push(async () => {
    if (kind === "nats") await deleteStreams(NATS_URL, topicPrefix);
    const admin = await connectAdmin();
    await dropSchema(admin, schema);
    await admin.end();
  });
  const side = await startSendSide({
    openStore: (clock) => createPostgresStore({ connectionString: DATABASE_URL, schema, clock }),
    config: {
      queue: {
        redis: { connectionString: REDIS_URL },
        prefix: uniquePrefix("bus-poison").replaceAll(":", "-"),
      },
      bus: {
        ...(kind === "nats"
          ? { nats: { servers: NATS_URL } }
          : { kafka: { brokers: bootstrap!.split(",") } }),
        topics,
      },
    },
  });
  const transport = createBusTransport({
    config: side.config,
    store: side.store,
    clock: side.clock,
    logger: side.ctx.logger,
    bus: await openTheBus(kind, bootstrap),
    role: { feed: true, work: true },
  });
  const stop = new AbortController();
  const run = transport.run(side.handler, stop.signal);
  cleanup.push(async () => {
    stop.abort();
    await run.catch(() => undefined);
    await transport.close();
  });
  const foreign = await openTheBus(kind, bootstrap);
  cleanup.push(() => foreign.close());

  // Leads flow from intake while the poison comes in.
  const { accepted } = await side.intake.submit(
    Array.from({ length: INTAKE_LEADS }, (_, n) => person(n)),
  );
  transport.notify();
  const oneMb = withBody(new Uint8Array(ONE_MB).fill(0x20), 0);
  const oneMbPublished = await foreign.publish(topics.incoming, [oneMb]).then(
    () => true,
    (error: unknown) => error,
  );
  // One publish keeps their order on the key: each poison message has a good lead behind it.
  await foreign.publish(topics.incoming, [
    withBody(encoder.encode("{not json"), 1),
    foreignLead(1),
    withBody(encoder.encode(JSON.stringify({ fields: 12 })), 2),
    foreignLead(2),
    withBody(encoder.encode(JSON.stringify({ fields: { note: "x".repeat(300_000) } })), 3),
    foreignLead(3),
  ]);

  const expectedReasons = ["bad_message", "schema", "too_large"];
  if (kind === "nats") {
    expect(oneMbPublished).toBe(true);
    expectedReasons.push("too_large");
  } else {
    expect(oneMbPublished).toBeInstanceOf(ClaypipeError);
    expect(oneMbPublished).toMatchObject({ code: "payload_too_large" });
  }

  const inClay = () => side.emulator.control.rows(TABLE_ID);
  const goodEmails = [
    ...accepted.map((_, n) => `person${n}@example.com`),
    ...[1, 2, 3].map((n) => `person${1000 + n}@example.com`),
  ];
  const missing = () => {
    const emails = new Set(inClay().map((row) => row.fields.email));
    return goodEmails.filter((email) => !emails.has(email));
  };
  await until("every good lead in Clay", () => missing().length === 0).catch((error: unknown) => {
    throw new Error(`${String(error)}; missing: ${missing().join(", ")}`);
  });

  const letters: DeadLetter[] = [];
  const reading = new AbortController();
  const reader = foreign.consume(
    { topic: topics.deadLetters, group: "poison-reader", deadLetterTopic: `${topicPrefix}.dlq2` },
    async (message) => {
      letters.push(decodeDeadLetter(message).data);
      return "ack";
    },
    reading.signal,
  );
  await until(
    "every poison message a dead letter",
    () => letters.length >= expectedReasons.length,
  ).catch(async (error: unknown) => {
    const lag = JSON.stringify(await transport.lag());
    throw new Error(`${String(error)}; dead letters: ${letters.map((l) => l.reason)}; lag ${lag}`);
  });
  // The enrichers' group has taken every message: nothing is stuck behind the poison.
  await until("the incoming topic drained", async () =>
    (await transport.lag()).every((lag) => lag.pending === 0),
  );
  reading.abort();
  await reader;

  expect(letters.map((letter) => letter.reason).sort()).toEqual(expectedReasons.sort());
  for (const letter of letters) {
    // Keyed like the poison, saying what was wrong, carrying it (by size only when large).
    expect(letter.original).toMatchObject({ message: { key: POISON_KEY } });
    expect(letter.detail).not.toBe("");
  }
  const rows = inClay().length;
  expect(rows).toBe(goodEmails.length);
  const described = letters.map((letter) => {
    const original = letter.original as { message: { bodyBytes: number } };
    return `${letter.reason} (${original.message.bodyBytes} B)`;
  });
  console.log(
    `poison on ${kind}: ${described.join(", ")} in the dead-letter topic; ` +
      `${rows} good leads in Clay (${INTAKE_LEADS} from intake, 3 behind the poison on its key); ` +
      `1 MB message: ${oneMbPublished === true ? "stored, dead-lettered" : `refused at publish: ${String(oneMbPublished)}`}`,
  );
}

describe("poison messages on the incoming topic (NATS JetStream)", () => {
  it("go to the dead-letter topic with their reason; the leads behind them are enriched", async () => {
    await poisonScenario("nats");
  }, 60_000);
});

describeKafka("poison messages on the incoming topic (Kafka)", (cluster) => {
  it("go to the dead-letter topic with their reason; the leads behind them are enriched", async () => {
    await poisonScenario("kafka", cluster().bootstrap);
  }, 60_000);
});
