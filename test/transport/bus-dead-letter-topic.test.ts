/**
 * The event tier's dead-letter topic on the machine's NATS JetStream and on
 * Kafka (librdkafka's mock cluster): budget letters published with their
 * lead, replayable after their window; a replay reads the topic once as its
 * own group until drained, hands each lead's letter to the pipeline's replay,
 * and counts the letters of messages that never became leads.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Bus } from "../../src/bus/bus.js";
import { openKafkaBus } from "../../src/bus/kafka/kafka-bus.js";
import { openBus } from "../../src/bus/open-bus.js";
import { deadLetterOfMessage } from "../../src/bus/topics/dead-letter-event.js";
import { systemClock } from "../../src/core/clock.js";
import type { StoredLead } from "../../src/store/lead-store.js";
import { createBusDeadLetterTopic } from "../../src/transport/bus/bus-dead-letter-topic.js";
import type { TopicDeadLetter } from "../../src/transport/transport.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "../bus/fixtures/nats-server.js";
import { describeKafka, MOCK_CONSUMER_CONFIG } from "../bus/kafka-test-setup.js";

const MIDNIGHT = Date.UTC(2026, 11, 4);

function contract(name: string, open: () => Promise<{ bus: Bus; topic: string }>) {
  let opened: Bus | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it(`${name}: replays each budget letter's lead once, and counts the letters of no lead`, async () => {
    const { bus, topic } = await open();
    opened = bus;
    const deadLetters = createBusDeadLetterTopic({
      bus,
      topic,
      enricherGroup: "enrichers",
      clock: systemClock,
    });
    const leads = ["lead-replayed", "lead-skipped", "lead-held"].map(
      (id) => ({ id, identityKey: `email:${id}@acme.example` }) as StoredLead,
    );
    for (const lead of leads) {
      await deadLetters.publishBudget({
        lead,
        detail: "credit cap workspace:main day 2026-12-03 reached (data 20/20)",
        replayableAfter: MIDNIGHT,
      });
    }
    // A foreign message the enrichers dead-lettered, and a message that is no letter at all.
    const junk = {
      topic: "leads.incoming",
      key: "junk",
      id: undefined,
      value: new TextEncoder().encode("not json"),
      headers: {},
      deliveryCount: 1,
      partition: "0",
    };
    await bus.publish(topic, [
      deadLetterOfMessage(
        junk,
        { reason: "bad_message", message: "not JSON" },
        new Date().toISOString(),
      ),
      { key: "noise", value: new TextEncoder().encode("{}") },
    ]);

    const seen: TopicDeadLetter[] = [];
    const counts = await deadLetters.replay(async (letter) => {
      seen.push(letter);
      if (letter.leadId === "lead-replayed") return "replayed";
      if (letter.leadId === "lead-skipped") return "skipped";
      return { heldUntil: MIDNIGHT };
    });
    expect(seen.map((letter) => letter.leadId).sort()).toEqual(leads.map((lead) => lead.id).sort());
    expect(seen.every((letter) => letter.reason === "budget")).toBe(true);
    expect(counts).toEqual({
      replayed: 1,
      skipped: 1,
      heldByBudget: { leads: 1, replayableAfter: MIDNIGHT },
      notLeads: { bad_message: 1, unreadable: 1 },
    });

    // Read once: the group's next replay finds the topic drained.
    const again: TopicDeadLetter[] = [];
    expect(
      await deadLetters.replay(async (letter) => {
        again.push(letter);
        return "replayed";
      }),
    ).toEqual({ replayed: 0, skipped: 0, notLeads: {} });
    expect(again).toEqual([]);
  }, 60_000);
}

describe("the bus dead-letter topic (NATS JetStream)", () => {
  const prefixes: string[] = [];
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) await deleteStreams(NATS_URL, prefix);
  });
  contract("NATS", async () => {
    const prefix = uniqueTopicPrefix("dlqtopic");
    prefixes.push(prefix);
    return { bus: await openBus({ nats: { servers: NATS_URL } }), topic: `${prefix}.dlq` };
  });
});

describeKafka("the bus dead-letter topic (Kafka)", (cluster) => {
  contract("Kafka", async () => ({
    // The mock cluster has no CreateTopics: topics come with their first message.
    bus: await openKafkaBus({
      brokers: cluster().bootstrap.split(","),
      autoCreateTopics: true,
      consumerConfig: MOCK_CONSUMER_CONFIG,
    }),
    topic: uniqueTopicPrefix("dlqtopic").replaceAll(".", "-"),
  }));
});
