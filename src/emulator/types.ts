/**
 * The emulator's public types: what you pass to `startEmulator` and what you get back.
 *
 * Glossary.
 * - Clay time: time as Clay lives it (enrichment delays, callback retry backoff). The
 *   emulator divides it by `timeScale`; rate limits, HTTP timeouts and outages stay real time.
 * - workspace: a Clay account area with one webhook rate limit, one API key and one credit budget.
 * - table: rows plus the enrichment columns and the HTTP API column that run on them.
 * - webhook: a "Monitor webhook" source of a table; each has a lifetime submission limit.
 * - submission: one record received by a webhook (an array of N objects is N submissions).
 * - callback: the HTTP API column's request carrying an enriched row to the row's URL.
 */

export interface EmulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface EmulatorOptions {
  /** @defaultValue "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /**
   * How much faster than Clay the emulator runs: 60 makes a Clay minute pass in one real
   * second. Divides enrichment delays, callback retry backoff and injected callback delays.
   * @defaultValue 1
   */
  timeScale?: number;
  /** Seeds every random draw (delays, fault draws, generated webhook uuids). @defaultValue 1 */
  seed?: number;
  /** @defaultValue [] */
  workspaces?: EmulatorWorkspaceSpec[];
  /** @defaultValue silent */
  logger?: EmulatorLogger;
}

export interface EmulatorWorkspaceSpec {
  id: string;
  /** Public API key, sent in header `clay-api-key`. @defaultValue `${id}-api-key` */
  apiKey?: string;
  /** Webhook intake rate, shared by every webhook of every table of the workspace. @defaultValue { perSecond: 10, burst: 20 } */
  rateLimit?: { perSecond?: number; burst?: number };
  /**
   * Public API calls per minute, every route and key of the workspace together; past it, 429 with
   * `Retry-After`. Clay's figure is unverified (about 60 a minute). @defaultValue { perMinute: 60, burst: 10 }
   */
  publicApiRateLimit?: { perMinute?: number; burst?: number };
  /** Spend limits. @defaultValue unlimited */
  credits?: { actions?: number; data?: number };
  tables: EmulatorTableSpec[];
}

export interface EmulatorTableSpec {
  /** Clay's table id, e.g. "t_leads"; unique across the emulator. */
  id: string;
  /** @defaultValue the id */
  name?: string;
  /** Rows past it are dropped silently (200 answer, no row). @defaultValue 50000 */
  rowLimit?: number;
  /** Auto-dedupe on this column: the oldest row stays, newer duplicates are dropped. @defaultValue none */
  dedupeColumn?: string;
  /** A new row starts its enrichment. @defaultValue true */
  autoRun?: boolean;
  /** Clay-time delays and the share of rows nothing is found for. @defaultValue { minDelayMs: 20000, maxDelayMs: 90000, notFoundRate: 0.15 } */
  enrichment?: { minDelayMs?: number; maxDelayMs?: number; notFoundRate?: number };
  /**
   * People change jobs: from a person's second enrichment in the table on, this share
   * (0..1) of enrichments finds them in a new role at another company (title, seniority,
   * company fields, work email on the new domain, ICP score). Drawn from the identity and
   * the enrichment's number, so the same rows give the same moves. A first enrichment is
   * never changed. @defaultValue { share: 0.1 }
   */
  jobChanges?: { share?: number };
  /** The HTTP API column, or false for none. @defaultValue enabled with the defaults below */
  httpApiColumn?: false | HttpApiColumnSpec;
  webhooks: EmulatorWebhookSpec[];
}

export interface HttpApiColumnSpec {
  /** The row column holding the URL to call; rows where it is blank are skipped ("Only run if"). @defaultValue "callback_url" */
  urlColumn?: string;
  /** @defaultValue "POST" */
  method?: "POST" | "PUT" | "PATCH";
  /** Static headers: Clay cannot sign requests. @defaultValue {} */
  headers?: Record<string, string>;
  /** The column's own rate limit. @defaultValue { requests: 10, perMs: 1000 } */
  rateLimit?: { requests: number; perMs: number };
  /** Real milliseconds before a call is abandoned (and retried). @defaultValue 30000 */
  timeoutMs?: number;
  /** Statuses that are retried, besides network errors and timeouts. @defaultValue [429, 500, 502, 503, 504] */
  retryStatuses?: number[];
  /** @defaultValue 3 */
  maxRetries?: number;
}

export interface EmulatorWebhookSpec {
  /** @defaultValue derived from the seed, the table id and the webhook's index */
  uuid?: string;
  /** When set, requests must carry it in header `x-clay-webhook-auth`. @defaultValue none */
  authToken?: string;
  /** Submissions the webhook accepts in its lifetime. @defaultValue 50000 */
  submissionLimit?: number;
}

export interface RunningEmulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** `${url}/v3/sources/webhook/pull-in-data-from-a-webhook-${uuid}` */
  webhookUrl(tableId: string, index?: number): string;
  /** `${url}/public/v0` (`GET /me`, `POST /tables/<id>/rows/query`) */
  publicApiBaseUrl: string;
  control: EmulatorControl;
  /** Stops the server and cancels every timer and in-flight callback. */
  close(): Promise<void>;
}

export interface EmulatorControl {
  addWorkspace(spec: EmulatorWorkspaceSpec): void;
  /** Replaces the current faults; durations start now. */
  setFaults(faults: EmulatorFaults): void;
  clearFaults(): void;
  snapshot(): EmulatorSnapshot;
  rows(tableId: string): EmulatorRow[];
  /**
   * Makes the next enrichment of this person in the table find them in a new job, whatever
   * the draw (the first enrichment too). `person` is a row's fields, e.g. `{ email }`; it
   * names the same person as a row when both have the same email, else LinkedIn URL, else
   * name and company. Returns the identity and how often it was enriched so far.
   */
  moveOnNextEnrichment(
    tableId: string,
    person: Record<string, unknown>,
  ): { identity: string; enrichments: number };
  /** Resolves when no enrichment and no callback is pending or in flight. */
  idle(): Promise<void>;
  /** Drops all rows, counters and faults; keeps the workspaces. */
  reset(): void;
}

export interface EmulatorFaults {
  /** Share (0..1) of webhook requests answered with `webhookErrorStatus`. */
  webhookErrorRate?: number;
  /** @defaultValue 500 */
  webhookErrorStatus?: number;
  /** Real milliseconds added before answering each webhook request. */
  webhookLatencyMs?: number;
  /** From now, webhook and public API answer `status` (default 503) for `durationMs` real ms. */
  outage?: { durationMs: number; status?: number };
  /** From now, every webhook request gets 429 with `Retry-After` (default 1 s) for `durationMs` real ms. */
  rateLimitStorm?: { durationMs: number; retryAfterSeconds?: number };
  /** From now, every public API request gets 429 with `Retry-After` (default 1 s) for `durationMs` real ms. */
  publicApiRateLimitStorm?: { durationMs: number; retryAfterSeconds?: number };
  /** Share (0..1) of callbacks sent twice. */
  callbackDuplicateRate?: number;
  /** Share (0..1) of callbacks never sent. */
  callbackLostRate?: number;
  /** Extra Clay-time delay before each callback. */
  callbackDelayMs?: number;
  /** Holds each callback back a random Clay-time (up to a minute) so they arrive out of order. */
  callbackOutOfOrder?: boolean;
}

export type EmulatorRowStatus = "pending" | "enriched" | "not_found" | "stalled_no_credits";

export interface EmulatorRow {
  id: string;
  tableId: string;
  /** ISO timestamp. */
  createdAt: string;
  status: EmulatorRowStatus;
  /** The record as received, plus the enrichment fields once the row ran. */
  fields: Record<string, unknown>;
}

export interface EmulatorSnapshot {
  workspaces: Array<{
    id: string;
    credits: {
      actionsUsed: number;
      dataUsed: number;
      actionsLimit: number | null;
      dataLimit: number | null;
      exhausted: boolean;
    };
    requests: { accepted: number; rateLimited: number; rejected: number; faulted: number };
    /** Public API calls: answered, and refused with 429 for the workspace's public API rate. */
    publicApi: { answered: number; rateLimited: number };
    tables: Array<{
      id: string;
      rowCount: number;
      rowLimit: number;
      droppedAtRowLimit: number;
      deduplicated: number;
      enriched: number;
      notFound: number;
      stalled: number;
      pending: number;
      /** Enrichments that found the person in a new job (see EmulatorTableSpec.jobChanges). */
      jobChanges: number;
      webhooks: Array<{ uuid: string; submissions: number; submissionLimit: number }>;
    }>;
  }>;
  callbacks: {
    attempted: number;
    delivered: number;
    failed: number;
    lost: number;
    duplicated: number;
    retried: number;
  };
}
