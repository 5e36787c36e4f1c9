/**
 * The pipeline definition, validated at the boundary. Defaults live here, once;
 * everything downstream receives a complete, frozen config.
 */
import { z } from "zod";
import { enrichIfSchema } from "../routing/enrich-if-schema.js";
import { routesSchema } from "../routing/routes-schema.js";
import { alertsSchema } from "./alerts-schema.js";
import { busSchema } from "./bus-schema.js";
import { durationSchema } from "./duration-schema.js";
import { refreshSchema } from "./refresh-schema.js";
import { sinkConfigSchema } from "./sink-schema.js";
import { crmIntakeSchema, formIntakeSchema, hubspotIntakeSchema } from "./source-intake-schema.js";

const duration = durationSchema;

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
    /** Answers with the key's user and workspace: the key check at start. @defaultValue "/me" */
    mePath: z.string().default("/me"),
    /**
     * Calls a minute to the public API for this workspace, reconcile and `enrich --wait` together.
     * Clay's own limit is per workspace and far below the webhook rate (about 60 a minute,
     * unverified), so the default leaves room for other tools using the same workspace.
     * @defaultValue { perMinute: 30, burst: 5 }
     */
    rate: z
      .object({
        perMinute: z.number().positive().max(6_000).default(30),
        burst: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .default({ perMinute: 30, burst: 5 }),
  })
  .strict();

const creditAmountSchema = z
  .object({
    actions: z.number().nonnegative().optional(),
    data: z.number().nonnegative().optional(),
  })
  .strict();

/** Spend caps per UTC day and per UTC month; a missing cap is no cap. */
const creditCapsSchema = z
  .object({ daily: creditAmountSchema.optional(), monthly: creditAmountSchema.optional() })
  .strict();

const workspaceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
    rateLimit: rateLimitSchema.default({ perSecond: 10, burst: 20 }),
    /** Credit caps for the workspace: at a cap new leads wait as deferred until the next window. */
    credits: creditCapsSchema.default({}),
    /**
     * Estimated cost of one lead, reserved at send and settled at callback.
     * @defaultValue { actions: 4, data: 10 }
     */
    costEstimate: z
      .object({ actions: z.number().nonnegative(), data: z.number().nonnegative() })
      .strict()
      .default({ actions: 4, data: 10 }),
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
    /** Past this wait for a callback, claypipe reconciles, retries once or dead-letters. @defaultValue "30m" */
    deadline: duration.default(30 * 60_000),
    /** Send once more when no callback came and reconciling found nothing. @defaultValue true */
    retryOnce: z.boolean().default(true),
  })
  .strict();

const sourceSchema = z
  .object({
    /** How intake names the source (`POST /v1/leads?source=…`, CLI `--source`). */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
    /** Table the source's leads go to: "name" or "workspace/name". @defaultValue the first table */
    table: z.string().optional(),
    /** Lower is sent first. @defaultValue 0 */
    priority: z.number().int().min(0).max(100).default(0),
    credits: creditCapsSchema.default({}),
    /** Web form intake: `POST /v1/forms/:formId`. */
    form: formIntakeSchema.optional(),
    /** HubSpot webhook intake: `POST /v1/hubspot/:source`. */
    hubspot: hubspotIntakeSchema.optional(),
    /** Generic CRM event intake: `POST /v1/events/:source`. */
    crm: crmIntakeSchema.optional(),
  })
  .strict();

/** A number, or digits from the environment (`port: ${PORT}`). */
const portNumber = z.preprocess(
  (value) => (typeof value === "string" && /^\d{1,5}$/.test(value) ? Number(value) : value),
  z.number().int().min(0).max(65_535),
);

const serverSchema = z
  .object({
    /** @defaultValue "127.0.0.1" */
    host: z.string().default("127.0.0.1"),
    /**
     * A number, or digits from the environment (`port: ${PORT}`), so processes of
     * one config can listen apart. @defaultValue 8787
     */
    port: portNumber.default(8787),
    /**
     * Where a process that serves no API (the queue tier's `worker`, the event tier's
     * `enricher` and `router`) answers `/healthz`, `/readyz` and `/metrics` for an
     * orchestrator, on `host`. Off when unset: workers of one config on one machine
     * each need a port of their own: `opsPort: ${OPS_PORT:-}` gives each its variable,
     * and leaves the port off where it is unset or empty. 0 takes any free port.
     * @defaultValue unset (no ops port)
     */
    opsPort: z.preprocess((value) => (value === "" ? undefined : value), portNumber.optional()),
    /** Bearer keys for the intake and admin API; from the environment only. @defaultValue [] (no intake API) */
    apiKeys: z.array(z.string().min(16, "use at least 16 random characters")).default([]),
    /**
     * Keys that may log into the dashboard (/ui) to look, but not replay, purge or requeue;
     * from the environment only. @defaultValue [] (admin keys only)
     */
    readOnlyKeys: z.array(z.string().min(16, "use at least 16 random characters")).default([]),
    /** Leads one `POST /v1/leads` may carry. @defaultValue 500 */
    maxBatch: z.number().int().min(1).max(10_000).default(500),
    /** Largest request body, in bytes. @defaultValue 1048576 */
    bodyLimit: z.number().int().min(1024).default(1_048_576),
    /**
     * The longest a client may take to send a whole request, headers and body; a slower one
     * (a body trickled in chunks) is answered 408 and its connection closed. @defaultValue "30s"
     */
    requestTimeout: duration
      .default(30_000)
      .refine((ms) => ms >= 1000, "use at least 1s: slower networks need a few seconds"),
  })
  .strict();

const postgresStoreSchema = z
  .object({
    /** e.g. "postgres://claypipe@db.internal:5432/claypipe"; from the environment only. */
    connectionString: z.string().min(1),
    /** Schema holding claypipe's tables, created when missing. @defaultValue "claypipe" */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, "lower-case letters, digits and _ only")
      .default("claypipe"),
    /** Most connections each process opens. @defaultValue 10 */
    poolSize: z.number().int().min(1).max(100).default(10),
  })
  .strict();

const storeSchema = z
  .object({
    sqlite: z
      .object({ path: z.string().default(".claypipe/claypipe.db") })
      .strict()
      .default({ path: ".claypipe/claypipe.db" }),
    /** The queue tier's store, shared by the API and every worker. */
    postgres: postgresStoreSchema.optional(),
  })
  .strict();

const queueSchema = z
  .object({
    redis: z
      .object({
        /** e.g. "redis://:password@redis.internal:6379/0"; from the environment only. */
        connectionString: z.string().min(1),
      })
      .strict(),
    /** Prefix of every Redis key claypipe's queues use, so pipelines can share a Redis. @defaultValue "claypipe" */
    prefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only")
      .default("claypipe"),
    /**
     * Jobs kept waiting in each workspace's queue. The feeder tops the queue up
     * from the store, sharing these places among the sources' priority lanes, so
     * a fresh lead waits behind at most this many others. @defaultValue 20
     */
    lookahead: z.number().int().min(1).max(10_000).default(20),
    /**
     * A worker that stops renewing its job's lock this long (killed, frozen)
     * loses the job, and the sink deliveries it holds, to another worker: the
     * job is back in the queue within 1.5 times this (see
     * transport/bullmq/takeover.ts). A job Redis lost (a restart without
     * persistence) is fed again after two of these, or longer when the
     * workspace takes longer to send a full lookahead.
     * @defaultValue "30s"
     */
    lockDuration: duration.default(30_000),
    /**
     * A lead in `sending` this long with no worker holding its job (a lost job)
     * is recovered by the `recovery.sending` policy. Longer than any one send with
     * its retries. @defaultValue "15m"
     */
    sendLease: duration.default(15 * 60_000),
    /**
     * On SIGTERM a worker stops taking jobs and lets its sends in flight finish
     * this long, then hands the rest back to the queue. @defaultValue "10s"
     */
    shutdownGrace: duration.default(10_000),
  })
  .strict();

const dedupeSchema = z
  .object({
    /** "identity" (normalized email, else LinkedIn URL, else name + company) or a list of fields. @defaultValue "identity" */
    key: z.union([z.literal("identity"), z.array(z.string()).min(1)]).default("identity"),
    /** A repeat within this window is not sent again. @defaultValue "30d" */
    window: duration.default(30 * 86_400_000),
  })
  .strict();

const breakerSchema = z
  .object({
    /** Share of failed sends in the window that opens the breaker. @defaultValue 0.5 */
    failureRate: z.number().gt(0).max(1).default(0.5),
    /** Sends in the window before the rate counts. @defaultValue 10 */
    minRequests: z.number().int().min(1).default(10),
    /** @defaultValue "60s" */
    window: duration.default(60_000),
    /** How long it stays open before one probe. @defaultValue "30s" */
    openFor: duration.default(30_000),
  })
  .strict();

const recoverySchema = z
  .object({
    /**
     * A lead found in `sending` after a crash may or may not have reached Clay.
     * "resend": send it again (at-least-once; Clay's dedupe or claypipe's callback
     * check absorbs a double). "hold": dead-letter it as interrupted_send for a person.
     * @defaultValue "resend"
     */
    sending: z.enum(["resend", "hold"]).default("resend"),
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
    /**
     * How long a lead waits as deferred when its table has no webhook or row
     * left before it is tried again by itself. Leads resume sooner when a
     * capacity check finds room. @defaultValue "15m"
     */
    capacityWait: duration.default(15 * 60_000),
    /**
     * How often leads waiting for capacity are checked against the webhook and
     * row counters (shared by every process) and the config: a webhook or table
     * added, or a source pointed at another table, takes them within this long.
     * @defaultValue "5s"
     */
    capacityCheck: duration.default(5000),
  })
  .strict();

export const configSchema = z
  .object({
    /** The topology. @defaultValue "direct" */
    tier: z.enum(["direct", "standard", "queue", "event"]).default("direct"),
    clay: z.object({ workspaces: z.array(workspaceSchema).min(1) }).strict(),
    callbacks: callbacksSchema.optional(),
    sender: senderSchema.default(senderSchema.parse({})),
    sources: z.array(sourceSchema).default([{ name: "api", priority: 0, credits: {} }]),
    server: serverSchema.default(serverSchema.parse({})),
    store: storeSchema.default(storeSchema.parse({})),
    /** The queue tier's transport: BullMQ on Redis (the event tier keeps its shared rate limits there too). */
    queue: queueSchema.optional(),
    /** The message bus (NATS JetStream or Kafka): the event tier's transport, and where bus sinks publish. */
    bus: busSchema.optional(),
    dedupe: dedupeSchema.default(dedupeSchema.parse({})),
    breaker: breakerSchema.default(breakerSchema.parse({})),
    recovery: recoverySchema.default(recoverySchema.parse({})),
    /**
     * Pre-send rules: a lead is sent to Clay only when every rule holds for it;
     * otherwise it is stored as `skipped` (no credit) and can be routed. @defaultValue []
     */
    enrichIf: enrichIfSchema.default([]),
    routes: routesSchema.default(routesSchema.parse({})),
    sinks: z.array(sinkConfigSchema).default([]),
    /** Notifications to Slack or a webhook when a cap, a limit, a breaker, the DLQ or callbacks need a person. */
    alerts: alertsSchema.optional(),
    /** Re-enrichment of stored results on a schedule (standard, queue and event tiers). */
    refresh: refreshSchema,
    /** What a person's new result is compared with their last one on. */
    changes: z
      .object({
        /**
         * Fields never compared: bookkeeping the HTTP API column sends that
         * differs on every row (a timestamp, a run id). @defaultValue []
         */
        ignore: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ ignore: [] }),
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
export type SourceConfig = ClaypipeConfig["sources"][number];
export type ServerConfig = ClaypipeConfig["server"];
export type CreditCapsConfig = WorkspaceConfig["credits"];
export type BreakerConfig = ClaypipeConfig["breaker"];
export type QueueConfig = NonNullable<ClaypipeConfig["queue"]>;
export type PostgresStoreConfig = NonNullable<ClaypipeConfig["store"]["postgres"]>;
export type { RoutesConfig } from "../routing/routes-schema.js";
export type { BusConfig, BusConnection } from "./bus-schema.js";
export type { SinkConfig } from "./sink-schema.js";

/** Config keys whose values are secrets: they may only come from `${ENV}` references. */
export const SECRET_KEYS = [
  "authToken",
  "apiKey",
  "apiKeys",
  "readOnlyKeys",
  "secret",
  "accessToken",
  "connectionString",
  "clientSecret",
  "password",
  "token",
  "webhookUrl",
] as const;
