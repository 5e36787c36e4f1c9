/** Config of each sink type, validated at start (the `sinks:` list). */
import { z } from "zod";
import { topicNameSchema } from "./bus-schema.js";
import { durationSchema } from "./duration-schema.js";

const common = {
  /** How routes name the sink. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
  /** Tries per record before it goes to this sink's dead letter. @defaultValue 8 */
  maxAttempts: z.number().int().min(1).default(8),
  /** @defaultValue "1s" */
  initialBackoff: durationSchema.default(1000),
  /** @defaultValue "5m" */
  maxBackoff: durationSchema.default(300_000),
};

export const webhookSinkSchema = z
  .object({
    ...common,
    type: z.literal("webhook"),
    url: z.url(),
    /** Standard Webhooks signing secret ("whsec_…"); from the environment only. */
    secret: z.string().min(1),
    /** @defaultValue "10s" */
    timeout: durationSchema.default(10_000),
    /** @defaultValue 10 */
    ratePerSecond: z.number().positive().default(10),
  })
  .strict();

export const fileSinkSchema = z
  .object({
    ...common,
    type: z.literal("file"),
    path: z.string().min(1),
    /** @defaultValue "jsonl" */
    format: z.enum(["jsonl", "csv"]).default("jsonl"),
    /**
     * CSV only: the columns to write, in this order, after claypipe_id; fields
     * not named are left out. @defaultValue claypipe's columns, the first
     * record's fields (sorted), and `extra` holding any others as JSON
     */
    columns: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(1000)
      .refine((columns) => new Set(columns).size === columns.length, "each column once")
      .optional(),
  })
  .strict()
  .refine((sink) => sink.columns === undefined || sink.format === "csv", {
    message: "columns is for format: csv (JSONL writes every field)",
    path: ["columns"],
  });

export const postgresSinkSchema = z
  .object({
    ...common,
    type: z.literal("postgres"),
    /** postgres://… ; from the environment only. */
    connectionString: z.string().min(1),
    /** Created when missing. @defaultValue "claypipe_enriched_leads" */
    table: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, "lowercase letters, digits and _")
      .default("claypipe_enriched_leads"),
  })
  .strict();

export const hubspotSinkSchema = z
  .object({
    ...common,
    type: z.literal("hubspot"),
    /** Private app access token; from the environment only. */
    accessToken: z.string().min(1),
    /** @defaultValue "https://api.hubapi.com" */
    baseUrl: z.url().default("https://api.hubapi.com"),
    /** HubSpot property ← enriched row field. @defaultValue a mapping of the usual fields */
    properties: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const hubspotListSinkSchema = z
  .object({
    ...common,
    type: z.literal("hubspot-list"),
    /** Private app access token; from the environment only. */
    accessToken: z.string().min(1),
    /** The ILS id of a static (MANUAL or SNAPSHOT) contact list. */
    listId: z
      .union([
        z.string().regex(/^\d+$/, "the list's ILS id, digits only"),
        z.number().int().positive(),
      ])
      .transform(String),
    /** @defaultValue "https://api.hubapi.com" */
    baseUrl: z.url().default("https://api.hubapi.com"),
    /** HubSpot property ← enriched row field. @defaultValue a mapping of the usual fields */
    properties: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const slackSinkSchema = z
  .object({
    ...common,
    type: z.literal("slack"),
    /** The incoming webhook's URL, a credential; from the environment only. */
    webhookUrl: z.url(),
    /**
     * The message in Slack mrkdwn; `{{field}}` is the row's field, escaped.
     * @defaultValue "New lead: *{{first_name}} {{last_name}}*, {{job_title}} at {{company}} · ICP {{icp_score}}"
     */
    template: z
      .string()
      .trim()
      .min(1)
      .max(3000)
      .default(
        "New lead: *{{first_name}} {{last_name}}*, {{job_title}} at {{company}} · ICP {{icp_score}}",
      ),
    /** Slack takes about one message a second per webhook. @defaultValue 1 */
    ratePerSecond: z.number().positive().default(1),
    /** @defaultValue "10s" */
    timeout: durationSchema.default(10_000),
  })
  .strict();

export const salesforceSinkSchema = z
  .object({
    ...common,
    type: z.literal("salesforce"),
    /** e.g. https://acme.my.salesforce.com */
    instanceUrl: z.url(),
    /** OAuth access token; from the environment only. */
    accessToken: z.string().min(1),
    /** @defaultValue "v60.0" */
    apiVersion: z.string().default("v60.0"),
    /** @defaultValue "Lead" */
    object: z.string().default("Lead"),
    /** The external id field upserts match on. @defaultValue "Claypipe_Id__c" */
    externalIdField: z.string().default("Claypipe_Id__c"),
    /** Salesforce field ← enriched row field. @defaultValue a mapping of the usual fields */
    fields: z.record(z.string(), z.string()).optional(),
  })
  .strict();

// A CloudEvents attribute claypipe writes: one line, no spaces (URI-references and reverse-DNS types).
const eventAttribute = z.string().min(1).max(200).regex(/^\S+$/, "no spaces or line breaks");

export const busSinkSchema = z
  .object({
    ...common,
    type: z.literal("bus"),
    /** Where each record is published, through the top-level `bus` connection. */
    topic: topicNameSchema,
    /** The CloudEvents `source` attribute (`type` names the sink type, hence the prefix). @defaultValue "claypipe" */
    eventSource: eventAttribute.default("claypipe"),
    /** The CloudEvents `type` attribute. @defaultValue "com.claypipe.lead.routed" */
    eventType: eventAttribute.default("com.claypipe.lead.routed"),
  })
  .strict();

// Outreach tools' lead field (or custom variable) ← enriched row field.
const leadFieldMapping = z.record(z.string().min(1).max(100), z.string().min(1).max(200));

export const instantlySinkSchema = z
  .object({
    ...common,
    type: z.literal("instantly"),
    /** Instantly API v2 key (scope leads:create); from the environment only. */
    apiKey: z.string().min(1),
    /** The campaign leads are added to (its UUID, from the campaign's URL). */
    campaignId: z.string().min(1),
    /** @defaultValue "https://api.instantly.ai/api/v2" */
    baseUrl: z.url().default("https://api.instantly.ai/api/v2"),
    /** Instantly lead field ← row field. @defaultValue a mapping of the usual fields */
    fields: leadFieldMapping.optional(),
    /** Custom variable ← row field. @defaultValue job_title, industry, country, linkedin_url */
    customVariables: leadFieldMapping.optional(),
    /** Skip a lead already anywhere in the workspace (skip_if_in_workspace). @defaultValue false */
    skipIfInWorkspace: z.boolean().default(false),
    /** @defaultValue 10 */
    ratePerSecond: z.number().positive().default(10),
  })
  .strict();

export const smartleadSinkSchema = z
  .object({
    ...common,
    type: z.literal("smartlead"),
    /** Smartlead API key (sent as ?api_key=); from the environment only. */
    apiKey: z.string().min(1),
    /** The campaign leads are added to (its number, from the campaign's URL). */
    campaignId: z
      .union([z.number().int().positive(), z.string().regex(/^\d+$/, "the campaign's number")])
      .transform(String),
    /** @defaultValue "https://server.smartlead.ai/api/v1" */
    baseUrl: z.url().default("https://server.smartlead.ai/api/v1"),
    /** Smartlead lead field ← row field. @defaultValue a mapping of the usual fields */
    fields: leadFieldMapping.optional(),
    /** Custom field ← row field. @defaultValue job_title, industry, personalization */
    customFields: leadFieldMapping.optional(),
    /** @defaultValue false */
    ignoreGlobalBlockList: z.boolean().default(false),
    /** @defaultValue false */
    ignoreUnsubscribeList: z.boolean().default(false),
    /** Add a lead already in another campaign (else Smartlead skips it). @defaultValue false */
    ignoreDuplicateLeadsInOtherCampaign: z.boolean().default(false),
    /** @defaultValue 1 */
    ratePerSecond: z.number().positive().default(1),
  })
  .strict();

export const sinkConfigSchema = z.discriminatedUnion("type", [
  webhookSinkSchema,
  fileSinkSchema,
  postgresSinkSchema,
  hubspotSinkSchema,
  salesforceSinkSchema,
  busSinkSchema,
  instantlySinkSchema,
  smartleadSinkSchema,
  hubspotListSinkSchema,
  slackSinkSchema,
]);

export type SinkConfig = z.output<typeof sinkConfigSchema>;
