/**
 * The bus sink runs the sink contract on the machine's NATS JetStream (a topic
 * of each test's own, its streams deleted afterwards), and what it publishes is
 * read back with a bus consumer: one CloudEvent per lead, keyed by identity.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { decodeCloudEvent } from "../../../src/bus/cloud-event.js";
import { streamNameFor } from "../../../src/bus/nats/nats-streams.js";
import type { BusConnection } from "../../../src/config/schema.js";
import { busSinkSchema } from "../../../src/config/sink-schema.js";
import { freePort } from "../../../src/demo/free-port.js";
import { createBusSink } from "../../../src/sinks/bus/bus-sink.js";
import type { Sink } from "../../../src/sinks/sink.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "../../bus/fixtures/nats-server.js";
import { people, sinkRecord } from "../../stand-ins/sink-records.js";
import { sinkContract } from "../sink-contract.js";
import { readTopic } from "./read-topic.js";

const NATS: BusConnection = { nats: { servers: NATS_URL } };
const prefixes: string[] = [];

function freshTopic(purpose: string): string {
  const prefix = uniqueTopicPrefix(purpose);
  prefixes.push(prefix);
  return `${prefix}.enriched`;
}

async function cleanUp(): Promise<void> {
  await Promise.all(prefixes.splice(0).map((prefix) => deleteStreams(NATS_URL, prefix)));
}

const busSink = (topic: string, bus: BusConnection = NATS, extra: object = {}) =>
  createBusSink(busSinkSchema.parse({ name: "events", type: "bus", topic, ...extra }), { bus });

/** A stream of our own capturing the topic, refusing messages over 64 bytes. */
async function tinyStream(topic: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: streamNameFor(topic), subjects: [topic], max_msg_size: 64 });
  } finally {
    await nc.close();
  }
}

sinkContract("bus sink (NATS JetStream)", {
  keyedOn: "lead",
  async open() {
    const topic = freshTopic("bus-sink");
    const arrived = async () =>
      (await readTopic(topic)).map((message) => {
        const event = decodeCloudEvent(message);
        return String((event.data as { email: unknown }).email);
      });
    return { sink: busSink(topic), arrived };
  },
  async failing(kind) {
    const topic = freshTopic("bus-sink-failing");
    if (kind === "retryable") {
      // Nothing listens there: the broker is unreachable.
      return busSink(topic, { nats: { servers: `nats://127.0.0.1:${await freePort()}` } });
    }
    await tinyStream(topic);
    return busSink(topic);
  },
  cleanUp,
});

describe("bus sink: the events it publishes", () => {
  const opened: Sink[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((sink) => sink.close()));
    await cleanUp();
  });
  const open = (...args: Parameters<typeof busSink>) => {
    const sink = busSink(...args);
    opened.push(sink);
    return sink;
  };

  it("publishes one CloudEvent per record: attributes, identity key, stable id, the enriched row as data", async () => {
    const topic = freshTopic("bus-sink-events");
    const sink = open(topic, NATS, {
      eventSource: "claypipe/router",
      eventType: "com.acme.lead.ready",
    });
    const [ada, grace] = people(2);
    const withCredential = { ...ada!, row: { ...ada!.row, callback_url: "https://x/cb?t=secret" } };
    const signal = AbortSignal.timeout(20_000);
    expect(await sink.deliver([withCredential, grace!], signal)).toEqual([
      { ok: true },
      { ok: true },
    ]);

    const messages = await readTopic(topic);
    expect(messages.map((message) => message.key)).toEqual([ada!.identityKey, grace!.identityKey]);
    const [first] = messages;
    expect(first!.id).toBe(`${ada!.leadId}:events`);
    expect(first!.headers).toMatchObject({
      ce_id: `${ada!.leadId}:events`,
      ce_source: "claypipe/router",
      ce_type: "com.acme.lead.ready",
      ce_specversion: "1.0",
      ce_subject: ada!.leadId,
      ce_time: ada!.enrichedAt,
      "content-type": "application/json",
    });
    const event = decodeCloudEvent(first!);
    expect(event.data).toEqual({
      claypipe_id: ada!.leadId,
      identity: ada!.identityKey,
      source: "api",
      route: "crm",
      enriched_at: ada!.enrichedAt,
      ...ada!.row,
    });
    expect(JSON.stringify(event.data)).not.toContain("callback_url");
  });

  it("uses the CloudEvents defaults when the config names none", async () => {
    const topic = freshTopic("bus-sink-defaults");
    const sink = open(topic);
    expect(await sink.deliver(people(1), AbortSignal.timeout(20_000))).toEqual([{ ok: true }]);
    const [message] = await readTopic(topic);
    expect(message!.headers).toMatchObject({
      ce_source: "claypipe",
      ce_type: "com.claypipe.lead.routed",
    });
  });

  it("refuses a record too large for the bus, finally and with its reason, and delivers the rest", async () => {
    const topic = freshTopic("bus-sink-large");
    const sink = open(topic);
    const huge = sinkRecord({ email: "big@acme.com", notes: "x".repeat(300 * 1024) });
    const [small] = people(1);
    const [refused, delivered] = await sink.deliver([huge, small!], AbortSignal.timeout(20_000));
    expect(refused).toMatchObject({ ok: false, retryable: false });
    expect((refused as { reason: string }).reason).toMatch(
      /-byte event, over the 262144-byte bound/,
    );
    expect(delivered).toEqual({ ok: true });
    expect((await readTopic(topic)).map((message) => message.key)).toEqual([small!.identityKey]);
  });

  it("answers a broker's size refusal (the stream's max_msg_size) as final, with the reason", async () => {
    const topic = freshTopic("bus-sink-refused");
    await tinyStream(topic);
    const [result] = await open(topic).deliver(people(1), AbortSignal.timeout(20_000));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect((result as { reason: string }).reason).toMatch(/over its max_msg_size; .*raise/);
  });

  it("says what to do when the broker is unreachable, as a retryable failure", async () => {
    const topic = freshTopic("bus-sink-down");
    const down = open(topic, { nats: { servers: `nats://127.0.0.1:${await freePort()}` } });
    const [result] = await down.deliver(people(1), AbortSignal.timeout(20_000));
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect((result as { reason: string }).reason).toMatch(
      /could not reach NATS at .*; start nats-server/,
    );
  });

  it("refuses to be built without a bus connection", () => {
    expect(() =>
      createBusSink(
        busSinkSchema.parse({ name: "events", type: "bus", topic: "enriched.contacts" }),
      ),
    ).toThrow(/publishes to the bus, and no bus is set/);
  });
});
