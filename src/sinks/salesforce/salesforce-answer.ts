/**
 * What Salesforce's answer to one sObject Collections upsert means for each
 * record in it. A well-formed request gets 200 and one UpsertResult per record,
 * in order; anything else is about the request as a whole and applies to every
 * record in it.
 */
import { parseRetryAfter } from "../../net/retry-after.js";
import type { SinkResult } from "../sink.js";

interface RecordError {
  statusCode?: unknown;
  message?: unknown;
  fields?: unknown;
}

/** Per-record codes that say "try again", not "this record is wrong". */
const RETRYABLE_RECORD_CODES = new Set(["UNABLE_TO_LOCK_ROW", "ALL_OR_NONE_OPERATION_ROLLED_BACK"]);

const OK: SinkResult = { ok: true };

export function classifyAnswer(
  status: number,
  headers: Headers,
  body: unknown,
  count: number,
  now: number,
): SinkResult[] {
  const all = (result: SinkResult) => Array.from({ length: count }, () => result);
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"), now);
  if (status === 200 && Array.isArray(body) && body.length === count) {
    return body.map((result) => recordResult(result));
  }
  const detail = describe(status, body);
  if (status >= 200 && status < 300) {
    // The upsert is safe to repeat, so an answer that cannot be read sends the batch again.
    return all(retry(`Salesforce answered ${detail} without one result per record`, undefined));
  }
  if (status === 401) {
    return all(
      final(
        `Salesforce refused the session (${detail}): the access token expired or was revoked; get a new OAuth access token for the sink's accessToken (tokens last as long as the org's session timeout)`,
      ),
    );
  }
  if (status === 403 && detail.includes("REQUEST_LIMIT_EXCEEDED")) {
    return all(retry(`Salesforce's API request limit is used up (${detail})`, retryAfterMs));
  }
  if (status === 408 || status === 429 || status >= 500) {
    return all(retry(`Salesforce answered ${detail}, a passing failure`, retryAfterMs));
  }
  return all(final(`Salesforce refused the request (${detail})${hintFor(status, detail)}`));
}

/** Per-record codes of an update by id that say the record is gone: the lead is upserted instead. */
const MISSING_RECORD_CODES = new Set(["ENTITY_IS_DELETED", "NOT_FOUND"]);

/** For an update by id: which records Salesforce no longer has (one flag per record, in order). */
export function missingRecords(status: number, body: unknown, count: number): boolean[] {
  if (status !== 200 || !Array.isArray(body) || body.length !== count) {
    return Array.from({ length: count }, () => false);
  }
  return body.map((result) => {
    const { success, errors } = (result ?? {}) as { success?: unknown; errors?: unknown };
    const list = (Array.isArray(errors) ? errors : []) as RecordError[];
    return (
      success !== true &&
      list.length > 0 &&
      list.every((error) => MISSING_RECORD_CODES.has(String(error.statusCode)))
    );
  });
}

/** A network failure or timeout: nothing is known to be written, so all of it goes again. */
export function unreachable(reason: string, count: number): SinkResult[] {
  return Array.from({ length: count }, () =>
    retry(`could not reach Salesforce (${reason})`, undefined),
  );
}

function recordResult(result: unknown): SinkResult {
  const { success, errors } = (result ?? {}) as { success?: unknown; errors?: unknown };
  if (success === true) return OK;
  const list = (Array.isArray(errors) ? errors : []) as RecordError[];
  const codes = list.map((error) => String(error.statusCode ?? "UNKNOWN"));
  const text = list.map(describeRecordError).join("; ") || "no reason given";
  const reason = `Salesforce refused the record (${text})`;
  return codes.length > 0 && codes.every((code) => RETRYABLE_RECORD_CODES.has(code))
    ? retry(reason, undefined)
    : final(reason);
}

function describeRecordError(error: RecordError): string {
  const fields =
    Array.isArray(error.fields) && error.fields.length > 0 ? ` [${error.fields.join(", ")}]` : "";
  return `${String(error.statusCode ?? "UNKNOWN")}: ${String(error.message ?? "")}${fields}`;
}

/** "401 INVALID_SESSION_ID: Session expired or invalid", from Salesforce's `[{ errorCode, message }]`. */
function describe(status: number, body: unknown): string {
  const errors = (Array.isArray(body) ? body : []) as Array<{
    errorCode?: unknown;
    message?: unknown;
  }>;
  const text = errors
    .map((error) => `${String(error.errorCode ?? "")}: ${String(error.message ?? "")}`)
    .join("; ");
  if (text) return `${status} ${text}`;
  return typeof body === "string" && body.trim() !== ""
    ? `${status}: ${body.trim().slice(0, 200)}`
    : String(status);
}

function hintFor(status: number, detail: string): string {
  if (status === 404) {
    return ": check the sink's instanceUrl, apiVersion (v46.0 or later), object, and externalIdField (an External ID field on that object)";
  }
  if (detail.includes("INVALID_FIELD")) {
    return ": check the sink's fields mapping against the object's fields";
  }
  if (status === 403) return ": give the integration user access to the object and its fields";
  return "";
}

function final(reason: string): SinkResult {
  return { ok: false, retryable: false, reason };
}

function retry(reason: string, retryAfterMs: number | undefined): SinkResult {
  return retryAfterMs === undefined
    ? { ok: false, retryable: true, reason }
    : { ok: false, retryable: true, reason, retryAfterMs };
}
