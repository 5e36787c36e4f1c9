/**
 * A client for Clay's public API (read-only tables): query a table's rows a page
 * at a time, find one row by a field, or ask who a key belongs to (`GET /me`).
 * Clay's exact paths are unverified, so they come from the config. Every call
 * waits its turn at the workspace's public-API rate (`publicApi.rate`, shared by
 * whoever holds the same limiter); a 429 pauses that limiter for its
 * Retry-After. 429 and passing failures are retried; other refusals become
 * PublicApiErrors that say what to fix.
 */
import type { PublicApiConfig } from "../config/schema.js";
import { requireSet } from "../config/unset-variable.js";
import { type Clock, systemClock } from "../core/clock.js";
import { trimEndChar } from "../core/text-scan.js";
import { createBackoff } from "../net/backoff.js";
import { parseRetryAfter } from "../net/retry-after.js";
import {
  type PublicApiTarget,
  refusal,
  shownUrl,
  unavailable,
  unexpectedShape,
} from "./public-api-errors.js";
import { LocalRateLimiter } from "./rate-limit/local-rate-limiter.js";
import type { RateLimiter } from "./rate-limit/rate-limiter.js";

export interface PublicApiRow {
  id: string;
  /** Clay's row status, e.g. "pending" or "enriched". */
  status: string;
  fields: Record<string, unknown>;
}

/** A value a row's field can be matched against. */
export type FilterValue = string | number | boolean;

export interface RowQuery {
  /** Rows whose fields equal all of these values. */
  filter?: Record<string, FilterValue>;
  /** Rows per page; Clay serves at most 100. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface RowPage {
  rows: PublicApiRow[];
  /** null on the last page. */
  nextCursor: string | null;
}

export interface PublicApiClient {
  queryRows(tableId: string, query?: RowQuery, signal?: AbortSignal): Promise<RowPage>;
  /** The first row whose `field` equals `value`, or undefined. */
  findRow(
    tableId: string,
    field: string,
    value: FilterValue,
    signal?: AbortSignal,
  ): Promise<PublicApiRow | undefined>;
  /** `GET publicApi.mePath`: Clay's answer about the key's user and workspace, unparsed. */
  me(signal?: AbortSignal): Promise<unknown>;
}

export interface PublicApiClientOptions {
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** @defaultValue systemClock */
  clock?: Clock;
  /**
   * The workspace's public-API rate; pass the same one to every client of the
   * workspace so together they keep it. @defaultValue a limiter of this client's own at `publicApi.rate`
   */
  limiter?: RateLimiter;
  /** Tries per request on 429, 5xx and network errors. @defaultValue 5 */
  maxAttempts?: number;
  /** Time allowed for one request. @defaultValue 30000 */
  requestTimeoutMs?: number;
  /** @defaultValue 500 */
  initialBackoffMs?: number;
  /** @defaultValue 30000 */
  maxBackoffMs?: number;
}

/** A limiter at `publicApi.rate` for one process; the queue tier shares one through Redis instead. */
export function createLocalPublicApiLimiter(
  config: PublicApiConfig,
  clock: Clock = systemClock,
): RateLimiter {
  return new LocalRateLimiter({ ...publicApiRateOptions(config), clock });
}

/** `publicApi.rate` as the rate limiter port takes it: the whole burst is used (Clay's is unknown). */
export function publicApiRateOptions(config: PublicApiConfig) {
  return {
    rateLimit: { perSecond: config.rate.perMinute / 60, burst: config.rate.burst },
    burstHeadroom: 0,
  };
}

export function createPublicApiClient(
  config: PublicApiConfig,
  options: PublicApiClientOptions = {},
): PublicApiClient {
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxAttempts ?? 5;
  const limiter = options.limiter ?? createLocalPublicApiLimiter(config, clock);
  const base = trimEndChar(config.baseUrl, "/");

  const call = async (
    request: { method: "GET" | "POST"; path: string; body?: unknown },
    target: PublicApiTarget,
    signal: AbortSignal | undefined,
  ): Promise<unknown> => {
    try {
      return await callWithRetries(request, target, signal);
    } catch (thrown) {
      // Every wait rejects on abort in its own way; callers get the signal's reason from all of them.
      if (signal?.aborted) throw signal.reason;
      throw thrown;
    }
  };

  const callWithRetries = async (
    request: { method: "GET" | "POST"; path: string; body?: unknown },
    target: PublicApiTarget,
    signal: AbortSignal | undefined,
  ): Promise<unknown> => {
    const backoff = createBackoff({
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    });
    let lastProblem = "";
    let lastStatus: number | undefined;
    for (let attempt = 1; ; attempt++) {
      await limiter.acquire(signal);
      const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 30_000);
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(`${base}${request.path}`, {
          method: request.method,
          headers: {
            "clay-api-key": requireSet(config.apiKey, "publicApi.apiKey"),
            ...(request.body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch {
        signal?.throwIfAborted();
        lastProblem = timeout.aborted ? "gave no answer in time" : "could not be reached";
        lastStatus = undefined;
        if (attempt >= maxAttempts) break;
        await clock.sleep(backoff.next(), signal);
        continue;
      }
      if (response.ok) {
        limiter.onSuccess();
        return readJson(response);
      }
      await response.arrayBuffer().catch(() => undefined);
      lastProblem = `answered ${response.status}`;
      lastStatus = response.status;
      if (response.status === 429) {
        // The limiter holds every caller of the workspace back until Clay's Retry-After has passed.
        limiter.onRateLimited(parseRetryAfter(response.headers.get("retry-after"), clock.now()));
        if (attempt >= maxAttempts) break;
        continue;
      }
      if (response.status < 500) throw refusal(response.status, target);
      if (attempt >= maxAttempts) break;
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
      await clock.sleep(retryAfterMs ?? backoff.next(), signal);
    }
    throw unavailable(lastProblem, maxAttempts, target, lastStatus);
  };

  const queryRows = async (tableId: string, query: RowQuery = {}, signal?: AbortSignal) => {
    const path = config.queryPath.replace("{tableId}", encodeURIComponent(tableId));
    const body = await call(
      { method: "POST", path, body: query },
      { kind: "table", tableId },
      signal,
    );
    return parsePage(body, tableId);
  };

  return {
    queryRows,
    async findRow(tableId, field, value, signal) {
      const page = await queryRows(tableId, { filter: { [field]: value }, limit: 1 }, signal);
      return page.rows[0];
    },
    async me(signal) {
      const body = await call(
        { method: "GET", path: config.mePath },
        { kind: "me", url: shownUrl(`${base}${config.mePath}`) },
        signal,
      );
      if (typeof body !== "object" || body === null) {
        throw unexpectedShape(
          `its answer at ${shownUrl(`${base}${config.mePath}`)} is not an object`,
        );
      }
      return body;
    },
  };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (thrown) {
    throw unexpectedShape("its answer is not JSON", thrown);
  }
}

function parsePage(body: unknown, tableId: string): RowPage {
  const page = body as { rows?: unknown; nextCursor?: unknown } | null;
  if (typeof page !== "object" || page === null || !Array.isArray(page.rows)) {
    throw unexpectedShape(`its answer for table ${tableId} has no rows`);
  }
  const nextCursor = page.nextCursor ?? null;
  if (nextCursor !== null && typeof nextCursor !== "string") {
    throw unexpectedShape("its nextCursor is not a string");
  }
  const rows = page.rows.map((row: unknown): PublicApiRow => {
    const { id, status, fields } = (row ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || typeof fields !== "object" || fields === null) {
      throw unexpectedShape("a row has no id or fields");
    }
    return {
      id,
      status: typeof status === "string" ? status : "unknown",
      fields: fields as Record<string, unknown>,
    };
  });
  return { rows, nextCursor };
}
