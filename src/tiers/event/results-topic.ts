/**
 * The event tier's results topic (`bus.topics.enriched`): the receiver
 * publishes every callback it accepted, after the inbox holds it and before
 * Clay is answered; the routers, one consumer group, read it. A router routes
 * from the store's inbox, which holds the same callback, so a result is routed
 * once however often the bus carries it, and one the bus lost is still routed
 * by the inbox's own sweep. Other services read the topic for the rows.
 */
import type { Bus } from "../../bus/bus.js";
import { decodeEnrichedContact, encodeEnrichedContact } from "../../bus/topics/enriched-contact.js";
import { readOrDeadLetter } from "../../bus/topics/read-or-dead-letter.js";
import type { BusConfig } from "../../config/bus-schema.js";
import type { Clock } from "../../core/clock.js";
import type { AcceptedResult } from "../../pipeline/assemble-pipeline.js";

/** Deliveries of one message before the router gives up on it (the store or the bus kept failing). */
const MAX_DELIVER = 10;
/** Messages a router handles at once: each one only waits for an inbox pass. */
const CONCURRENCY = 16;

export function announceResults(bus: Bus, config: BusConfig) {
  return async (results: AcceptedResult[]): Promise<void> => {
    await bus.publish(
      config.topics.enriched,
      results.map((result) =>
        encodeEnrichedContact({
          leadId: result.leadId,
          identity: result.identityKey,
          workspace: result.workspace,
          table: result.table,
          attempt: result.attempt,
          enrichedAt: new Date(result.receivedAt).toISOString(),
          row: result.body,
        }),
      ),
    );
  };
}

export function followResults(bus: Bus, config: BusConfig, clock: Clock) {
  const { topics, routerGroup } = config;
  return (processInbox: () => Promise<void>, signal: AbortSignal): Promise<void> =>
    bus.consume(
      {
        topic: topics.enriched,
        group: routerGroup,
        deadLetterTopic: topics.deadLetters,
        maxDeliver: MAX_DELIVER,
        concurrency: CONCURRENCY,
      },
      async (message) => {
        const contact = await readOrDeadLetter(
          bus,
          topics.deadLetters,
          message,
          decodeEnrichedContact,
          clock.now(),
        );
        // The receiver wrote the callback to the inbox before publishing it: one pass that
        // starts now finds it, or finds it already processed by another router.
        if (contact) await processInbox();
        return "ack";
      },
      signal,
    );
}
