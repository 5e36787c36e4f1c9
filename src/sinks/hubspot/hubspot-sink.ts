/**
 * The HubSpot sink: enriched leads become contacts through the CRM v3 batch
 * upsert, matched by email, so a replay updates the contact it created before.
 * 100 contacts a request, paced under HubSpot's burst limit (190 requests per
 * 10 s for a private app) so it never provokes a 429. A record without an email
 * fails for good; the sink itself never retries: it says what is retryable, and
 * when, and the delivery loop decides.
 */

import type { z } from "zod";
import type { hubspotSinkSchema } from "../../config/sink-schema.js";
import { type Clock, systemClock } from "../../core/clock.js";
import { trimEndChar } from "../../core/text-scan.js";
import { type Logger, silentLogger } from "../../logging/create-logger.js";
import { describeNetworkError } from "../../net/network-error.js";
import { readResponseBody } from "../read-response-body.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import { type BatchOutcome, classifyAnswer, unreachable } from "./hubspot-answer.js";
import { hubspotPropertyMapping, toContactInput } from "./hubspot-contact-properties.js";
import { HubspotRequestWindow } from "./hubspot-request-window.js";

export type HubspotSinkConfig = z.output<typeof hubspotSinkSchema>;

export interface HubspotSinkOptions {
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** @defaultValue silentLogger */
  logger?: Logger;
  /**
   * The burst limit to stay under. HubSpot counts it per app token and this sink paces only
   * itself: when several sinks or processes share one token, give each its share.
   * @defaultValue { requests: 190, perMs: 10_000 } (a private app on Professional or Enterprise)
   */
  rateLimit?: { requests: number; perMs: number };
  /** Time allowed for one request, answer included. @defaultValue 30000 */
  requestTimeoutMs?: number;
}

/** HubSpot's limit of inputs per batch request. */
const MAX_BATCH = 100;
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

export function createHubspotSink(
  config: HubspotSinkConfig,
  options: HubspotSinkOptions = {},
): Sink {
  const fetchImpl = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const mapping = hubspotPropertyMapping(config.properties);
  const requestWindow = new HubspotRequestWindow({
    ...(options.rateLimit ?? { requests: 190, perMs: 10_000 }),
    clock,
  });
  const url = `${trimEndChar(config.baseUrl, "/")}/crm/v3/objects/contacts/batch/upsert`;

  const upsert = async (batch: PendingContact[], signal: AbortSignal): Promise<BatchOutcome> => {
    const release = await requestWindow.acquire(signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    let outcome: BatchOutcome;
    let status: number | undefined;
    try {
      const response = await fetchImpl(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${config.accessToken}`,
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
        { sink: config.name, status, contacts: batch.length },
        "HubSpot did not take every contact of a batch",
      );
    }
    return outcome;
  };

  const sendBatch = async (
    contacts: PendingContact[],
    results: SinkResult[],
    signal: AbortSignal,
  ): Promise<void> => {
    const settle = (contact: PendingContact, result: SinkResult) => {
      for (const index of contact.indexes) results[index] = result;
    };
    let batch = contacts;
    // Each round that is refused names at least one contact and drops it, so this ends.
    while (batch.length > 0) {
      const outcome = await upsert(batch, signal);
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

  return {
    name: config.name,
    maxBatch: MAX_BATCH,
    async deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
      signal.throwIfAborted();
      const results: SinkResult[] = records.map(() => NO_EMAIL);
      // HubSpot refuses a batch that names one email twice; the later record's values win.
      const byEmail = new Map<string, PendingContact>();
      records.forEach((record, index) => {
        const input = toContactInput(record, mapping);
        if (!input) return;
        const same = byEmail.get(input.email);
        if (same) {
          Object.assign(same.properties, input.properties);
          same.indexes.push(index);
        } else byEmail.set(input.email, { ...input, indexes: [index] });
      });
      const contacts = [...byEmail.values()];
      for (let start = 0; start < contacts.length; start += MAX_BATCH) {
        await sendBatch(contacts.slice(start, start + MAX_BATCH), results, signal);
      }
      return results;
    },
    // Nothing is held between deliveries: no connection pool or timer of its own.
    close: async () => {},
  };
}
