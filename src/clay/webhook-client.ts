/**
 * One POST of a serialized row to a Clay webhook source. Clay's answer body is
 * undocumented, so it is drained and never parsed: the status and Retry-After
 * are all claypipe reads. The caller's abort rejects; a timeout or a network
 * failure is an outcome, for the retry policy to judge.
 */

import { type Clock, systemClock } from "../core/clock.js";
import { describeNetworkError, failedBeforeSending } from "../net/network-error.js";
import { parseRetryAfter } from "../net/retry-after.js";

export type WebhookOutcome =
  | { kind: "response"; status: number; retryAfterMs: number | undefined }
  | {
      kind: "network_error";
      reason: string;
      timedOut: boolean;
      /** Set when the request provably never left: why, in words (e.g. "connection refused"). */
      notSent?: string;
    };

export interface PostRowOptions {
  url: string;
  /** Sent as `x-clay-webhook-auth` when present. */
  authToken?: string | undefined;
  /** The row's JSON text, from buildClayRow. */
  body: string;
  /** Time allowed for the whole request, answer included. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Used to read Retry-After given as a date. @defaultValue systemClock */
  clock?: Clock | undefined;
}

export async function postRow(options: PostRowOptions): Promise<WebhookOutcome> {
  const { signal } = options;
  signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.authToken !== undefined) headers["x-clay-webhook-auth"] = options.authToken;
  try {
    const response = await (options.fetch ?? fetch)(options.url, {
      method: "POST",
      headers,
      body: options.body,
      // A redirected POST would turn into a GET and lose the row; report it instead.
      redirect: "manual",
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    // Read to the end so the connection can be reused; the content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    const retryAfterMs = parseRetryAfter(
      response.headers.get("retry-after"),
      (options.clock ?? systemClock).now(),
    );
    return { kind: "response", status: response.status, retryAfterMs };
  } catch (thrown) {
    if (signal?.aborted) throw signal.reason;
    // A timeout may fire after the body went out: Clay may have taken the row.
    if (timeout.aborted) return { kind: "network_error", reason: "timed out", timedOut: true };
    const notSent = failedBeforeSending(thrown);
    return {
      kind: "network_error",
      reason: describeNetworkError(thrown),
      timedOut: false,
      ...(notSent ? { notSent } : {}),
    };
  }
}
