/**
 * `enriched.contacts` (type com.claypipe.lead.enriched): one enriched row Clay
 * called back with, published by the receiver once the callback is verified,
 * for the router and any downstream service.
 */
import { z } from "zod";
import type { CloudEvent } from "../cloud-event.js";
import {
  decodeTopicEvent,
  type EncodedTopicMessage,
  type EventPlacement,
  encodeTopicEvent,
  type TopicMessage,
  type TopicSpec,
} from "./topic-event.js";
import {
  attemptSchema,
  configNameSchema,
  eventTimeSchema,
  identitySchema,
  leadIdSchema,
} from "./topic-fields.js";
import { DEFAULT_TOPIC_NAMES } from "./topic-names.js";

// The row's callback URL is the lead's callback credential: it never leaves claypipe.
const PRIVATE_FIELDS = new Set(["callback_url"]);

const enrichedContactSchema = z.object({
  leadId: leadIdSchema,
  identity: identitySchema,
  workspace: configNameSchema.describe("the Clay workspace that enriched the lead (config name)"),
  table: configNameSchema.describe("the Clay table that enriched the lead (config name)"),
  attempt: attemptSchema.describe("the send of the lead this result answers"),
  enrichedAt: eventTimeSchema.describe("when the result arrived"),
  row: z
    .record(z.string(), z.unknown())
    .describe(
      "the enriched row: the lead's fields plus the columns Clay added, without callback_url",
    ),
});

export const enrichedContactSpec = {
  topic: DEFAULT_TOPIC_NAMES.enriched,
  type: "com.claypipe.lead.enriched",
  source: "claypipe/receiver",
  title: "An enriched row Clay called back with",
  schema: enrichedContactSchema,
} satisfies TopicSpec<unknown>;

export type EnrichedContact = z.infer<typeof enrichedContactSchema>;

/**
 * The message for `enriched.contacts`, keyed by the identity, timed by
 * `enrichedAt`, with the id `enriched:<leadId>:<attempt>`: a callback Clay
 * sends again for the same send is stored once.
 */
export function encodeEnrichedContact(
  contact: EnrichedContact,
  placement: Omit<EventPlacement, "key" | "time"> = {},
): EncodedTopicMessage {
  const row = Object.fromEntries(
    Object.entries(contact.row).filter(([name]) => !PRIVATE_FIELDS.has(name)),
  );
  return encodeTopicEvent(
    enrichedContactSpec,
    { ...contact, row },
    {
      ...placement,
      key: contact.identity,
      id: placement.id ?? `enriched:${contact.leadId}:${contact.attempt}`,
      time: contact.enrichedAt,
      subject: contact.leadId,
    },
  );
}

/** The enriched row a message carries; throws TopicMessageError. */
export function decodeEnrichedContact(message: TopicMessage): CloudEvent<EnrichedContact> {
  return decodeTopicEvent(enrichedContactSpec, message);
}
