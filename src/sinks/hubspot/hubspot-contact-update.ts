/**
 * Updating the HubSpot contacts leads came from, by record id, through the CRM
 * v3 batch update: 100 contacts a request, each request through the sink's rate
 * window. A contact HubSpot no longer has (OBJECT_NOT_FOUND, in a 207 answer's
 * errors or a 404) comes back as "missing", for the caller to upsert by email
 * instead. The email is not written: the contact keeps the address it has, and
 * an enriched work email never clashes with another contact's.
 */
import { describeNetworkError } from "../../net/network-error.js";
import { readResponseBody } from "../read-response-body.js";
import type { SinkRecord, SinkResult } from "../sink.js";
import { classifyAnswer } from "./hubspot-answer.js";
import { contactProperties } from "./hubspot-contact-properties.js";
import type { ContactUpsertOptions } from "./hubspot-contact-upsert.js";

/** HubSpot's limit of inputs per batch request. */
const MAX_UPDATE_BATCH = 100;

/** The answer for one record: a result, or "missing" when HubSpot has no contact under its id. */
export type UpdateAnswer = SinkResult | "missing";

type Update = (
  records: ReadonlyArray<{ record: SinkRecord; contactId: string }>,
  signal: AbortSignal,
) => Promise<UpdateAnswer[]>;

/** One contact to update, and the records (same id) it stands for. */
interface PendingUpdate {
  id: string;
  properties: Record<string, string>;
  indexes: number[];
}

type UpdateOutcome =
  | { kind: "all"; result: SinkResult; pauseMs?: number }
  /** Written, except the contacts named missing or failed; `unnamed` is an error that named none. */
  | { kind: "written"; missing: Set<string>; failed: Map<string, SinkResult>; unnamed?: string }
  /** A 404: nothing written; the contacts it names (maybe none) do not exist. */
  | { kind: "not_found"; missing: Set<string> };

interface HubspotBatchError {
  category?: unknown;
  message?: unknown;
  context?: { ids?: unknown };
}

const OK: SinkResult = { ok: true };

export function createContactUpdate(options: ContactUpsertOptions): Update {
  const { clock, logger, requestWindow, requestTimeoutMs: timeoutMs } = options;
  const url = `${options.baseUrl}/crm/v3/objects/contacts/batch/update`;

  const post = async (batch: PendingUpdate[], signal: AbortSignal): Promise<UpdateOutcome> => {
    const release = await requestWindow.acquire(signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await options.fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          inputs: batch.map(({ id, properties }) => ({ id, properties })),
        }),
        signal: AbortSignal.any([signal, timeout]),
      });
      const body = await readResponseBody(response);
      return classifyUpdate(response.status, response.headers, body, clock.now());
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const reason = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : describeNetworkError(thrown);
      return { kind: "all", result: retry(`could not reach HubSpot (${reason})`) };
    } finally {
      release();
    }
  };

  const sendBatch = async (
    contacts: PendingUpdate[],
    answers: UpdateAnswer[],
    signal: AbortSignal,
  ): Promise<void> => {
    const settle = (contact: PendingUpdate, answer: UpdateAnswer) => {
      for (const index of contact.indexes) answers[index] = answer;
    };
    // A 404 that names no contact is asked again one contact a request, so it ends.
    const queue: PendingUpdate[][] = [contacts];
    for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
      const outcome = await post(batch, signal);
      if (outcome.kind === "all") {
        if (outcome.pauseMs !== undefined) requestWindow.pause(outcome.pauseMs);
        for (const contact of batch) settle(contact, outcome.result);
      } else if (outcome.kind === "written") {
        for (const contact of batch) {
          if (outcome.missing.has(contact.id)) settle(contact, "missing");
          else settle(contact, outcome.failed.get(contact.id) ?? unnamedResult(outcome.unnamed));
        }
      } else if (outcome.missing.size > 0) {
        const rest = batch.filter((contact) => !outcome.missing.has(contact.id));
        for (const contact of batch)
          if (outcome.missing.has(contact.id)) settle(contact, "missing");
        if (rest.length > 0) queue.push(rest);
      } else if (batch.length === 1) {
        settle(batch[0]!, "missing");
      } else {
        for (const contact of batch) queue.push([contact]);
      }
    }
    const failed = contacts.filter((contact) => {
      const answer = answers[contact.indexes[0]!];
      return answer !== "missing" && !answer?.ok;
    }).length;
    if (failed > 0) {
      // Reasons can quote property values, so the log keeps to counts.
      logger.warn(
        { sink: options.sinkName, contacts: contacts.length, failed },
        "HubSpot did not update every contact of a batch",
      );
    }
  };

  return async (records, signal) => {
    signal.throwIfAborted();
    const answers: UpdateAnswer[] = records.map(() => "missing");
    // HubSpot refuses a batch that names one id twice; the later record's values win.
    const byId = new Map<string, PendingUpdate>();
    records.forEach(({ record, contactId }, index) => {
      const { email: _matchedByIdNotEmail, ...properties } = contactProperties(
        record,
        options.mapping,
      );
      const same = byId.get(contactId);
      if (same) {
        Object.assign(same.properties, properties);
        same.indexes.push(index);
      } else byId.set(contactId, { id: contactId, properties, indexes: [index] });
    });
    const contacts = [...byId.values()];
    for (let start = 0; start < contacts.length; start += MAX_UPDATE_BATCH) {
      await sendBatch(contacts.slice(start, start + MAX_UPDATE_BATCH), answers, signal);
    }
    const missing = contacts.filter((contact) => answers[contact.indexes[0]!] === "missing");
    if (missing.length > 0) {
      logger.debug(
        { sink: options.sinkName, contacts: missing.length },
        "HubSpot has no contact under some record ids; those are upserted by email instead",
      );
    }
    return answers;
  };
}

function classifyUpdate(
  status: number,
  headers: Headers,
  body: unknown,
  now: number,
): UpdateOutcome {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const listed = (Array.isArray(errors) ? errors : []) as HubspotBatchError[];
  if (status >= 200 && status < 300) {
    const missing = new Set<string>();
    const failed = new Map<string, SinkResult>();
    let unnamed: string | undefined;
    for (const error of listed) {
      const ids = contextIds(error);
      if (ids.length === 0) unnamed = describeError(error);
      for (const id of ids) {
        if (error.category === "OBJECT_NOT_FOUND") missing.add(id);
        else failed.set(id, final(`HubSpot refused the contact update (${describeError(error)})`));
      }
    }
    return unnamed === undefined
      ? { kind: "written", missing, failed }
      : { kind: "written", missing, failed, unnamed };
  }
  if (status === 404) {
    const single = body as HubspotBatchError | null;
    const ids = [...contextIds(single ?? {}), ...listed.flatMap(contextIds)];
    return { kind: "not_found", missing: new Set(ids) };
  }
  const outcome = classifyAnswer(status, headers, body, [], now);
  if (outcome.kind === "all") return outcome;
  // With no emails to look for, an answer names no contact: it holds for the batch.
  return { kind: "all", result: retry(`HubSpot answered ${status}`) };
}

function contextIds(error: HubspotBatchError): string[] {
  const ids = error?.context?.ids;
  return Array.isArray(ids) ? ids.map(String) : [];
}

function describeError(error: HubspotBatchError): string {
  const category = typeof error.category === "string" ? error.category : "ERROR";
  return typeof error.message === "string" ? `${category}: ${error.message}` : category;
}

// An update is safe to repeat, so an error that names no contact sends those contacts again.
function unnamedResult(unnamed: string | undefined): SinkResult {
  return unnamed === undefined
    ? OK
    : retry(`HubSpot reported an error for no named contact: ${unnamed}`);
}

function final(reason: string): SinkResult {
  return { ok: false, retryable: false, reason };
}

function retry(reason: string): SinkResult {
  return { ok: false, retryable: true, reason };
}
