/**
 * One upload to an outreach tool, and what its HTTP answer means for every
 * lead in it: 2xx is read as a tally; 429 pauses the sink until Retry-After;
 * 408 and server errors pass; redirects and other 4xx need a person, and say
 * what to fix.
 * The API key never appears in a reason: the far side may echo the request
 * (Smartlead's key travels in the query string), so every text from it, and
 * every network error, is scrubbed of the key first.
 */
import type { Clock } from "../../core/clock.js";
import { formatDuration } from "../../core/duration.js";
import { describeNetworkError } from "../../net/network-error.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import { readResponseBody } from "../read-response-body.js";
import type { SinkResult } from "../sink.js";
import type { UploadTally } from "./upload-tally.js";

export type UploadAnswer =
  /** The same result for every lead of the upload; `pauseMs`: send nothing for that long. */
  | { kind: "all"; status?: number; result: SinkResult; pauseMs?: number }
  | { kind: "tally"; status: number; tally: UploadTally };

export interface UploadCall {
  /** The tool's name, as reasons say it: "Instantly". */
  tool: string;
  /** The full address, query included. */
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  /** The API key: kept out of every reason. */
  apiKey: string;
  /** What a person should do about a refusal, by status. */
  hints: Readonly<Record<number, string>>;
  /** A 429 without Retry-After pauses this long. */
  pauseWithoutRetryAfterMs: number;
  /** The tally in a 2xx body, or undefined when the body does not read as one. */
  readTally(body: unknown): UploadTally | undefined;
}

const DETAIL_LIMIT = 300;

export async function sendUpload(
  call: UploadCall,
  deps: { fetch: typeof fetch; clock: Clock },
  signal: AbortSignal,
): Promise<UploadAnswer> {
  const scrub = (text: string) => scrubSecret(text, call.apiKey);
  const timeout = AbortSignal.timeout(call.timeoutMs);
  let response: Response;
  let body: unknown;
  try {
    response = await deps.fetch(call.url, {
      method: "POST",
      headers: { ...call.headers, "content-type": "application/json" },
      body: JSON.stringify(call.body),
      // A redirected POST would turn into a GET and lose the upload.
      redirect: "manual",
      signal: AbortSignal.any([signal, timeout]),
    });
    body = await readResponseBody(response);
  } catch (thrown) {
    if (signal.aborted) throw signal.reason;
    const why = timeout.aborted
      ? `no answer within ${formatDuration(call.timeoutMs)}`
      : describeNetworkError(thrown);
    return all(retry(scrub(`could not reach ${call.tool} (${why})`)));
  }
  const { status } = response;
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), deps.clock.now());
  const detail = scrub(describe(status, body));
  if (status >= 200 && status < 300) {
    const tally = call.readTally(body);
    if (tally) return { kind: "tally", status, tally };
    // Adding leads is safe to repeat, so an answer that cannot be read sends them again.
    return all(
      retry(`${call.tool} answered ${detail}, which does not read as an upload summary`),
      status,
    );
  }
  if (status === 429) {
    const pauseMs = retryAfterMs ?? call.pauseWithoutRetryAfterMs;
    const reason = `${call.tool}'s rate limit answered 429; the sink sends nothing for ${formatDuration(pauseMs)} (lower its ratePerSecond if this keeps happening)`;
    return { kind: "all", status, result: retry(reason, pauseMs), pauseMs };
  }
  if (status === 408 || status >= 500) {
    return all(retry(`${call.tool} answered ${detail}, a passing failure`, retryAfterMs), status);
  }
  if (status >= 300 && status < 400) {
    const reason = `${call.tool} answered with a redirect (${status}): set the sink's baseUrl to the address it points to`;
    return all({ ok: false, retryable: false, reason }, status);
  }
  const hint = call.hints[status];
  const reason = `${call.tool} refused the upload (${detail})${hint ? `: ${hint}` : ""}`;
  return all({ ok: false, retryable: false, reason }, status);
}

/** `text` with every occurrence of the key (raw or URL-encoded) replaced. */
export function scrubSecret(text: string, secret: string): string {
  if (secret === "") return text;
  let scrubbed = text;
  for (const form of new Set([secret, encodeURIComponent(secret)])) {
    scrubbed = scrubbed.split(form).join("(api key)");
  }
  return scrubbed;
}

/** "401: Invalid API key", from `{ message }`, `{ error }` or `{ error: { message } }` bodies. */
function describe(status: number, body: unknown): string {
  const record = (value: unknown) =>
    typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const error = record(body).error;
  const message = [record(body).message, record(error).message, error].find(
    (value): value is string => typeof value === "string" && value.trim() !== "",
  );
  const text = message ?? (typeof body === "string" ? body.trim() : "");
  return text === "" ? String(status) : `${status}: ${text.slice(0, DETAIL_LIMIT)}`;
}

function all(result: SinkResult, status?: number): UploadAnswer {
  return status === undefined ? { kind: "all", result } : { kind: "all", status, result };
}

function retry(reason: string, retryAfterMs?: number): SinkResult {
  return retryAfterMs === undefined
    ? { ok: false, retryable: true, reason }
    : { ok: false, retryable: true, reason, retryAfterMs };
}
