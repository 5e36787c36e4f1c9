/**
 * The event tier's dead-letter topic (`dlq.clay`) as the pipeline uses it: a
 * lead the credit budget refuses is published there with reason `budget` and
 * `replayableAfter`; `claypipe dlq replay --from-topic` reads it back as a
 * consumer group of its own (`<enricherGroup>-dlq-replay`) until drained.
 *
 * Reading back: a letter that names a lead goes to the pipeline's replay, and
 * is acked whatever came of it. The store is the source of truth: a lead whose
 * caps have no room yet stays dead there, counted, for `dlq replay --reason
 * budget` once they open. (Left unacked instead, its letter would come back
 * to a replay that has stopped pulling, which nats-server 2.9 mishandles, and
 * hold a Kafka partition's offset.) A letter of a message that never became a
 * lead (bad JSON, a failed schema) is counted and passed over: sent on again it
 * would fail the same way, so it stays in the topic for its publisher to read.
 */
import type { Bus } from "../../bus/bus.js";
import { pause } from "../../bus/pause.js";
import { decodeDeadLetter, encodeDeadLetter } from "../../bus/topics/dead-letter-event.js";
import { TopicMessageError } from "../../bus/topics/topic-error.js";
import type { Clock } from "../../core/clock.js";
import type { DeadLetterTopic, TopicReplayCounts } from "../transport.js";

export interface BusDeadLetterTopicOptions {
  bus: Bus;
  topic: string;
  /** The enrichers' group; the replay reads as `<group>-dlq-replay`. */
  enricherGroup: string;
  clock: Clock;
}

/** How often the replay looks whether the topic is drained. */
const DRAIN_CHECK_MS = 200;
/** Drained also when no letter came for this long: Kafka's lag follows its commits, a little behind. */
const IDLE_MS = 3000;
/** Before the first letter, joining the group may take a while (a Kafka rebalance): waits this long for it. */
const FIRST_LETTER_MS = 30_000;
/** Letters handled at once (different keys). */
const CONCURRENCY = 8;

export function createBusDeadLetterTopic(options: BusDeadLetterTopicOptions): DeadLetterTopic {
  const { bus, topic, clock } = options;
  const group = `${options.enricherGroup}-dlq-replay`;

  return {
    async publishBudget({ lead, detail, replayableAfter }) {
      const now = clock.now();
      await bus.publish(topic, [
        encodeDeadLetter(
          {
            reason: "budget",
            detail,
            original: { leadId: lead.id, identity: lead.identityKey },
            replayableAfter: new Date(replayableAfter).toISOString(),
          },
          // One id per refusal: the broker keeps a later refusal of a replayed lead too.
          { key: lead.identityKey, time: new Date(now).toISOString(), id: `dlq:${lead.id}@${now}` },
        ),
      ]);
    },

    async replay(replayLetter) {
      const counts: TopicReplayCounts = {
        replayed: 0,
        skipped: 0,
        notLeads: {},
      };
      let lastLetterAt = clock.now();
      let anyLetter = false;
      const stop = new AbortController();
      await bus.ensureTopics([topic]);
      let consumeEnded = false;
      const consuming = bus
        .consume(
          {
            topic,
            group,
            // A letter whose replay failed at every delivery (the store down) goes back to the topic.
            deadLetterTopic: topic,
            concurrency: CONCURRENCY,
          },
          async (message) => {
            lastLetterAt = clock.now();
            anyLetter = true;
            let letter: ReturnType<typeof decodeDeadLetter>["data"];
            try {
              letter = decodeDeadLetter(message).data;
            } catch (error) {
              if (!(error instanceof TopicMessageError)) throw error;
              counts.notLeads.unreadable = (counts.notLeads.unreadable ?? 0) + 1;
              return "ack";
            }
            const original = letter.original;
            if (original === undefined || !("leadId" in original)) {
              counts.notLeads[letter.reason] = (counts.notLeads[letter.reason] ?? 0) + 1;
              return "ack";
            }
            const verdict = await replayLetter({ leadId: original.leadId, reason: letter.reason });
            if (verdict === "replayed" || verdict === "skipped") counts[verdict] += 1;
            else {
              const earliest = Math.min(
                counts.heldByBudget?.replayableAfter ?? verdict.heldUntil,
                verdict.heldUntil,
              );
              counts.heldByBudget = {
                leads: (counts.heldByBudget?.leads ?? 0) + 1,
                replayableAfter: earliest,
              };
            }
            return "ack";
          },
          stop.signal,
        )
        .finally(() => {
          consumeEnded = true;
        });
      try {
        while (!consumeEnded) {
          await pause(DRAIN_CHECK_MS, stop.signal);
          const lags = await bus.lag(topic, group);
          const pending = lags.reduce((sum, lag) => sum + lag.pending, 0);
          const quietFor = clock.now() - lastLetterAt;
          if (pending === 0 || quietFor >= (anyLetter ? IDLE_MS : FIRST_LETTER_MS)) break;
        }
      } finally {
        // Also when the lag could not be read: the consumer must stop before the bus closes.
        stop.abort();
        await consuming;
      }
      return counts;
    },
  };
}
