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

export interface ConsumeTimes {
  /** From the first message handled to the last: the group's pace once it runs. */
  seconds: number;
  /** From starting the consumer to the first message handled (joining the group, first pull). */
  startSeconds: number;
}

/** How fast a new group handles `count` messages already on the topic. */
export async function measureConsume(
  target: BenchTarget,
  topic: string,
  group: string,
  count: number,
  plan: BenchPlan,
): Promise<ConsumeTimes> {
  const start = performance.now();
  let times: ConsumeTimes | undefined;
  await whileConsuming(target, topic, group, plan, async (handled) => {
    const last = await handled.reach(count);
    times = {
      seconds: (last - handled.firstAt) / 1000,
      startSeconds: (handled.firstAt - start) / 1000,
    };
  });
  return times!;
}

/**
 * Seconds to publish every message while a group consumes the topic, and until
 * the group has handled every one. Timed from the first publish, once the
 * group handles messages (it has handled a message published before).
 */
export async function measureBoth(
  target: BenchTarget,
  topic: string,
  group: string,
  messages: readonly OutgoingMessage[],
  plan: BenchPlan,
): Promise<{ publishSeconds: number; consumeSeconds: number }> {
  await target.ensureTopic(topic);
  const [primer, ...rest] = messages;
  let times = { publishSeconds: 0, consumeSeconds: 0 };
  await whileConsuming(target, topic, group, plan, async (handled) => {
    await target.publish(topic, [primer!]);
    await handled.reach(1);
    const start = performance.now();
    await inBatches(rest, plan.batch, plan.concurrency, (batch) => target.publish(topic, batch));
    const published = performance.now();
    const last = await handled.reach(messages.length);
    times = { publishSeconds: (published - start) / 1000, consumeSeconds: (last - start) / 1000 };
  });
  return times;
}

/** Counts handled messages; `reach(n)` resolves with the moment the n-th was handled. */
class HandledCount {
  count = 0;
  firstAt = 0;
  lastAt = 0;
  private readonly waiters: Array<{ n: number; resolve: (at: number) => void }> = [];

  handled(): void {
    this.lastAt = performance.now();
    if (++this.count === 1) this.firstAt = this.lastAt;
    for (const waiter of this.waiters) if (waiter.n === this.count) waiter.resolve(this.lastAt);
  }

  reach(n: number): Promise<number> {
    if (this.count >= n) return Promise.resolve(this.count === n ? this.lastAt : performance.now());
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

/**
 * Runs the group while `work` runs (each handler reads the event's JSON and
 * counts it), then stops it; fails when the consumer stops first or `work`
 * takes longer than the plan's timeout.
 */
async function whileConsuming(
  target: BenchTarget,
  topic: string,
  group: string,
  plan: BenchPlan,
  work: (handled: HandledCount) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const handled = new HandledCount();
  const running = target.consume(
    topic,
    group,
    plan,
    (value) => {
      readEvent(value);
      handled.handled();
    },
    stop.signal,
  );
  const endedEarly = running.then(() => {
    throw new Error(`${target.name}: the consumer stopped after ${handled.count} messages`);
  });
  try {
    await withTimeout(
      Promise.race([work(handled), endedEarly]),
      plan.timeoutMs,
      `${target.name}: consuming from ${topic} (${handled.count} handled)`,
    );
  } finally {
    stop.abort();
    await running;
  }
}
