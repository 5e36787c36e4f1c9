/**
 * Topics and groups as JetStream streams and durable consumers.
 *
 * One stream per topic: the topic is the stream's only subject, so each topic
 * keeps its own limits and duplicate window, and a group's lag is one consumer's
 * figures. A topic some existing stream already captures (a user's own `leads.>`
 * stream) is used as it is. Streams keep messages by limits (age), not work-queue
 * retention, so several groups can read one topic.
 *
 * Consumers: durable pull consumers named after the group, explicit acks,
 * `max_deliver` one above the group's maxDeliver: the extra delivery is where a
 * message whose last attempt crashed is dead-lettered without the handler. No
 * consumer `backoff`: on nats-server 2.9 it replaces `ack_wait` (the first
 * delivery would time out after backoff[0]) and applies to ack timeouts only;
 * retries are explicit `nak(delay)`s instead (see settle.ts).
 */
import type { JetStreamManager, StreamConfig } from "@nats-io/jetstream";
import { ClaypipeError } from "../../core/errors.js";

export interface StreamLimits {
  duplicateWindowMs: number;
  maxAgeMs: number;
  replicas: number;
}

export interface ConsumerLimits {
  maxDeliver: number;
  ackWaitMs: number;
  maxAckPending: number;
}

const TOPIC = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const nanos = (ms: number) => Math.round(ms * 1_000_000);

/** Throws on a topic that is not a plain NATS subject (no wildcards, no spaces). */
export function checkTopic(topic: string): void {
  if (!TOPIC.test(topic) || topic.length > 200) {
    throw new ClaypipeError("config_invalid", `"${topic}" is not a valid bus topic`, {
      hint: "use letters, digits, _ and - in dot-separated parts, like leads.incoming",
    });
  }
}

/** The stream name claypipe creates for a topic: JetStream names allow no dots. */
export function streamNameFor(topic: string): string {
  return topic.replaceAll(".", "_");
}

/** The durable consumer name for a group. */
export function durableNameFor(group: string): string {
  return group.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** The stream holding `topic`, created when none captures it yet. */
export async function ensureStream(
  jsm: JetStreamManager,
  topic: string,
  limits: StreamLimits,
): Promise<string> {
  checkTopic(topic);
  const existing = await findStream(jsm, topic);
  if (existing !== undefined) return existing;
  const config: Partial<StreamConfig> & { name: string } = {
    name: streamNameFor(topic),
    subjects: [topic],
    retention: "limits",
    storage: "file",
    duplicate_window: nanos(limits.duplicateWindowMs),
    max_age: nanos(limits.maxAgeMs),
    num_replicas: limits.replicas,
  };
  try {
    await jsm.streams.add(config);
    return config.name;
  } catch (error) {
    // Another process may have created it meanwhile.
    const raced = await findStream(jsm, topic);
    if (raced !== undefined) return raced;
    throw new ClaypipeError("config_invalid", `could not create a JetStream stream for ${topic}`, {
      hint: `check that no other stream is named ${config.name} (topics ${topic} and another collide) and that the account may create streams`,
      cause: error,
    });
  }
}

async function findStream(jsm: JetStreamManager, topic: string): Promise<string | undefined> {
  try {
    return await jsm.streams.find(topic);
  } catch (error) {
    if (error instanceof Error && error.name === "StreamNotFoundError") return undefined;
    throw error;
  }
}

/** Creates the group's durable consumer on `stream`, or brings its limits up to date. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  topic: string,
  group: string,
  limits: ConsumerLimits,
): Promise<string> {
  const name = durableNameFor(group);
  const wanted = {
    max_deliver: limits.maxDeliver,
    ack_wait: nanos(limits.ackWaitMs),
    max_ack_pending: limits.maxAckPending,
  };
  const current = await consumerInfo(jsm, stream, name);
  if (current !== undefined && (current.config.filter_subject ?? topic) !== topic) {
    // Only in a stream of the user's that holds several topics: one durable per group and stream.
    throw new ClaypipeError(
      "config_invalid",
      `group ${group} already reads ${current.config.filter_subject} from stream ${stream}, not ${topic}`,
      { hint: "give each topic's consumers a group name of their own" },
    );
  }
  if (current === undefined) {
    await jsm.consumers.add(stream, {
      durable_name: name,
      filter_subject: topic,
      ack_policy: "explicit",
      deliver_policy: "all",
      ...wanted,
    });
  } else if (
    current.config.max_deliver !== wanted.max_deliver ||
    current.config.ack_wait !== wanted.ack_wait ||
    current.config.max_ack_pending !== wanted.max_ack_pending
  ) {
    await jsm.consumers.update(stream, name, wanted);
  }
  return name;
}

export async function consumerInfo(jsm: JetStreamManager, stream: string, name: string) {
  try {
    return await jsm.consumers.info(stream, name);
  } catch (error) {
    if (error instanceof Error && error.name === "ConsumerNotFoundError") return undefined;
    throw error;
  }
}
