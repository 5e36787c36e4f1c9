/**
 * The topics' messages over a real broker (the machine's NATS JetStream):
 * what claypipe's encoders publish, and what another team's CloudEvents
 * publisher writes with the NATS binding's ce-* headers, decode on the
 * consumer's side; a message that does not decode goes to the dead-letter
 * topic as a dlq.clay event carrying it, and the stream moves on; the same
 * event published twice is stored once.
 */
import { jetstream } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { createNatsBus } from "../../src/bus/nats/nats-bus.js";
import {
  type DeadLetter,
  deadLetterOfMessage,
  decodeDeadLetter,
} from "../../src/bus/topics/dead-letter-event.js";
import {
  type DecodedIncomingLead,
  decodeIncomingLead,
  encodeIncomingLead,
} from "../../src/bus/topics/lead-incoming.js";
import { TopicMessageError } from "../../src/bus/topics/topic-error.js";
import { until } from "./bus-contract.js";
import { deleteStreams, NATS_URL, uniqueTopicPrefix } from "./fixtures/nats-server.js";

const LEAD_ID = "019a0000-0000-7000-8000-000000000001";
const TIME = "2026-12-03T15:00:00.000Z";

describe("topic messages on NATS JetStream", () => {
  it("decode after the broker, and a bad one becomes a dlq.clay event without blocking", async () => {
    const prefix = uniqueTopicPrefix("topics");
    const incoming = `${prefix}.leads-incoming`;
    const dlq = `${prefix}.dlq-clay`;
    const bus = await createNatsBus({ servers: NATS_URL });
    const nc = await connect({ servers: NATS_URL });
    const stop = new AbortController();
    const consumers: Promise<void>[] = [];
    try {
      await bus.ensureTopics([incoming, dlq]);
      const reference = encodeIncomingLead(
        { leadId: LEAD_ID, workspace: "main", table: "people" },
        { key: "email:ada@acme.com", time: TIME },
      );
      // Published twice (a retry after a lost ack): stored once.
      await bus.publish(incoming, [reference]);
      await bus.publish(incoming, [reference]);
      // Another team's publisher, with the NATS binding's header names.
      await publishForeign(nc, incoming, { fields: { Email: "Bob@Acme.com" } });
      await publishForeign(nc, incoming, { fields: { email: "bob@" } });
      await bus.publish(incoming, [
        encodeIncomingLead(
          { leadId: LEAD_ID, workspace: "main", table: "people", attempt: 2 },
          { key: "email:ada@acme.com", time: TIME },
        ),
      ]);

      const leads: DecodedIncomingLead[] = [];
      const letters: DeadLetter[] = [];
      consumers.push(
        bus.consume(
          { topic: incoming, group: "enricher", deadLetterTopic: dlq },
          async (message) => {
            try {
              leads.push(decodeIncomingLead(message).data);
            } catch (error) {
              if (!(error instanceof TopicMessageError)) throw error;
              await bus.publish(dlq, [deadLetterOfMessage(message, error, TIME)]);
            }
            return "ack";
          },
          stop.signal,
        ),
        bus.consume(
          { topic: dlq, group: "dlq-reader", deadLetterTopic: dlq },
          async (message) => {
            letters.push(decodeDeadLetter(message).data);
            return "ack";
          },
          stop.signal,
        ),
      );
      await until("every message handled", () => leads.length === 3 && letters.length === 1);
      expect(leads).toEqual([
        { leadId: LEAD_ID, workspace: "main", table: "people" },
        { fields: { email: "bob@acme.com" } },
        { leadId: LEAD_ID, workspace: "main", table: "people", attempt: 2 },
      ]);
      expect(letters[0]).toMatchObject({
        reason: "schema",
        original: { message: { topic: incoming, key: "crm-1" } },
      });
      expect(letters[0]!.detail).toContain("fields.email");
    } finally {
      stop.abort();
      await Promise.all(consumers);
      await bus.close();
      await nc.close();
      await deleteStreams(NATS_URL, prefix);
    }
  });
});

let published = 0;
async function publishForeign(
  nc: Awaited<ReturnType<typeof connect>>,
  topic: string,
  data: unknown,
): Promise<void> {
  published += 1;
  const ce = headers();
  ce.set("ce-id", `crm-event-${published}`);
  ce.set("ce-source", "acme/crm");
  ce.set("ce-type", "com.claypipe.lead.incoming");
  ce.set("ce-specversion", "1.0");
  ce.set("Content-Type", "application/json");
  ce.set("claypipe_key", "crm-1");
  await jetstream(nc).publish(topic, new TextEncoder().encode(JSON.stringify(data)), {
    headers: ce,
  });
}
