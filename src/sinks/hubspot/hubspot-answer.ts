/**
 * What HubSpot's answer to one batch upsert means for the contacts in it.
 * HubSpot names a bad input only inside its error text (the email in "Email
 * address … is invalid", the ids in "Duplicate IDs found…"), so the contacts an
 * error names are found by looking for their emails in it: those fail, and the
 * rest of the batch, refused only because it shared a request with them, goes
 * again.
 */
import { parseRetryAfter } from "../../net/retry-after.js";
import type { SinkResult } from "../sink.js";

export type BatchOutcome =
  /** The batch was written, except the contacts named in `failed` (a multi-status answer). */
  | { kind: "written"; failed: Map<string, SinkResult> }
  /** Nothing was written; the named contacts failed and the others can be sent again now. */
  | { kind: "refused_some"; failed: Map<string, SinkResult> }
  /** The same result for every contact in the batch. */
  | { kind: "all"; result: SinkResult; pauseMs?: number };

interface HubspotErrorBody {
  message?: unknown;
  category?: unknown;
  policyName?: unknown;
}

const DEFAULT_WINDOW_MS = 10_000;
// The daily limit resets at midnight in the portal's time zone, which the API does not tell.
const DAILY_LIMIT_PAUSE_MS = 3_600_000;
// HubSpot holds a locked record (423) for about two seconds.
const LOCKED_PAUSE_MS = 2_000;
const AUTH_HINT =
  "the HubSpot access token is invalid or lacks crm.objects.contacts.write: create a private app with that scope and set the sink's accessToken to its token";

export function classifyAnswer(
  status: number,
  headers: Headers,
  body: unknown,
  emails: readonly string[],
  now: number,
): BatchOutcome {
  const error = (typeof body === "object" && body !== null ? body : {}) as HubspotErrorBody;
  const detail = describe(status, error);
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"), now);
  if (status >= 200 && status < 300) {
    const errors = (body as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors) || errors.length === 0) {
      return { kind: "written", failed: new Map() };
    }
    const text = JSON.stringify(errors);
    const failed = named(text, emails, `${status}: ${text}`);
    if (failed.size > 0) return { kind: "written", failed };
    // An upsert is safe to repeat, so errors tied to no contact send the whole batch again.
    return {
      kind: "all",
      result: retry(`HubSpot reported errors for no named contact: ${text}`, undefined),
    };
  }
  if (status === 401 || status === 403) {
    return { kind: "all", result: final(`HubSpot refused the request (${detail}): ${AUTH_HINT}`) };
  }
  if (status === 429) {
    const pauseMs = retryAfterMs ?? rateLimitPause(headers, error.policyName);
    const policy = typeof error.policyName === "string" ? ` ${error.policyName}` : "";
    const result = retry(`HubSpot's${policy} rate limit answered 429`, pauseMs);
    return { kind: "all", result, pauseMs };
  }
  if (status === 423) {
    return { kind: "all", result: retry(`HubSpot answered ${detail}`, LOCKED_PAUSE_MS) };
  }
  if (status === 408 || status === 477 || status >= 500) {
    return {
      kind: "all",
      result: retry(`HubSpot answered ${detail}, a passing failure`, retryAfterMs),
    };
  }
  if (status === 400) {
    const failed = named(JSON.stringify(body ?? ""), emails, detail);
    if (failed.size > 0 && failed.size < emails.length) return { kind: "refused_some", failed };
  }
  const hint = /PROPERTY_DOESNT_EXIST/.test(detail)
    ? ": create the property in HubSpot (Settings → Properties) or leave it out of the sink's properties mapping"
    : "";
  return { kind: "all", result: final(`HubSpot refused the batch (${detail})${hint}`) };
}

/** A network failure or timeout: nothing is known to be written, so all of it goes again. */
export function unreachable(reason: string): BatchOutcome {
  return { kind: "all", result: retry(`could not reach HubSpot (${reason})`, undefined) };
}

/** Without Retry-After: a day's limit waits a while, the rolling window waits one window. */
function rateLimitPause(headers: Headers, policyName: unknown): number {
  if (policyName === "DAILY") return DAILY_LIMIT_PAUSE_MS;
  const intervalMs = Number(headers.get("x-hubspot-ratelimit-interval-milliseconds"));
  return Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : DEFAULT_WINDOW_MS;
}

function named(text: string, emails: readonly string[], detail: string): Map<string, SinkResult> {
  const lower = text.toLowerCase();
  const failed = new Map<string, SinkResult>();
  for (const email of emails) {
    if (mentions(lower, email)) failed.set(email, final(`HubSpot refused the contact (${detail})`));
  }
  return failed;
}

/** Whether `email` appears in `text` as a whole address, not as part of a longer one. */
function mentions(text: string, email: string): boolean {
  const part = /[a-z0-9._%+@-]/;
  for (let at = text.indexOf(email); at !== -1; at = text.indexOf(email, at + 1)) {
    const before = text[at - 1];
    const after = text[at + email.length];
    if (
      (before === undefined || !part.test(before)) &&
      (after === undefined || !part.test(after))
    ) {
      return true;
    }
  }
  return false;
}

/** "400 VALIDATION_ERROR: message", from a HubSpot error body (any other body gives the status alone). */
export function describeHubspotError(status: number, body: unknown): string {
  return describe(
    status,
    (typeof body === "object" && body !== null ? body : {}) as HubspotErrorBody,
  );
}

function describe(status: number, error: HubspotErrorBody): string {
  const category = typeof error.category === "string" ? ` ${error.category}` : "";
  const message = typeof error.message === "string" ? `: ${error.message}` : "";
  return `${status}${category}${message}`;
}

function final(reason: string): SinkResult {
  return { ok: false, retryable: false, reason };
}

function retry(reason: string, retryAfterMs: number | undefined): SinkResult {
  return retryAfterMs === undefined
    ? { ok: false, retryable: true, reason }
    : { ok: false, retryable: true, reason, retryAfterMs };
}
