/**
 * The public-API check run before any lead depends on it (pipeline start,
 * `enrich --wait`): `GET /me` proves the key and the base URL, and one row read
 * of each table with an id proves the table ids and the query path. One try
 * each, at the workspace's rate. A refusal that says the config is wrong is
 * thrown, naming the workspace and what to fix; a Clay that is busy or away
 * is only reported back, since it may pass before a lead needs it.
 */
import type { PublicApiConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import { ClaypipeError } from "../core/errors.js";
import { createPublicApiClient } from "./public-api-client.js";
import { PublicApiError } from "./public-api-errors.js";
import type { RateLimiter } from "./rate-limit/rate-limiter.js";

export interface PublicApiCheckOptions {
  /** The workspace's name in the config, for the messages. */
  workspace: string;
  /** Clay table ids to read one row of. */
  tableIds: readonly string[];
  /** The workspace's public-API limiter, shared with reconcile or polling. */
  limiter: RateLimiter;
  clock: Clock;
  /** @defaultValue 10000 */
  requestTimeoutMs?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Undefined when every call answered; the passing problem when Clay (or the shared limiter) did not. */
export async function checkPublicApi(
  config: PublicApiConfig,
  options: PublicApiCheckOptions,
): Promise<ClaypipeError | undefined> {
  const client = createPublicApiClient(config, {
    clock: options.clock,
    limiter: options.limiter,
    maxAttempts: 1,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  try {
    await client.me(options.signal);
    for (const tableId of options.tableIds) {
      await client.queryRows(tableId, { limit: 1 }, options.signal);
    }
    return undefined;
  } catch (thrown) {
    if (!(thrown instanceof PublicApiError)) {
      if (thrown instanceof ClaypipeError && !options.signal?.aborted) return thrown;
      throw thrown;
    }
    if (thrown.passing) return thrown;
    throw new PublicApiError(
      thrown.code === "clay_unavailable" ? "clay_unavailable" : "clay_rejected",
      `workspace "${options.workspace}": ${thrown.message}`,
      {
        ...(thrown.status === undefined ? {} : { status: thrown.status }),
        passing: false,
        hint: thrown.hint ?? "check the workspace's publicApi settings",
        cause: thrown,
      },
    );
  }
}
