/**
 * The three bus measures, the same code for claypipe's Bus port and for a raw
 * client: each side is a BenchTarget, so timing, batching and counting are
 * identical and only the transport differs.
 * 1. publish: every message in batches, `concurrency` batches in flight, each
 *    batch resolved once the broker acknowledged all of it;
 * 2. consume: a new durable group reads a topic already holding the messages,
 *    `concurrency` handlers at once, each message acked explicitly;
 * 3. both: a group consumes a topic while the messages are being published.
 */
import type { Bus, OutgoingMessage } from "../src/bus/bus.js";
import { readEvent } from "./bus-bench-events.js";
import { inBatches, withTimeout } from "./queue-bench-services.js";

export interface BenchPlan {
  /** Messages per publish call, and per pull where the client pulls in batches. */
  batch: number;
  /** Publish calls in flight; handlers running at once in the consumer. */
  concurrency: number;
  /** How long one measure may take before the run fails. */
  timeoutMs: number;
}

export interface BenchTarget {
  name: string;
  /** Makes the topic exist, outside any timing. */
  ensureTopic(topic: string): Promise<void>;
  /** Resolves once the broker acknowledged every message of the batch. */
  publish(topic: string, batch: readonly OutgoingMessage[]): Promise<void>;
  /**
   * Handles the topic's messages as the durable group `group` (new: from the
   * first message), `plan.concurrency` at once, acking each after `handle`,
   * until `signal` aborts.
   */
  consume(
    topic: string,
    group: string,
    plan: BenchPlan,
    handle: (value: Uint8Array) => void,
    signal: AbortSignal,
  ): Promise<void>;
  close(): Promise<void>;
}

/** One broker's sides, for the three measures. */
export interface BrokerSetup {
  broker: string;
  /** The port's bus, also used to check every side's figures (stored, lag). */
  bus: Bus;
  port: BenchTarget;
  /** The raw client; the first also publishes, each consumes. */
  raws: BenchTarget[];
  topicPrefix: string;
  /** Closes every side and deletes the run's topics. */
  cleanup(): Promise<void>;
}

/** claypipe's Bus port as a target; `deadLetterTopic` is where its groups would dead-letter. */
export function portTarget(name: string, bus: Bus, deadLetterTopic: string): BenchTarget {
  return {
    name,
    ensureTopic: (topic) => bus.ensureTopics([topic]),
    publish: (topic, batch) => bus.publish(topic, batch),
    consume: (topic, group, plan, handle, signal) =>
      bus.consume(
        { topic, group, deadLetterTopic, concurrency: plan.concurrency },
        async (message) => {
          handle(message.value);
          return "ack";
        },
        signal,
      ),
    close: () => bus.close(),
  };
}

/** Seconds to publish every message. */
export async function measurePublish(
  target: BenchTarget,
  topic: string,
  messages: readonly OutgoingMessage[],
  plan: BenchPlan,
): Promise<number> {
  await target.ensureTopic(topic);
  const start = performance.now();
  await withTimeout(
    inBatches(messages, plan.batch, plan.concurrency, (batch) => target.publish(topic, batch)),
    plan.timeoutMs,
    `${target.name}: publishing ${messages.length} messages`,
  );
  return (performance.now() - start) / 1000;
}

/** Seconds for a new group to handle `count` messages already on the topic. */
export async function measureConsume(
  target: BenchTarget,
  topic: string,
  group: string,
  count: number,
  plan: BenchPlan,
): Promise<number> {
  const start = performance.now();
  const handled = await consumeUntil(target, topic, group, count, plan, async () => undefined);
  return (handled - start) / 1000;
}

/** Seconds until every message was published, and until every one was handled, from the first publish. */
export async function measureBoth(
  target: BenchTarget,
  topic: string,
  group: string,
  messages: readonly OutgoingMessage[],
  plan: BenchPlan,
): Promise<{ publishSeconds: number; consumeSeconds: number }> {
  await target.ensureTopic(topic);
  let start = 0;
  let published = 0;
  const handled = await consumeUntil(target, topic, group, messages.length, plan, async () => {
    start = performance.now();
    await inBatches(messages, plan.batch, plan.concurrency, (batch) =>
      target.publish(topic, batch),
    );
    published = performance.now();
  });
  return { publishSeconds: (published - start) / 1000, consumeSeconds: (handled - start) / 1000 };
}

/**
 * Runs the group until it has handled `count` messages while `alongside` runs;
 * resolves with the moment the last was handled, once the consumer has stopped.
 */
async function consumeUntil(
  target: BenchTarget,
  topic: string,
  group: string,
  count: number,
  plan: BenchPlan,
  alongside: () => Promise<void>,
): Promise<number> {
  const stop = new AbortController();
  let handled = 0;
  let lastAt = 0;
  let allHandled: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allHandled = resolve;
  });
  const running = target.consume(
    topic,
    group,
    plan,
    (value) => {
      readEvent(value);
      if (++handled === count) {
        lastAt = performance.now();
        allHandled();
      }
    },
    stop.signal,
  );
  const endedEarly = running.then(() => {
    throw new Error(`${target.name}: the consumer stopped after ${handled} of ${count} messages`);
  });
  try {
    await withTimeout(
      Promise.race([Promise.all([done, alongside()]), endedEarly]),
      plan.timeoutMs,
      `${target.name}: consuming ${count} messages (${handled} handled)`,
    );
  } finally {
    stop.abort();
    await running;
  }
  return lastAt;
}
