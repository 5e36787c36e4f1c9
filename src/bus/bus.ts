/**
 * The event tier's message bus, as a port every broker adapter implements
 * (NATS JetStream, Kafka). Small on purpose: what the services need, no more.
 *
 * Glossary
 * - topic: a named stream of messages (`leads.incoming`). Kafka: a topic;
 *   NATS: a subject with a stream of its own.
 * - key: what keeps messages in order (the lead's identity): messages with one
 *   key are handled one after another, in publish order, at their first delivery.
 * - group: a durable consumer group; its members share a topic's messages, each
 *   message is handled by one member (modulo redelivery), and the group's
 *   position survives restarts.
 * - delivery: one hand-over of a message to a handler; a message not acked is
 *   delivered again (after a delay the handler chose, or after a crash).
 * - dead letter: a message the group gives up on, published to the dead-letter
 *   topic with the reason (and acknowledged by the broker) before the original
 *   is dropped.
 * - lag: messages of a topic the group has not acked yet.
 */

/** A message to publish. */
export interface OutgoingMessage {
  /** Keeps order among messages with the same key; the lead's identity. */
  key: string;
  /** The body (JSON bytes for claypipe's topics, see cloud-event.ts). */
  value: Uint8Array;
  /**
   * Names the message for the broker's duplicate detection: publishing the same
   * id twice within the window stores it once (where `capabilities.dedupeById`).
   */
  id?: string;
  /** Header values are single-line text; names are lower-case tokens. */
  headers?: Readonly<Record<string, string>>;
}

/** A message handed to a handler. */
export interface BusMessage {
  topic: string;
  key: string;
  /** The id it was published with, if any. */
  id: string | undefined;
  value: Uint8Array;
  headers: Readonly<Record<string, string>>;
  /** 1 at the first delivery. Kafka counts only this process's attempts. */
  deliveryCount: number;
  /** Where the group's position lives: a Kafka partition number, a NATS stream name. */
  partition: string;
}

/** What a handler decides about a message. */
export type Verdict =
  /** Done: the group never sees it again. */
  | "ack"
  /** Deliver it again after this many ms (a delivery like any other: counts toward maxDeliver). */
  | { retryInMs: number }
  /** Give up now: published to the dead-letter topic with this reason. */
  | { deadLetter: string };

/**
 * Handles one message. A handler that throws asks for a retry after the next of
 * `retryDelaysMs`; on the last delivery, any retry becomes a dead letter. When
 * `signal` aborts (the consumer is stopping), a handler should return soon: if
 * it throws then, the message stays unacked and goes to the next consumer.
 */
export type Handler = (message: BusMessage, signal: AbortSignal) => Promise<Verdict>;

export interface ConsumeOptions {
  topic: string;
  group: string;
  /** Where messages the group gives up on go; their headers carry `DEAD_LETTER_HEADERS`. */
  deadLetterTopic: string;
  /**
   * Deliveries of one message before it becomes a dead letter.
   * @defaultValue 5
   */
  maxDeliver?: number;
  /**
   * Delay before the next delivery after a handler threw, by delivery number
   * (the last repeats).
   * @defaultValue [1000, 5000, 30000]
   */
  retryDelaysMs?: readonly number[];
  /**
   * Handlers in flight at once in this consumer (different keys; one key is
   * always one at a time).
   * @defaultValue 1
   */
  concurrency?: number;
}

/** Headers a dead letter carries on top of the original's. */
export const DEAD_LETTER_HEADERS = {
  reason: "claypipe_dlq_reason",
  topic: "claypipe_dlq_topic",
  group: "claypipe_dlq_group",
  deliveries: "claypipe_dlq_deliveries",
  /** The last error's name (and code), when the handler threw; never its message. */
  error: "claypipe_dlq_error",
} as const;

export interface TopicLag {
  topic: string;
  group: string;
  partition: string;
  /** Messages not acked by the group yet (not delivered, or delivered and pending). */
  pending: number;
}

export interface BusCapabilities {
  /** Publishing one `id` twice within the broker's window stores it once. */
  dedupeById: boolean;
  /** Key order holds across the members of a group, not only within one consumer. */
  keyOrderAcrossMembers: boolean;
}

export interface Bus {
  readonly capabilities: BusCapabilities;
  /** Creates topics that do not exist yet; tolerates ones that do, or that the broker creates itself. */
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** Resolves once the broker has acknowledged every message; rejects if any was not. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /**
   * Handles the topic's messages as a member of `options.group` until `signal`
   * aborts, then resolves once the handlers in flight have returned. A new group
   * starts at the topic's first message still stored.
   */
  consume(options: ConsumeOptions, handler: Handler, signal: AbortSignal): Promise<void>;
  /** The group's lag on the topic, per partition; a group that never consumed lags by the whole topic. */
  lag(topic: string, group: string): Promise<TopicLag[]>;
  /** Frees connections; after every `consume` has resolved. */
  close(): Promise<void>;
}

/** The options with their defaults, checked once. */
export function resolveConsumeOptions(options: ConsumeOptions): Required<ConsumeOptions> {
  const resolved = {
    maxDeliver: 5,
    retryDelaysMs: [1000, 5000, 30_000],
    concurrency: 1,
    ...options,
  };
  if (!Number.isInteger(resolved.maxDeliver) || resolved.maxDeliver < 1) {
    throw new RangeError(`maxDeliver must be a whole number ≥ 1, got ${resolved.maxDeliver}`);
  }
  if (!Number.isInteger(resolved.concurrency) || resolved.concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${resolved.concurrency}`);
  }
  if (resolved.retryDelaysMs.length === 0 || resolved.retryDelaysMs.some((ms) => !(ms >= 0))) {
    throw new RangeError("retryDelaysMs must list at least one delay ≥ 0");
  }
  return Object.freeze(resolved);
}

/** The delay before delivery `deliveryCount + 1` after a thrown handler. */
export function retryDelayFor(options: Required<ConsumeOptions>, deliveryCount: number): number {
  const delays = options.retryDelaysMs;
  return delays[Math.min(deliveryCount, delays.length) - 1] ?? delays[delays.length - 1] ?? 0;
}
