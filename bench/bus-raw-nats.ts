/**
 * The raw NATS baseline of the bus benchmark: the JetStream client used
 * directly for the same work as claypipe's NATS adapter. A stream per topic
 * with the adapter's limits; publishes with the CloudEvents headers (NATS
 * binding names), the key header and `msgID`, a batch in flight at once; a
 * durable pull consumer with the adapter's limits, read with `consume()` (or
 * `fetch()` in a loop), `concurrency` handlers at once, each message acked as
 * its handler returns (as the client's examples do). No key order, no
 * keep-alive of held messages, no retries, no dead letters.
 */
import { type ConsumerMessages, type JsMsg, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import type { OutgoingMessage } from "../src/bus/bus.js";
import type { BenchTarget } from "./bus-bench-measures.js";

export type RawPull = "consume" | "fetch";

const nanos = (ms: number) => ms * 1_000_000;
// The adapter's defaults (createNatsBus), so both sides ask the server for the same work.
const STREAM = { duplicateWindowMs: 120_000, maxAgeMs: 7 * 24 * 3600_000 };
const CONSUMER = { maxDeliver: 6, ackWaitMs: 30_000, maxAckPending: 1000 };
const PUBLISH_TIMEOUT_MS = 5000;
const FETCH_EXPIRES_MS = 1000;

/** The stream name for a topic (JetStream names allow no dots), as the adapter names it. */
export const natsStreamName = (topic: string) => topic.replaceAll(".", "_");

export async function rawNatsTarget(servers: string, pull: RawPull): Promise<BenchTarget> {
  const nc = await connect({ servers, name: "claypipe-bench-raw" });
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();

  const publishOne = (topic: string, message: OutgoingMessage) => {
    const natsHeaders = headers();
    for (const [name, value] of Object.entries(message.headers ?? {}))
      natsHeaders.set(name.replace(/^ce_/, "ce-"), value);
    natsHeaders.set("claypipe_key", message.key);
    return js.publish(topic, message.value, {
      headers: natsHeaders,
      timeout: PUBLISH_TIMEOUT_MS,
      ...(message.id === undefined ? {} : { msgID: message.id }),
    });
  };

  return {
    name: pull === "consume" ? "raw @nats-io/jetstream" : "raw @nats-io/jetstream, fetch() loop",
    async ensureTopic(topic) {
      await jsm.streams.add({
        name: natsStreamName(topic),
        subjects: [topic],
        retention: "limits",
        storage: "file",
        duplicate_window: nanos(STREAM.duplicateWindowMs),
        max_age: nanos(STREAM.maxAgeMs),
        num_replicas: 1,
      });
    },
    async publish(topic, batch) {
      await Promise.all(batch.map((message) => publishOne(topic, message)));
    },
    async consume(topic, group, plan, handle, signal) {
      const stream = natsStreamName(topic);
      await jsm.consumers.add(stream, {
        durable_name: group,
        filter_subject: topic,
        ack_policy: "explicit",
        deliver_policy: "all",
        max_deliver: CONSUMER.maxDeliver,
        ack_wait: nanos(CONSUMER.ackWaitMs),
        max_ack_pending: CONSUMER.maxAckPending,
      });
      const consumer = await js.consumers.get(stream, group);
      const slots = new Slots(plan.concurrency);
      const run = (message: JsMsg) =>
        slots.run(async () => {
          handle(message.data);
          message.ack();
        });
      if (pull === "consume") {
        const messages = await consumer.consume({ max_messages: plan.batch });
        await readUntilAborted(messages, signal, run);
      } else {
        while (!signal.aborted) {
          const messages = await consumer.fetch({
            max_messages: plan.batch,
            expires: FETCH_EXPIRES_MS,
          });
          await readUntilAborted(messages, signal, run);
        }
      }
      await slots.idle();
    },
    async close() {
      await nc.drain();
    },
  };
}

async function readUntilAborted(
  messages: ConsumerMessages,
  signal: AbortSignal,
  run: (message: JsMsg) => Promise<void>,
): Promise<void> {
  const stop = () => void messages.close();
  signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const message of messages) {
      if (signal.aborted) break;
      await run(message);
    }
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

/** Runs up to `limit` works at once; run() resolves once its work has a slot (not when it ends). */
export class Slots {
  private running = 0;
  private readonly waiters: Array<() => void> = [];
  private idleWaiter: (() => void) | undefined;

  constructor(private readonly limit: number) {}

  async run(work: () => Promise<void>): Promise<void> {
    if (this.running >= this.limit)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.running++;
    // A handler that throws leaves its message unacked, as a raw consumer would.
    void work()
      .catch(() => undefined)
      .finally(() => {
        const next = this.waiters.shift();
        if (next) next();
        else if (--this.running === 0) this.idleWaiter?.();
      });
  }

  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiter = resolve;
    });
  }
}
