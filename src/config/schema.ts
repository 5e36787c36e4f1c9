/**
 * The pipeline definition, validated at the boundary. Defaults live here, once;
 * everything downstream receives a complete, frozen config.
 */
import { z } from "zod";
import { parseDuration } from "../core/duration.js";

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: 'expected a duration such as "500ms", "30s", "5m", "7d"',
    });
    return z.NEVER;
  }
  return ms;
});

const rateLimitSchema = z
  .object({
    /** Records per second Clay accepts for the workspace. @defaultValue 10 */
    perSecond: z.number().positive().default(10),
    /** Records Clay accepts in a burst. @defaultValue 20 */
    burst: z.number().int().positive().default(20),
  })
  .strict();

const webhookSchema = z
  .object({
    /** The table's webhook source URL, as Clay shows it. */
    url: z.url({ message: "expected the webhook URL Clay shows for the table's source" }),
    /** Sent as `x-clay-webhook-auth`; from the environment only. */
    authToken: z.string().min(1).optional(),
    /** Submissions Clay allows for the webhook's lifetime. @defaultValue 50000 */
    submissionLimit: z.number().int().positive().default(50_000),
  })
  .strict();

const tableSchema = z
  .object({
    /** How claypipe names the table (in routes, CLI flags and logs). */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
    /** Clay's table id, for the public API (reconcile, `enrich --wait`). */
    id: z.string().min(1).optional(),
    /** Rows the table holds before Clay silently drops more. @defaultValue 50000 */
    rowLimit: z.number().int().positive().default(50_000),
    /**
     * Head-room kept below each cap: a webhook retires this many submissions
     * before its limit, and the table stops this many rows before its own.
     * @defaultValue 100
     */
    capacityMargin: z.number().int().nonnegative().default(100),
    /** The table's webhook sources, used in order: when one retires the next takes over. */
    webhooks: z.array(webhookSchema).min(1, "a table needs at least one webhook source"),
  })
  .strict();

const publicApiSchema = z
  .object({
    /** @defaultValue "https://api.clay.com/public/v0" */
    baseUrl: z.url().default("https://api.clay.com/public/v0"),
    /** Sent as `clay-api-key`; from the environment only. */
    apiKey: z.string().min(1),
    /** Clay's exact path is unverified, so it is configurable. @defaultValue "/tables/{tableId}/rows/query" */
    queryPath: z.string().default("/tables/{tableId}/rows/query"),
  })
  .strict();

const workspaceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
    rateLimit: rateLimitSchema.default({ perSecond: 10, burst: 20 }),
    publicApi: publicApiSchema.optional(),
    tables: z.array(tableSchema).min(1, "a workspace needs at least one table"),
  })
  .strict();

const callbacksSchema = z
  .object({
    /** The public base URL at which Clay's HTTP API column reaches claypipe. */
    baseUrl: z.url(),
    /** HMAC key for callback tokens, at least 32 characters; from the environment only. */
    secret: z.string().min(32, "use at least 32 random characters (e.g. `openssl rand -hex 32`)"),
    /** How long a callback URL stays valid. @defaultValue "7d" */
    ttl: duration.default(7 * 86_400_000),
  })
  .strict();

const senderSchema = z
  .object({
    /** Rows in flight to Clay at once (the rate limit still applies). @defaultValue 4 */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Tries per row on 429, 5xx and network errors. @defaultValue 8 */
    maxAttempts: z.number().int().min(1).default(8),
    /** First retry delay; it doubles each try, with jitter. @defaultValue "500ms" */
    initialBackoff: duration.default(500),
    /** Longest retry delay. @defaultValue "60s" */
    maxBackoff: duration.default(60_000),
    /** Time allowed for one webhook request. @defaultValue "30s" */
    requestTimeout: duration.default(30_000),
    /**
     * Share of the workspace burst left unused, so network jitter never pushes
     * Clay's own bucket past empty. @defaultValue 0.25
     */
    burstHeadroom: z.number().min(0).max(0.9).default(0.25),
  })
  .strict();

export const configSchema = z
  .object({
    /** The topology. @defaultValue "direct" */
    tier: z.enum(["direct"]).default("direct"),
    clay: z.object({ workspaces: z.array(workspaceSchema).min(1) }).strict(),
    callbacks: callbacksSchema.optional(),
    sender: senderSchema.default(senderSchema.parse({})),
    /** Where claypipe keeps its own state (webhook and table counters). @defaultValue ".claypipe" */
    stateDir: z.string().default(".claypipe"),
    logLevel: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
  })
  .strict();

export type ClaypipeConfig = z.output<typeof configSchema>;
export type ClaypipeConfigInput = z.input<typeof configSchema>;
export type WorkspaceConfig = ClaypipeConfig["clay"]["workspaces"][number];
export type TableConfig = WorkspaceConfig["tables"][number];
export type WebhookConfig = TableConfig["webhooks"][number];
export type SenderConfig = ClaypipeConfig["sender"];
export type CallbacksConfig = NonNullable<ClaypipeConfig["callbacks"]>;
export type PublicApiConfig = NonNullable<WorkspaceConfig["publicApi"]>;

/** Config keys whose values are secrets: they may only come from `${ENV}` references. */
export const SECRET_KEYS = ["authToken", "apiKey", "secret"] as const;
