/**
 * The NATS JetStream bus runs the Bus contract on the machine's NATS (streams
 * named after a prefix of each test's own, deleted afterwards), and takes
 * messages other NATS publishers wrote.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { type BusMessage, DEAD_LETTER_HEADERS } from "../../src/bus/bus.js";
import { decodeCloudEvent, encodeCloudEvent } from "../../src/bus/cloud-event.js";
import { createNatsBus } from "../../src/bus/nats/nats-bus.js";
import { busContract, until } from "./bus-contract.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "./fixtures/nats-server.js";

busContract("NATS JetStream bus", async () => {
  const topicPrefix = uniqueTopicPrefix("bus");
  // A short ack wait: a delivery lost with a stopped member comes back within the test's waits.
  const bus = await createNatsBus({ servers: NATS_URL, ackWaitMs: 5000 });
  return { bus, topicPrefix, cleanup: () => deleteStreams(NATS_URL, topicPrefix) };
});

describe("NATS JetStream bus: messages from other publishers", () => {
  it("takes a message with no key and foreign headers, and can dead-letter it", async () => {
    const topicPrefix = uniqueTopicPrefix("foreign");
    const topic = `${topicPrefix}.work`;
    const dlq = `${topicPrefix}.dlq`;
    const bus = await createNatsBus({ servers: NATS_URL });
    const nc = await connect({ servers: NATS_URL });
    const stop = new AbortController();
    const consumers: Promise<void>[] = [];
    try {
      await bus.ensureTopics([topic, dlq]);
      const foreign = headers();
      foreign.set("Content-Type", "application/json");
      foreign.set("X-Odd!", "yes");
      await jetstream(nc).publish(topic, new TextEncoder().encode("{}"), { headers: foreign });
      const seen: BusMessage[] = [];
      const letters: BusMessage[] = [];
      consumers.push(
        bus.consume(
          { topic, group: "g", deadLetterTopic: dlq },
          async (message) => {
            seen.push(message);
            return { deadLetter: "not_ours" };
          },
          stop.signal,
        ),
        bus.consume(
          { topic: dlq, group: "reader", deadLetterTopic: dlq },
          async (message) => {
            letters.push(message);
            return "ack";
          },
          stop.signal,
        ),
      );
      await until("dead-lettered", () => letters.length === 1);
      expect(seen[0]).toMatchObject({ key: "", id: undefined });
      expect(seen[0]?.headers).toEqual({ "content-type": "application/json", "x-odd!": "yes" });
      expect(letters[0]?.headers).toMatchObject({
        "content-type": "application/json",
        [DEAD_LETTER_HEADERS.reason]: "not_ours",
      });
    } finally {
      stop.abort();
      await Promise.all(consumers);
      await bus.close();
      await nc.close();
      await deleteStreams(NATS_URL, topicPrefix);
    }
  });
});

describe("NATS JetStream bus: CloudEvents on the wire", () => {
  it("publishes the attributes as the NATS binding's ce-* headers, and reads them back", async () => {
    const topicPrefix = uniqueTopicPrefix("ce");
    const topic = `${topicPrefix}.events`;
    const bus = await createNatsBus({ servers: NATS_URL });
    const nc = await connect({ servers: NATS_URL });
    const stop = new AbortController();
    let consuming: Promise<void> | undefined;
    try {
      await bus.ensureTopics([topic]);
      const event = encodeCloudEvent({
        id: "evt-1",
        source: "claypipe/test",
        type: "com.claypipe.test",
        subject: "lead-1",
        data: { email: "ada@acme.example" },
      });
      await bus.publish(topic, [{ key: "lead-1", id: "evt-1", ...event }]);
      // What any NATS client sees: the binding's names.
      const jsm = await jetstreamManager(nc);
      const raw = await jsm.streams.getMessage(await jsm.streams.find(topic), { seq: 1 });
      expect(raw?.header.get("ce-id")).toBe("evt-1");
      expect(raw?.header.get("ce-type")).toBe("com.claypipe.test");
      expect(raw?.header.get("ce_id")).toBe("");
      // What a claypipe handler sees: the envelope decodes as it was encoded.
      const received: BusMessage[] = [];
      consuming = bus.consume(
        { topic, group: "g", deadLetterTopic: `${topicPrefix}.dlq` },
        async (message) => {
          received.push(message);
          return "ack";
        },
        stop.signal,
      );
      await until("received", () => received.length === 1);
      expect(decodeCloudEvent(received[0]!)).toMatchObject({
        id: "evt-1",
        subject: "lead-1",
        data: { email: "ada@acme.example" },
      });
    } finally {
      stop.abort();
      await consuming;
      await bus.close();
      await nc.close();
      await deleteStreams(NATS_URL, topicPrefix);
    }
  });
});
