/**
 * `claypipe.lead-events` (type com.claypipe.lead.transition): every lifecycle
 * transition of every lead (core/lead-state.ts), for downstream services and
 * audits. One lead's transitions share its identity as key, so they arrive in
 * the order they happened.
 */
import { z } from "zod";
import { LEAD_STATES } from "../../core/lead-state.js";
import type { CloudEvent } from "../cloud-event.js";
import {
  decodeTopicEvent,
  type EncodedTopicMessage,
  type EventPlacement,
  encodeTopicEvent,
  type TopicMessage,
  type TopicSpec,
} from "./topic-event.js";
import { boundText, eventTimeSchema, leadIdSchema } from "./topic-fields.js";
import { DEFAULT_TOPIC_NAMES } from "./topic-names.js";

const stateSchema = z.enum(LEAD_STATES);
const MAX_REASON = 2000;

const leadTransitionSchema = z.object({
  leadId: leadIdSchema,
  from: stateSchema
    .nullable()
    .describe("the state the lead left; null for a new lead's first state"),
  to: stateSchema.describe("the state the lead is in now"),
  at: eventTimeSchema.describe("when the transition happened"),
  reason: z.string().max(MAX_REASON).optional().describe("why, as the lead's history records it"),
});

export const leadTransitionSpec = {
  topic: DEFAULT_TOPIC_NAMES.leadEvents,
  type: "com.claypipe.lead.transition",
  source: "claypipe",
  title: "A lead's lifecycle transition",
  schema: leadTransitionSchema,
} satisfies TopicSpec<unknown>;

export type LeadTransition = z.infer<typeof leadTransitionSchema>;

/**
 * The message for `claypipe.lead-events`, timed by `at`, with the id
 * `transition:<leadId>:<from>:<to>:<at>`: the same transition published twice is stored once.
 */
export function encodeLeadTransition(
  transition: LeadTransition,
  placement: Omit<EventPlacement, "time">,
): EncodedTopicMessage {
  const { leadId, from, to, at, reason } = transition;
  const bounded =
    reason === undefined ? transition : { ...transition, reason: boundText(reason, MAX_REASON) };
  return encodeTopicEvent(leadTransitionSpec, bounded, {
    ...placement,
    id: placement.id ?? `transition:${leadId}:${from ?? "new"}:${to}:${at}`,
    time: at,
    subject: leadId,
  });
}

/** The transition a message carries; throws TopicMessageError. */
export function decodeLeadTransition(message: TopicMessage): CloudEvent<LeadTransition> {
  return decodeTopicEvent(leadTransitionSpec, message);
}
