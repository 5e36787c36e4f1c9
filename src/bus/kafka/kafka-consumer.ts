/**
 * One member of a Kafka consumer group running a Bus handler.
 *
 * - Explicit commits: auto-commit is off; an offset is committed only once its
 *   handler settled it (acked, or dead-lettered with the dead letter acked by
 *   the broker). Handlers for different keys run at once (`concurrency`), so
 *   acks come out of order: see partition-progress.ts for how they are kept.
 * - Redelivery with delay happens in this process: the message keeps its slot
 *   and its key's place (later messages of the key wait, so order holds) until
 *   the delay has passed, then the handler runs again. Nothing is committed
 *   past it meanwhile, so if the process dies the next owner gets it again
 *   (its delivery count starts over: Kafka keeps no count).
 * - Rebalance: before partitions are taken away, what is settled is committed;
 *   handlers still running for them finish, but their acks are not committed
 *   here: the new owner handles those messages again (duplicates bounded by
 *   the messages in flight).
 */
import { type ConsumeOptions, type Handler, resolveConsumeOptions } from "../bus.js";
import { KeyLanes } from "../key-lanes.js";
import { deadLetterMessage, type HandlerOutcome, settle } from "../settle.js";
import type { KafkaConsumer, KafkaEachMessagePayload } from "./kafka-client.js";
import { REBALANCE } from "./kafka-client.js";
import { fromKafkaRecord } from "./kafka-message.js";
import { OffsetCommitter } from "./offset-committer.js";
import type { PartitionProgress } from "./partition-progress.js";

export interface ConsumerDeps {
  /** A consumer of the group with auto-commit off, calling `onRebalance` from its rebalance callback. */
  createConsumer: (
    group: string,
    onRebalance: (
      event: number,
      partitions: Array<{ topic: string; partition: number }>,
    ) => Promise<void>,
  ) => KafkaConsumer;
  /** Publishes to a topic and resolves once the broker acknowledged. */
  publishDeadLetter: (
    topic: string,
    message: ReturnType<typeof deadLetterMessage>,
  ) => Promise<void>;
}

export async function consumeKafka(
  deps: ConsumerDeps,
  consumeOptions: ConsumeOptions,
  handler: Handler,
  signal: AbortSignal,
): Promise<void> {
  const options = resolveConsumeOptions(consumeOptions);
  if (signal.aborted) return;
  const lanes = new KeyLanes(options.concurrency);
  let committer: OffsetCommitter | undefined;
  const consumer = deps.createConsumer(options.group, async (event, partitions) => {
    if (!committer) return;
    const mine = partitions.filter((entry) => entry.topic === options.topic);
    if (event === REBALANCE.revoke) await committer.flush();
    committer.forget(mine.map((entry) => entry.partition));
  });
  committer = new OffsetCommitter(consumer, options.topic);
  const offsets = committer;

  /** Runs the handler until the message is settled, or leaves it unsettled when stopping. */
  async function deliver(payload: KafkaEachMessagePayload, progress: PartitionProgress) {
    const offset = Number(payload.message.offset);
    const first = fromKafkaRecord(payload);
    for (let deliveryCount = 1; !signal.aborted; deliveryCount++) {
      const message = { ...first, deliveryCount };
      let outcome: HandlerOutcome;
      try {
        outcome = { verdict: await handler(message, signal) };
      } catch (thrown) {
        outcome = { thrown };
      }
      const settlement = settle(outcome, deliveryCount, options, signal.aborted);
      if (settlement.action === "release") return;
      if (settlement.action === "retry") {
        await sleep(settlement.delayMs, signal);
        continue;
      }
      if (settlement.action === "deadLetter") {
        const letter = deadLetterMessage(
          message,
          options.group,
          settlement,
          `${payload.partition}:${offset}`,
        );
        if (!(await publishUntilAcked(deps, options, letter, signal))) return;
      }
      progress.settle(offset);
      void offsets.flush();
      return;
    }
  }

  async function eachMessage(payload: KafkaEachMessagePayload): Promise<void> {
    if (signal.aborted) return;
    const progress = await offsets.progress(payload.partition);
    if (!progress.receive(Number(payload.message.offset))) return;
    const key = payload.message.key?.toString("utf8") ?? "";
    // Resolves once a slot is free: the client fetches no further until then.
    await lanes.add(key, () => deliver(payload, progress));
  }

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic] });
    await consumer.run({ eachMessage });
    await abortion(signal);
    await lanes.idle();
    await offsets.flush();
  } finally {
    await consumer.disconnect();
  }
}

/** Publishes the dead letter, again after each retry delay until acked; false when stopping first. */
async function publishUntilAcked(
  deps: ConsumerDeps,
  options: Required<ConsumeOptions>,
  letter: ReturnType<typeof deadLetterMessage>,
  signal: AbortSignal,
): Promise<boolean> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await deps.publishDeadLetter(options.deadLetterTopic, letter);
      return true;
    } catch {
      const delays = options.retryDelaysMs;
      await sleep(delays[Math.min(attempt, delays.length) - 1] ?? 0, signal);
    }
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
