/**
 * A client for Clay's public API (read-only tables): query a table's rows a page
 * at a time, or find one row by a field. Clay's exact paths are unverified, so
 * the query path comes from the config. 429 and passing failures are retried,
 * honouring Retry-After; other refusals become ClaypipeErrors that say what to fix.
 */
import type { PublicApiConfig } from "../config/schema.js";
import { type Clock, systemClock } from "../core/clock.js";
import { ClaypipeError } from "../core/errors.js";
import { createBackoff } from "./retry-policy.js";
import { parseRetryAfter } from "./webhook-client.js";

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
}

export interface PublicApiClientOptions {
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** Tries per request on 429, 5xx and network errors. @defaultValue 5 */
  maxAttempts?: number;
  /** Time allowed for one request. @defaultValue 30000 */
  requestTimeoutMs?: number;
  /** @defaultValue 500 */
  initialBackoffMs?: number;
  /** @defaultValue 30000 */
  maxBackoffMs?: number;
}

export function createPublicApiClient(
  config: PublicApiConfig,
  options: PublicApiClientOptions = {},
): PublicApiClient {
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxAttempts ?? 5;
  const base = config.baseUrl.replace(/\/+$/, "");

  const queryRows = async (tableId: string, query: RowQuery = {}, signal?: AbortSignal) => {
    try {
      return await queryWithRetries(tableId, query, signal);
    } catch (thrown) {
      // Every wait rejects on abort in its own way; callers get the signal's reason from all of them.
      if (signal?.aborted) throw signal.reason;
      throw thrown;
    }
  };

  const queryWithRetries = async (
    tableId: string,
    query: RowQuery,
    signal: AbortSignal | undefined,
  ): Promise<RowPage> => {
    const url = `${base}${config.queryPath.replace("{tableId}", encodeURIComponent(tableId))}`;
    const backoff = createBackoff({
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    });
    let lastProblem = "";
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 30_000);
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(url, {
          method: "POST",
          headers: { "content-type": "application/json", "clay-api-key": config.apiKey },
          body: JSON.stringify(query),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch {
        signal?.throwIfAborted();
        lastProblem = timeout.aborted ? "gave no answer in time" : "could not be reached";
        if (attempt >= maxAttempts) break;
        await clock.sleep(backoff.next(), signal);
        continue;
      }
      if (response.ok) return parsePage(await readJson(response), tableId);
      await response.arrayBuffer().catch(() => undefined);
      if (response.status !== 429 && response.status < 500) throw refusal(response.status, tableId);
      lastProblem = `answered ${response.status}`;
      if (attempt >= maxAttempts) break;
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
      await clock.sleep(retryAfterMs ?? backoff.next(), signal);
    }
    throw new ClaypipeError(
      "clay_unavailable",
      `Clay's public API ${lastProblem} on ${maxAttempts} tries (table ${tableId})`,
      { hint: "try again later; check publicApi.baseUrl if it never answers" },
    );
  };

  return {
    queryRows,
    async findRow(tableId, field, value, signal) {
      const page = await queryRows(tableId, { filter: { [field]: value }, limit: 1 }, signal);
      return page.rows[0];
    },
  };
}

function refusal(status: number, tableId: string): ClaypipeError {
  switch (status) {
    case 401:
    case 403:
      return new ClaypipeError(
        "clay_rejected",
        `Clay's public API refused the API key (${status})`,
        {
          hint: "set publicApi.apiKey to a key from Clay's workspace settings (sent as clay-api-key)",
        },
      );
    case 402:
      return new ClaypipeError(
        "clay_rejected",
        "Clay's public API answered 402: the workspace's actions or data credits are exhausted",
        { hint: "raise the workbook's spend limit or add credits in Clay, then try again" },
      );
    case 404:
      return new ClaypipeError(
        "clay_rejected",
        `Clay has no table "${tableId}" at this address (404)`,
        {
          hint: "copy the table id from the table's URL in Clay into the table's `id`; check publicApi.queryPath",
        },
      );
    default:
      return new ClaypipeError("clay_rejected", `Clay's public API refused the query (${status})`, {
        hint: "check the filter's field names and publicApi.queryPath",
      });
  }
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

function unexpectedShape(what: string, cause?: unknown): ClaypipeError {
  return new ClaypipeError(
    "clay_unavailable",
    `Clay's public API answered in an unexpected shape: ${what}`,
    {
      hint: "check publicApi.baseUrl and publicApi.queryPath; Clay's API paths are not documented and may change",
      cause,
    },
  );
}
