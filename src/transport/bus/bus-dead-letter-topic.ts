/**
 * The event tier's dead-letter topic (`dlq.clay`) as the pipeline uses it: a
 * lead the credit budget refuses is published there with reason `budget` and
 * `replayableAfter`; `claypipe dlq replay --from-topic` reads it back as a
 * consumer group of its own (`<enricherGroup>-dlq-replay`) until drained.
 *
 * Reading back: a letter that names a lead goes to the pipeline's replay and
 * is acked once replayed or found already replayed; one whose lead cannot be
 * afforded yet stays unacked (redelivered to this group, so the next replay
 * sees it again). A letter of a message that never became a lead (bad
 * JSON, a failed schema) is counted and passed over: sending it on again would
 * fail the same way, so it stays in the topic for its publisher to inspect.
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

/**
 * A letter left for later comes back to this group this soon: within a replay it
 * is looked at again (it stays pending, so the replay still knows when it is
 * drained), and a replay run just after one that left it (say, once the cap was
 * raised) gets it at once.
 */
const LEAVE_MS = 1000;
/** How often the replay looks whether the topic is drained. */
const DRAIN_CHECK_MS = 200;
/**
 * Drained also when no letter came for this long: on Kafka, a letter left
 * unacked holds its partition's committed offset, so the lag stays above the
 * letters left.
 */
const IDLE_MS = 3000;
/** Letters handled at once (different keys). */
const CONCURRENCY = 8;
/** Deliveries to the replay group before a letter is given up (published to the topic again). */
const MAX_DELIVER = 10_000;

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
        left: { letters: 0 },
        notLeads: {},
      };
      const left = new Map<string, number>();
      let lastLetterAt = clock.now();
      const stop = new AbortController();
      await bus.ensureTopics([topic]);
      let consumeEnded = false;
      const consuming = bus
        .consume(
          {
            topic,
            group,
            // A letter this group gives up on goes back to the topic it came from.
            deadLetterTopic: topic,
            maxDeliver: MAX_DELIVER,
            concurrency: CONCURRENCY,
          },
          async (message) => {
            lastLetterAt = clock.now();
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
            const letterKey = message.id ?? `${message.partition}:${original.leadId}`;
            const verdict = await replayLetter({ leadId: original.leadId, reason: letter.reason });
            if (verdict === "replayed" || verdict === "skipped") {
              left.delete(letterKey);
              counts[verdict] += 1;
              return "ack";
            }
            left.set(letterKey, verdict.leaveUntil);
            return { retryInMs: LEAVE_MS };
          },
          stop.signal,
        )
        .finally(() => {
          consumeEnded = true;
        });
      while (!consumeEnded) {
        await pause(DRAIN_CHECK_MS, stop.signal);
        const pending = (await bus.lag(topic, group)).reduce((sum, lag) => sum + lag.pending, 0);
        if (pending <= left.size || clock.now() - lastLetterAt >= IDLE_MS) break;
      }
      stop.abort();
      await consuming;
      counts.left.letters = left.size;
      if (left.size > 0) counts.left.replayableAfter = Math.min(...left.values());
      return counts;
    },
  };
}
