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
 *   here: the new owner handles those messages again. A partition is handled
 *   at most `maxUncommitted` messages beyond what the broker confirmed it holds
 *   (offset-committer.ts); past that its messages wait here (the partition is
 *   paused once 100 wait) until commits catch up. So a member losing a
 *   partition leaves at most that many messages to be handled twice. The same
 *   bound keeps the commit metadata short.
 */
import { type ConsumeOptions, type Handler, resolveConsumeOptions } from "../bus.js";
import { KeyLanes } from "../key-lanes.js";
import { pause } from "../pause.js";
import { deadLetterMessage, type HandlerOutcome, settle } from "../settle.js";
import type { KafkaConsumer, KafkaEachMessagePayload } from "./kafka-client.js";
import { REBALANCE } from "./kafka-client.js";
import { fromKafkaRecord } from "./kafka-message.js";
import { OffsetCommitter } from "./offset-committer.js";
import type { PartitionProgress } from "./partition-progress.js";

// Throughput against repeats: at 100 a consumer ran at 0.08 of the raw client (npm run bench:bus), at 1000 at 0.67.
export const DEFAULT_MAX_UNCOMMITTED = 1000;
const ROOM_POLL_MS = 5;
/** Messages of a partition kept waiting for commits before it is paused. */
const MAX_PARKED = 100;

export interface ConsumerDeps {
  /** Messages a partition may be handled beyond the broker's confirmed commit. */
  maxUncommitted: number;
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
  /** Messages waiting for commits to catch up, per partition, in offset order. */
  const parked = new Map<number, KafkaEachMessagePayload[]>();
  /** Partitions paused because their parked queue is full. */
  const paused = new Set<number>();
  let offsets: OffsetCommitter | undefined;
  const consumer = deps.createConsumer(options.group, async (event, partitions) => {
    if (!offsets) return;
    const mine = partitions.filter((entry) => entry.topic === options.topic);
    if (event === REBALANCE.revoke) await offsets.flush();
    offsets.forget(mine.map((entry) => entry.partition));
    for (const { partition } of mine) {
      parked.delete(partition);
      // The client keeps a partition paused across rebalances: its next owner here starts fresh.
      if (paused.delete(partition)) consumer.resume(topicPartition(partition));
    }
  });
  const committer = new OffsetCommitter(consumer, options.topic, deps.maxUncommitted);
  offsets = committer;

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
        await pause(settlement.delayMs, signal);
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
      void committer.flush();
      return;
    }
  }

  /** Hands the message to a handler, after its key's earlier ones, once a slot is free. */
  function dispatch(payload: KafkaEachMessagePayload, progress: PartitionProgress) {
    if (!progress.receive(Number(payload.message.offset))) return;
    const key = payload.message.key?.toString("utf8") ?? "";
    lanes.run(key, () => deliver(payload, progress));
  }

  async function eachMessage(payload: KafkaEachMessagePayload): Promise<void> {
    if (signal.aborted) return;
    const { partition } = payload;
    const progress = await committer.progress(partition);
    const waiting = parked.get(partition);
    if (waiting) {
      waiting.push(payload);
      // Fetching on would only grow the queue: pause until it is drained.
      if (waiting.length === MAX_PARKED) {
        paused.add(partition);
        consumer.pause(topicPartition(partition));
      }
    } else if (committer.hasRoom(progress, Number(payload.message.offset))) {
      dispatch(payload, progress);
    } else {
      // Not here: eachMessage must return for the client to serve rebalances meanwhile.
      parked.set(partition, [payload]);
      void unpark(partition, progress);
    }
  }

  /** Dispatches a partition's parked messages as commits make room; ends when revoked or stopping. */
  async function unpark(partition: number, progress: PartitionProgress) {
    for (;;) {
      const waiting = parked.get(partition);
      const next = waiting?.[0];
      if (!waiting || !next || signal.aborted || !committer.owns(partition, progress)) break;
      if (committer.hasRoom(progress, Number(next.message.offset))) {
        waiting.shift();
        dispatch(next, progress);
        continue;
      }
      await committer.flush();
      if (!committer.hasRoom(progress, Number(next.message.offset)))
        await pause(ROOM_POLL_MS, signal);
    }
    parked.delete(partition);
    if (paused.delete(partition) && committer.owns(partition, progress)) {
      consumer.resume(topicPartition(partition));
    }
  }

  function topicPartition(partition: number) {
    return [{ topic: options.topic, partitions: [partition] }];
  }

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic] });
    await consumer.run({ eachMessage });
    await abortion(signal);
    await lanes.idle();
    await committer.flush();
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
      await pause(delays[Math.min(attempt, delays.length) - 1] ?? 0, signal);
    }
  }
  return false;
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
