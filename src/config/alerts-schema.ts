/**
 * `alerts:` — where claypipe tells people that something needs them (a Slack
 * incoming webhook, or a plain webhook) and when: each threshold is one
 * condition that is alerted once when it becomes true and once when it clears.
 */
import { z } from "zod";
import { durationSchema as duration } from "./duration-schema.js";

const slackTargetSchema = z
  .object({
    type: z.literal("slack"),
    /** The incoming webhook's URL, a credential; from the environment only. */
    webhookUrl: z.url(),
  })
  .strict();

const webhookTargetSchema = z
  .object({
    type: z.literal("webhook"),
    url: z.url(),
    /** Standard Webhooks signing secret ("whsec_…"); from the environment only. Unsigned without one. */
    secret: z.string().min(1).optional(),
  })
  .strict();

export const alertTargetSchema = z.discriminatedUnion("type", [
  slackTargetSchema,
  webhookTargetSchema,
]);

export const alertsSchema = z
  .object({
    targets: z.array(alertTargetSchema).min(1, "alerts need at least one target"),
    /** How often the pipeline's status is checked. @defaultValue "30s" */
    checkEvery: duration.default(30_000),
    /** Shares of a credit cap that alert, each once. @defaultValue [0.8, 1] */
    creditCap: z.array(z.number().gt(0).max(1)).default([0.8, 1]),
    /** Rows left in a table at or below which it alerts. @defaultValue 1000 */
    rowsLeft: z.number().int().nonnegative().default(1000),
    /**
     * Submissions left on a table's last usable webhook source at or below which
     * it alerts; every source that retires alerts too. @defaultValue 1000
     */
    submissionsLeft: z.number().int().nonnegative().default(1000),
    /** Alert when a workspace's circuit breaker opens, and when it closes again. @defaultValue true */
    breaker: z.boolean().default(true),
    /** Dead leads plus dead deliveries at or above which it alerts. @defaultValue 100 */
    dlqSize: z.number().int().min(1).default(100),
    /**
     * How long leads may await their callbacks with none arriving before it
     * alerts. @defaultValue "15m"
     */
    callbackSilence: duration.default(15 * 60_000),
    /** Attempts per notification within one check, with backoff between. @defaultValue 3 */
    attempts: z.number().int().min(1).max(10).default(3),
    /** Time allowed for one post. @defaultValue "10s" */
    timeout: duration.default(10_000),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsSchema>;
export type AlertTarget = AlertsConfig["targets"][number];
