/**
 * What every topic shares: a message is a CloudEvent (cloud-event.ts) whose
 * `type` names the topic's schema and whose data that schema checks, keyed by
 * the lead's identity and named by an id that is the same each time the same
 * event is published (so the broker's duplicate window drops repeats).
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { echoInput } from "../../core/echo-input.js";
import type { OutgoingMessage } from "../bus.js";
import {
  type CloudEvent,
  CloudEventError,
  DEFAULT_MAX_EVENT_BYTES,
  decodeCloudEvent,
  encodeCloudEvent,
} from "../cloud-event.js";
import { fromCloudEventError, issuePath, schemaError, TopicMessageError } from "./topic-error.js";

/** A topic's contract: its default name, its CloudEvents type and the schema of its data. */
export interface TopicSpec<Input, Output = Input> {
  /** The default topic name (topic-names.ts); the config may name it otherwise. */
  topic: string;
  /** The CloudEvents `type` every message of the topic carries. */
  type: string;
  /** The CloudEvents `source` claypipe's own messages carry unless told otherwise. */
  source: string;
  title: string;
  schema: z.ZodType<Output, Input>;
}

/** How the caller places an event: what the data does not say by itself. */
export interface EventPlacement {
  /** The lead's identity (its dedupe key): one person's events stay in order. */
  key: string;
  /** RFC 3339 time of the occurrence, for topics whose data does not carry it. */
  time?: string;
  /**
   * The message id, when the topic's own would repeat one already published:
   * a replay publishes the dead letter's id prefixed with `replay:`.
   */
  id?: string;
  /** The CloudEvents source. @defaultValue the topic's (`claypipe/intake`, …) */
  source?: string;
}

/** A message on a topic, as a consumer reads it: a bus message's body and headers. */
export interface TopicMessage {
  value: Uint8Array;
  headers: Readonly<Record<string, string>>;
}

/** A message an encoder wrote: ready for Bus.publish, and readable by the topic's decoder as it is. */
export interface EncodedTopicMessage extends OutgoingMessage {
  id: string;
  headers: Record<string, string>;
}

/** The encoded message, ready for Bus.publish; throws TopicMessageError on data it could not decode. */
export function encodeTopicEvent<Input, Output>(
  spec: TopicSpec<Input, Output>,
  data: Input,
  event: {
    key: string;
    id: string;
    time: string;
    subject?: string | undefined;
    source?: string | undefined;
  },
): EncodedTopicMessage {
  parseData(spec, data);
  const encoded = encodeCloudEvent({
    id: event.id,
    source: event.source ?? spec.source,
    type: spec.type,
    time: event.time,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    data,
  });
  if (encoded.value.byteLength > DEFAULT_MAX_EVENT_BYTES) {
    throw new TopicMessageError(
      "too_large",
      `a ${spec.type} event of ${encoded.value.byteLength} bytes is over the ${DEFAULT_MAX_EVENT_BYTES}-byte bound of bus messages: consumers would refuse it`,
    );
  }
  return { key: event.key, id: event.id, value: encoded.value, headers: encoded.headers };
}

/** The event a message carries, its data checked by the topic's schema; throws TopicMessageError. */
export function decodeTopicEvent<Input, Output>(
  spec: TopicSpec<Input, Output>,
  message: TopicMessage,
): CloudEvent<Output> {
  const event = decodeEnvelope(spec, message);
  return { ...event, data: parseData(spec, event.data) };
}

/** The message's CloudEvent, checked to be of the topic's type; its data not yet checked. */
export function decodeEnvelope(
  spec: TopicSpec<unknown, unknown>,
  message: TopicMessage,
): CloudEvent {
  let event: CloudEvent;
  try {
    event = decodeCloudEvent(message);
  } catch (error) {
    if (error instanceof CloudEventError) throw fromCloudEventError(error);
    throw error;
  }
  if (event.type !== spec.type) {
    throw new TopicMessageError(
      "bad_message",
      `the message has type "${echoInput(event.type)}" where ${spec.type} was expected: it was published to the wrong topic`,
    );
  }
  return event;
}

/** The data as the schema outputs it; throws TopicMessageError (schema) naming the fields. */
export function parseData<Input, Output>(spec: TopicSpec<Input, Output>, data: unknown): Output {
  const parsed = spec.schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw schemaError(
    spec.type,
    parsed.error.issues.map((issue) => ({ path: issuePath(issue.path), reason: issue.message })),
  );
}

/** An id for an event that has no natural one: the same content gives the same id. */
export function contentId(prefix: string, content: unknown): string {
  const digest = createHash("sha256").update(JSON.stringify(content)).digest("hex");
  return `${prefix}:${digest.slice(0, 32)}`;
}
