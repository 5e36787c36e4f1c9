/**
 * The HubSpot sink: enriched leads become contacts through the CRM v3 batch
 * upsert, matched by email, so a replay updates the contact it created before;
 * a lead that came from a HubSpot contact (`hubspot_contact_id`) updates that
 * contact by id instead (hubspot-contact-write.ts).
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
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import { hubspotPropertyMapping } from "./hubspot-contact-properties.js";
import { MAX_CONTACT_BATCH } from "./hubspot-contact-upsert.js";
import { createContactWrite } from "./hubspot-contact-write.js";
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

/** HubSpot's burst limit for a private app on Professional or Enterprise. */
export const HUBSPOT_RATE_LIMIT = { requests: 190, perMs: 10_000 };

export function createHubspotSink(
  config: HubspotSinkConfig,
  options: HubspotSinkOptions = {},
): Sink {
  const clock = options.clock ?? systemClock;
  const write = createContactWrite({
    sinkName: config.name,
    accessToken: config.accessToken,
    baseUrl: trimEndChar(config.baseUrl, "/"),
    mapping: hubspotPropertyMapping(config.properties),
    requestWindow: new HubspotRequestWindow({
      ...(options.rateLimit ?? HUBSPOT_RATE_LIMIT),
      clock,
    }),
    fetch: options.fetch ?? fetch,
    clock,
    logger: options.logger ?? silentLogger(),
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  });

  return {
    name: config.name,
    maxBatch: MAX_CONTACT_BATCH,
    async deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
      return (await write(records, signal)).results;
    },
    // Nothing is held between deliveries: no connection pool or timer of its own.
    close: async () => {},
  };
}
