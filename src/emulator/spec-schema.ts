/**
 * Validation of workspace specs and emulator options at the boundary. Defaults are
 * applied here, once; the rest of the emulator works on the resolved shapes.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { EmulatorFaults, EmulatorLogger, EmulatorWorkspaceSpec } from "./types.js";

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, _ . and - only");
const positiveInt = z.number().int().positive();
const rate = z.number().min(0).max(1);
const status = z.number().int().min(400).max(599);

const webhookSchema = z
  .object({
    uuid: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, "use letters, digits and - only")
      .optional(),
    authToken: z.string().min(1).optional(),
    submissionLimit: positiveInt.default(50_000),
  })
  .strict();

const httpApiColumnSchema = z
  .object({
    urlColumn: z.string().min(1).default("callback_url"),
    method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
    headers: z.record(z.string(), z.string()).default({}),
    rateLimit: z
      .object({ requests: positiveInt, perMs: positiveInt })
      .strict()
      .default({ requests: 10, perMs: 1000 }),
    timeoutMs: positiveInt.default(30_000),
    retryStatuses: z.array(z.number().int().min(100).max(599)).default([429, 500, 502, 503, 504]),
    maxRetries: z.number().int().min(0).default(3),
  })
  .strict();

const enrichmentSchema = z
  .object({
    minDelayMs: z.number().min(0).default(20_000),
    maxDelayMs: z.number().min(0).default(90_000),
    notFoundRate: rate.default(0.15),
  })
  .strict()
  .refine((value) => value.minDelayMs <= value.maxDelayMs, {
    message: "minDelayMs must not be greater than maxDelayMs",
  });

const tableSchema = z
  .object({
    id,
    name: z.string().min(1).optional(),
    rowLimit: positiveInt.default(50_000),
    dedupeColumn: z.string().min(1).optional(),
    autoRun: z.boolean().default(true),
    enrichment: enrichmentSchema.default({
      minDelayMs: 20_000,
      maxDelayMs: 90_000,
      notFoundRate: 0.15,
    }),
    jobChanges: z
      .object({ share: rate.default(0.1) })
      .strict()
      .default({ share: 0.1 }),
    httpApiColumn: z
      .union([z.literal(false), httpApiColumnSchema])
      .default(() => httpApiColumnSchema.parse({})),
    webhooks: z.array(webhookSchema).min(1, "a table needs at least one webhook"),
  })
  .strict();

export const workspaceSpecSchema = z
  .object({
    id,
    apiKey: z.string().min(1).optional(),
    rateLimit: z
      .object({ perSecond: z.number().positive().default(10), burst: positiveInt.default(20) })
      .strict()
      .default({ perSecond: 10, burst: 20 }),
    publicApiRateLimit: z
      .object({ perMinute: z.number().positive().default(60), burst: positiveInt.default(10) })
      .strict()
      .default({ perMinute: 60, burst: 10 }),
    credits: z
      .object({ actions: z.number().min(0).optional(), data: z.number().min(0).optional() })
      .strict()
      .default({}),
    tables: z.array(tableSchema).min(1, "a workspace needs at least one table"),
  })
  .strict() satisfies z.ZodType<unknown, EmulatorWorkspaceSpec>;

export const faultsSchema = z
  .object({
    webhookErrorRate: rate.optional(),
    webhookErrorStatus: status.optional(),
    webhookLatencyMs: z.number().min(0).optional(),
    outage: z
      .object({ durationMs: z.number().positive(), status: status.optional() })
      .strict()
      .optional(),
    rateLimitStorm: z
      .object({ durationMs: z.number().positive(), retryAfterSeconds: positiveInt.optional() })
      .strict()
      .optional(),
    publicApiRateLimitStorm: z
      .object({ durationMs: z.number().positive(), retryAfterSeconds: positiveInt.optional() })
      .strict()
      .optional(),
    callbackDuplicateRate: rate.optional(),
    callbackLostRate: rate.optional(),
    callbackDelayMs: z.number().min(0).optional(),
    callbackOutOfOrder: z.boolean().optional(),
  })
  .strict() satisfies z.ZodType<EmulatorFaults, EmulatorFaults>;

const loggerSchema = z.custom<EmulatorLogger>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as EmulatorLogger).info === "function" &&
    typeof (value as EmulatorLogger).warn === "function",
  "expected an object with info() and warn() methods",
);

export const optionsSchema = z
  .object({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(0),
    timeScale: z.number().positive().finite().default(1),
    seed: z.number().int().default(1),
    workspaces: z.array(z.unknown()).default([]),
    logger: loggerSchema.optional(),
  })
  .strict();

type ParsedWorkspace = z.output<typeof workspaceSpecSchema>;
type ParsedTable = ParsedWorkspace["tables"][number];

export type ResolvedWebhook = ParsedTable["webhooks"][number] & { uuid: string };
export type ResolvedHttpApiColumn = z.output<typeof httpApiColumnSchema>;
export type ResolvedTable = Omit<ParsedTable, "name" | "webhooks"> & {
  name: string;
  webhooks: ResolvedWebhook[];
};
export type ResolvedWorkspace = Omit<ParsedWorkspace, "apiKey" | "tables"> & {
  apiKey: string;
  tables: ResolvedTable[];
};

/** "tables.0.rowLimit: Too small: expected number to be >0; id: …" */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

/** Applies defaults and fills in what is generated: api key and webhook uuids. */
export function resolveWorkspace(parsed: ParsedWorkspace, seed: number): ResolvedWorkspace {
  return {
    ...parsed,
    apiKey: parsed.apiKey ?? `${parsed.id}-api-key`,
    tables: parsed.tables.map((table) => ({
      ...table,
      name: table.name ?? table.id,
      webhooks: table.webhooks.map((webhook, index) => ({
        ...webhook,
        uuid: webhook.uuid ?? webhookUuid(seed, table.id, index),
      })),
    })),
  };
}

// Derived rather than random, so a restarted emulator keeps the URLs a config points at.
function webhookUuid(seed: number, tableId: string, index: number): string {
  const hex = createHash("sha256").update(`${seed}:${tableId}:${index}`).digest("hex");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join("-");
}
