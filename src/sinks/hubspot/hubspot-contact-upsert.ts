/**
 * Upserting enriched leads as HubSpot contacts through the CRM v3 batch
 * upsert, matched by email, so a replay updates the contact it created before:
 * 100 contacts a request, each request through the sink's rate window. The
 * HubSpot sink is this alone; the list sink upserts this way first, then adds
 * the contacts' ids to its list. It answers each record, and the id of the
 * contact each written record is now.
 */
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../logging/create-logger.js";
import { describeNetworkError } from "../../net/network-error.js";
import { readResponseBody } from "../read-response-body.js";
import type { SinkRecord, SinkResult } from "../sink.js";
import { type BatchOutcome, classifyAnswer, unreachable } from "./hubspot-answer.js";
import { type HubspotPropertyMapping, toContactInput } from "./hubspot-contact-properties.js";
import type { HubspotRequestWindow } from "./hubspot-request-window.js";

/** HubSpot's limit of inputs per batch request. */
export const MAX_CONTACT_BATCH = 100;

export interface ContactUpsertOptions {
  /** The sink's name, for its log lines. */
  sinkName: string;
  accessToken: string;
  /** HubSpot's API root, without a trailing slash. */
  baseUrl: string;
  mapping: HubspotPropertyMapping;
  requestWindow: HubspotRequestWindow;
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  requestTimeoutMs: number;
}

export interface UpsertedRecords {
  /** One per record, in order. */
  results: SinkResult[];
  /** The contact's record id, for each record HubSpot wrote (when its answer named it). */
  contactIds: Array<string | undefined>;
}

const OK: SinkResult = { ok: true };
const NO_EMAIL: SinkResult = {
  ok: false,
  retryable: false,
  reason: "no email to upsert a HubSpot contact by (the row has neither work_email nor email)",
};

/** One contact to upsert, and the records (same email) it stands for. */
interface PendingContact {
  email: string;
  properties: Record<string, string>;
  indexes: number[];
}

type Upsert = (records: SinkRecord[], signal: AbortSignal) => Promise<UpsertedRecords>;

export function createContactUpsert(options: ContactUpsertOptions): Upsert {
  const { clock, logger, requestWindow, requestTimeoutMs: timeoutMs } = options;
  const url = `${options.baseUrl}/crm/v3/objects/contacts/batch/upsert`;

  const upsert = async (
    batch: PendingContact[],
    ids: Map<string, string>,
    signal: AbortSignal,
  ): Promise<BatchOutcome> => {
    const release = await requestWindow.acquire(signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    let outcome: BatchOutcome;
    let status: number | undefined;
    try {
      const response = await options.fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          inputs: batch.map(({ email, properties }) => ({
            idProperty: "email",
            id: email,
            properties,
          })),
        }),
        signal: AbortSignal.any([signal, timeout]),
      });
      status = response.status;
      const body = await readResponseBody(response);
      const emails = batch.map((contact) => contact.email);
      outcome = classifyAnswer(response.status, response.headers, body, emails, clock.now());
      if (outcome.kind === "written") collectIds(body, ids);
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      outcome = unreachable(
        timeout.aborted ? `no answer within ${timeoutMs} ms` : describeNetworkError(thrown),
      );
    } finally {
      release();
    }
    if (outcome.kind === "all" && outcome.pauseMs !== undefined) {
      requestWindow.pause(outcome.pauseMs);
    }
    if (outcome.kind !== "written" || outcome.failed.size > 0) {
      // Reasons can quote emails, so the log keeps to counts and codes.
      logger.warn(
        { sink: options.sinkName, status, contacts: batch.length },
        "HubSpot did not take every contact of a batch",
      );
    }
    return outcome;
  };

  const sendBatch = async (
    contacts: PendingContact[],
    results: SinkResult[],
    ids: Map<string, string>,
    signal: AbortSignal,
  ): Promise<void> => {
    const settle = (contact: PendingContact, result: SinkResult) => {
      for (const index of contact.indexes) results[index] = result;
    };
    let batch = contacts;
    // Each round that is refused names at least one contact and drops it, so this ends.
    while (batch.length > 0) {
      const outcome = await upsert(batch, ids, signal);
      if (outcome.kind === "all") {
        for (const contact of batch) settle(contact, outcome.result);
        return;
      }
      for (const contact of batch) {
        const failure = outcome.failed.get(contact.email);
        if (failure) settle(contact, failure);
        else if (outcome.kind === "written") settle(contact, OK);
      }
      if (outcome.kind === "written") return;
      batch = batch.filter((contact) => !outcome.failed.has(contact.email));
    }
  };

  return async (records, signal) => {
    signal.throwIfAborted();
    const results: SinkResult[] = records.map(() => NO_EMAIL);
    const emailOf: Array<string | undefined> = records.map(() => undefined);
    // HubSpot refuses a batch that names one email twice; the later record's values win.
    const byEmail = new Map<string, PendingContact>();
    records.forEach((record, index) => {
      const input = toContactInput(record, options.mapping);
      if (!input) return;
      emailOf[index] = input.email;
      const same = byEmail.get(input.email);
      if (same) {
        Object.assign(same.properties, input.properties);
        same.indexes.push(index);
      } else byEmail.set(input.email, { ...input, indexes: [index] });
    });
    const contacts = [...byEmail.values()];
    const ids = new Map<string, string>();
    for (let start = 0; start < contacts.length; start += MAX_CONTACT_BATCH) {
      await sendBatch(contacts.slice(start, start + MAX_CONTACT_BATCH), results, ids, signal);
    }
    const contactIds = records.map((_, index) => {
      const email = emailOf[index];
      return results[index]?.ok && email !== undefined ? ids.get(email) : undefined;
    });
    return { results, contactIds };
  };
}

/** The record id of each contact a batch answer lists, by its (lowercase) email. */
function collectIds(body: unknown, ids: Map<string, string>): void {
  const listed = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(listed)) return;
  for (const contact of listed as Array<{ id?: unknown; properties?: { email?: unknown } }>) {
    const email = contact?.properties?.email;
    if (typeof contact?.id === "string" && typeof email === "string") {
      ids.set(email.toLowerCase(), contact.id);
    }
  }
}
