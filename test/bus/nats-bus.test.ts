/**
 * The NATS JetStream bus runs the Bus contract on the machine's NATS (streams
 * named after a prefix of each test's own, deleted afterwards), and takes
 * messages other NATS publishers wrote.
 */
import { jetstream } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { type BusMessage, DEAD_LETTER_HEADERS } from "../../src/bus/bus.js";
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
