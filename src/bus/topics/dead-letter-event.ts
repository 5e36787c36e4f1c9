/**
 * `dlq.clay` (type com.claypipe.lead.dead): what the event tier gives up on,
 * or cannot afford yet, with the reason. A lead the credit budget refuses
 * comes here with reason `budget` and the time it is replayable after; a
 * message that cannot be parsed or fails its schema comes here with the
 * message itself (body in base64), so it never blocks its partition and can
 * be inspected and replayed.
 */
import { z } from "zod";
import type { DeadReason } from "../../core/lead-state.js";
import type { BusMessage } from "../bus.js";
import { isPublishableHeader } from "../check-outgoing.js";
import type { CloudEvent } from "../cloud-event.js";
import type { MessageErrorReason } from "./topic-error.js";
import {
  contentId,
  decodeTopicEvent,
  type EncodedTopicMessage,
  type EventPlacement,
  encodeTopicEvent,
  type TopicMessage,
  type TopicSpec,
} from "./topic-event.js";
import {
  attemptSchema,
  boundText,
  eventTimeSchema,
  identitySchema,
  leadIdSchema,
} from "./topic-fields.js";
import { DEFAULT_TOPIC_NAMES } from "./topic-names.js";

/** Every reason a dead letter can have, and what it means (docs/topics.md lists them). */
export const DEAD_LETTER_REASONS = {
  budget: "the credit budget cannot afford the lead now: replayable after `replayableAfter`",
  bad_message:
    "not a claypipe CloudEvent of the topic's type: bad JSON or UTF-8, a missing or malformed attribute, another type",
  schema:
    "the data fails the topic's schema, or a foreign lead fails validation: `detail` names the fields",
  too_large: "the message is over the 256 KiB bound of bus messages",
  max_deliveries: "handling the message failed at every delivery",
  rejected_by_clay: "Clay refused the row with a final status",
  payload_too_large: "the row is over Clay's 100 KB; it was never sent",
  send_failed: "the lead's last send failed",
  no_callback: "no callback by the deadline, and reconciling found nothing",
  reconcile_failed: "as `no_callback`, but reconciling could not look",
  interrupted_send: "claypipe stopped mid-send and `recovery.sending` is `hold`",
} as const satisfies Record<MessageErrorReason | DeadReason | "budget" | "max_deliveries", string>;

export type DeadLetterReason = keyof typeof DEAD_LETTER_REASONS;
const REASON_CODES = Object.keys(DEAD_LETTER_REASONS) as [DeadLetterReason, ...DeadLetterReason[]];

/** Originals up to this size travel whole; larger ones by size only, so the dead letter fits the bus. */
export const MAX_ORIGINAL_BODY_BYTES = 128 * 1024;
const MAX_ORIGINAL_HEADERS = 32;
const MAX_DETAIL = 2000;

const originalMessageSchema = z
  .object({
    topic: z.string().min(1).max(200).describe("the topic the message was read from"),
    key: z.string().max(1024).describe("its key"),
    id: z.string().max(1024).optional().describe("its message id, if it had one"),
    headers: z.record(z.string(), z.string()).describe("its headers (ce_* attributes among them)"),
    bodyBytes: z.number().int().min(0).describe("the size of its body"),
    body: z
      .base64()
      .optional()
      .describe(`its body in base64; absent when over ${MAX_ORIGINAL_BODY_BYTES} bytes`),
  })
  .describe("the message itself, for one that could not be read");

const originalLeadSchema = z
  .object({
    leadId: leadIdSchema,
    identity: identitySchema.optional(),
    attempt: attemptSchema.optional(),
  })
  .describe("the lead, for one already in claypipe's store");

const deadLetterSchema = z.object({
  reason: z.enum(REASON_CODES).describe("why; docs/topics.md lists the reasons"),
  detail: z.string().max(MAX_DETAIL).describe("what happened, in words"),
  original: z
    .xor([z.object({ message: originalMessageSchema }), originalLeadSchema])
    .optional()
    .describe("what died: the message, or the lead"),
  replayableAfter: eventTimeSchema
    .optional()
    .describe("for `budget`: when the credit window opens and a replay can afford the lead"),
});

export const deadLetterSpec = {
  topic: DEFAULT_TOPIC_NAMES.deadLetters,
  type: "com.claypipe.lead.dead",
  source: "claypipe/enricher",
  title: "A dead letter of the event tier",
  schema: deadLetterSchema,
} satisfies TopicSpec<unknown>;

export type DeadLetter = z.infer<typeof deadLetterSchema>;
export type OriginalMessage = z.infer<typeof originalMessageSchema>;

/** A bus message as a dead letter's original: its body only when small enough to carry. */
export function originalOf(message: BusMessage): { message: OriginalMessage } {
  const headers = Object.entries(message.headers)
    .filter(([name, value]) => isPublishableHeader(name, value))
    .slice(0, MAX_ORIGINAL_HEADERS);
  const original: OriginalMessage = {
    topic: message.topic,
    key: boundText(message.key, 1024),
    headers: Object.fromEntries(headers),
    bodyBytes: message.value.byteLength,
  };
  if (message.id !== undefined) original.id = boundText(message.id, 1024);
  if (message.value.byteLength <= MAX_ORIGINAL_BODY_BYTES) {
    original.body = Buffer.from(message.value).toString("base64");
  }
  return { message: original };
}

/**
 * The message for `dlq.clay`, keyed like the original (`placement.key`), with
 * an id digested from its content: the same refusal published again (after a
 * crash before the original's ack) is stored once, a later one is not.
 */
export function encodeDeadLetter(
  deadLetter: DeadLetter,
  placement: EventPlacement & { time: string },
): EncodedTopicMessage {
  const data = { ...deadLetter, detail: boundText(deadLetter.detail, MAX_DETAIL) };
  const original = deadLetter.original;
  return encodeTopicEvent(deadLetterSpec, data, {
    ...placement,
    id: placement.id ?? contentId("dlq", data),
    subject: original !== undefined && "leadId" in original ? original.leadId : undefined,
  });
}

/**
 * The dead letter for a message a consumer gives up on (one that failed to
 * decode: `reason` and `detail` from its TopicMessageError), carrying it, keyed
 * like it. Publish it to `dlq.clay` and, once the broker acknowledged, ack the
 * original: the dead letter is then in the topic with its detail, and a crash
 * in between publishes the same id again.
 */
export function deadLetterOfMessage(
  message: BusMessage,
  why: { reason: DeadLetterReason; message: string },
  time: string,
): EncodedTopicMessage {
  return encodeDeadLetter(
    { reason: why.reason, detail: why.message, original: originalOf(message) },
    { key: message.key, time },
  );
}

/** The dead letter a message carries; throws TopicMessageError. */
export function decodeDeadLetter(message: TopicMessage): CloudEvent<DeadLetter> {
  return decodeTopicEvent(deadLetterSpec, message);
}
