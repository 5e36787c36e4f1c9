/**
 * `leads.incoming` (type com.claypipe.lead.incoming): a lead to enrich, in one
 * of two forms. claypipe's own intake writes the lead to its store first and
 * publishes a reference to it; other systems (CDC, product events) publish
 * the lead's fields themselves, and those are validated like every intake
 * lead (core/lead.ts validateLead) when the message is decoded.
 */
import { z } from "zod";
import { type Lead, validateLead } from "../../core/lead.js";
import type { CloudEvent } from "../cloud-event.js";
import { schemaError } from "./topic-error.js";
import {
  contentId,
  decodeEnvelope,
  type EncodedTopicMessage,
  type EventPlacement,
  encodeTopicEvent,
  parseData,
  type TopicMessage,
  type TopicSpec,
} from "./topic-event.js";
import { attemptSchema, configNameSchema, leadIdSchema } from "./topic-fields.js";
import { DEFAULT_TOPIC_NAMES } from "./topic-names.js";

const leadReferenceSchema = z
  .object({
    leadId: leadIdSchema,
    workspace: configNameSchema.describe("the Clay workspace the lead goes to (config name)"),
    table: configNameSchema.describe("the Clay table the lead goes to (config name)"),
    attempt: attemptSchema
      .optional()
      .describe("which send this message asks for, when not the first (a retry or a replay)"),
  })
  .describe("a lead already in claypipe's store, published by claypipe's intake");

const fieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: "nested values are not allowed: Clay rows are flat, so flatten it or send a string",
});

const foreignLeadSchema = z
  .object({
    fields: z
      .record(z.string(), fieldValueSchema)
      .describe(
        "the lead's fields, as POST /v1/leads takes them: an email, a linkedin_url, or a name with a company or domain",
      ),
    source: configNameSchema
      .optional()
      .describe(
        "the configured intake source the lead counts against; the default source when absent",
      ),
  })
  .describe("a lead another system publishes itself (CDC, product events)");

export const leadIncomingSpec = {
  topic: DEFAULT_TOPIC_NAMES.incoming,
  type: "com.claypipe.lead.incoming",
  source: "claypipe/intake",
  title: "A lead to enrich",
  schema: z.xor([leadReferenceSchema, foreignLeadSchema]),
} satisfies TopicSpec<unknown>;

export type LeadReference = z.infer<typeof leadReferenceSchema>;
export type ForeignLead = z.infer<typeof foreignLeadSchema>;
export type IncomingLead = LeadReference | ForeignLead;

/** A foreign lead as decoded: its fields validated and normalized like every intake lead. */
export interface DecodedForeignLead {
  fields: Lead;
  source?: string;
}
export type DecodedIncomingLead = LeadReference | DecodedForeignLead;

/**
 * The message for `leads.incoming`. Its id: `incoming:<leadId>:<attempt>` for a
 * reference, a digest of the fields for a foreign lead.
 */
export function encodeIncomingLead(
  lead: IncomingLead,
  placement: EventPlacement & { time: string },
): EncodedTopicMessage {
  readIncomingLead(lead);
  const reference = "leadId" in lead;
  return encodeTopicEvent(leadIncomingSpec, lead, {
    ...placement,
    id:
      placement.id ??
      (reference ? `incoming:${lead.leadId}:${lead.attempt ?? 1}` : contentId("incoming", lead)),
    subject: reference ? lead.leadId : undefined,
  });
}

/** The lead a message carries; throws TopicMessageError (a foreign lead's bad field: `schema`, naming it). */
export function decodeIncomingLead(message: TopicMessage): CloudEvent<DecodedIncomingLead> {
  const event = decodeEnvelope(leadIncomingSpec, message);
  return { ...event, data: readIncomingLead(event.data) };
}

function readIncomingLead(data: unknown): DecodedIncomingLead {
  const form = formOf(data);
  if (form === "reference") {
    return parseData({ ...leadIncomingSpec, schema: leadReferenceSchema }, data);
  }
  if (form !== "foreign") {
    throw schemaError(leadIncomingSpec.type, [{ path: "", reason: FORM_PROBLEMS[form] }]);
  }
  const foreign = parseData({ ...leadIncomingSpec, schema: foreignLeadSchema }, data);
  const validation = validateLead(foreign.fields);
  if (!validation.ok) {
    throw schemaError(
      leadIncomingSpec.type,
      validation.issues.map((issue) => ({
        path: issue.path === "" ? "fields" : `fields.${issue.path}`,
        reason: issue.reason,
      })),
    );
  }
  const decoded: DecodedForeignLead = { fields: validation.lead };
  if (foreign.source !== undefined) decoded.source = foreign.source;
  return decoded;
}

const FORM_PROBLEMS = {
  neither:
    "expected a JSON object: a lead reference (leadId, workspace, table) or a foreign lead (fields)",
  both: "expected a lead reference (leadId, workspace, table) or a foreign lead (fields), not both",
} as const;

// The form decides which schema's issues a bad message hears about, so they name its fields.
function formOf(data: unknown): "reference" | "foreign" | keyof typeof FORM_PROBLEMS {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "neither";
  const reference = "leadId" in data;
  const foreign = "fields" in data;
  if (reference && foreign) return "both";
  if (foreign) return "foreign";
  return "reference";
}
