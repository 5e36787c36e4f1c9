/**
 * When to try a webhook request again, and how long to wait first. Clay's answers
 * are classified the way production integrations treat them: 429, 408 and
 * server errors are passing, other 4xx are final, each with a reason a person
 * can act on.
 */
import type { WebhookOutcome } from "./webhook-client.js";

export type Classification =
  | { action: "success" }
  | { action: "retry"; rateLimited: boolean; retryAfterMs: number | undefined; reason: string }
  | {
      action: "final";
      httpStatus: number;
      reason: string;
      /**
       * Set when the refusal is of the webhook as configured, not of the row: its
       * URL (404, 410) or its auth token (401, 403). Clay made no row and counted
       * nothing; every row sent to it would fail the same way.
       */
      configError?: "url" | "authToken";
    };

/** Statuses that say the webhook's config is wrong, and which of its settings to fix. */
const CONFIG_ERRORS: Record<number, "url" | "authToken"> = {
  401: "authToken",
  403: "authToken",
  404: "url",
  410: "url",
};

const FINAL_REASONS: Record<number, string> = {
  400: "Clay refused the row as bad JSON (400): this is a claypipe bug if it repeats; report it with the lead id",
  401: "Clay refused the webhook auth token (401): set authToken to the token Clay showed when the source was created",
  403: "the webhook source refuses more submissions (403; its 50,000 lifetime limit?): add a new webhook source to the table's pool",
  404: "no webhook source at that URL (404): copy the URL again from the table's source in Clay",
  410: "the webhook source is gone (410): it was deleted in Clay; add a new webhook source to the table's pool",
  413: "Clay refused the row as too large (413): shorten the lead's largest fields",
};

/** What to do after one webhook request. */
export function classifyOutcome(outcome: WebhookOutcome): Classification {
  if (outcome.kind === "network_error") {
    return {
      action: "retry",
      rateLimited: false,
      retryAfterMs: undefined,
      reason: outcome.timedOut
        ? "Clay did not answer within the request timeout (raise sender.requestTimeout if it keeps happening)"
        : `could not reach Clay (${outcome.reason}): check the network and the webhook host`,
    };
  }
  const { status, retryAfterMs } = outcome;
  if (status >= 200 && status < 300) return { action: "success" };
  if (status === 429) {
    return {
      action: "retry",
      rateLimited: true,
      retryAfterMs,
      reason: "Clay's workspace rate limit answered 429 (too many requests)",
    };
  }
  if (status === 408 || (status >= 500 && status !== 501 && status !== 505)) {
    return {
      action: "retry",
      rateLimited: false,
      retryAfterMs,
      reason: `Clay answered ${status}, a passing failure on its side`,
    };
  }
  const known = FINAL_REASONS[status];
  const configError = CONFIG_ERRORS[status];
  if (known && configError)
    return { action: "final", httpStatus: status, reason: known, configError };
  if (known) return { action: "final", httpStatus: status, reason: known };
  if (status >= 300 && status < 400) {
    return {
      action: "final",
      httpStatus: status,
      reason: `Clay answered with a redirect (${status}): copy the webhook URL again from the table's source in Clay`,
    };
  }
  return {
    action: "final",
    httpStatus: status,
    reason: `Clay refused the row (${status}): check the webhook URL and its auth token`,
  };
}
