/**
 * The HubSpot list sink, for nurture: each enriched lead's contact is upserted
 * by email (as the HubSpot sink does it), then its id is added to a static
 * list through the Lists API v3 (`PUT /crm/v3/lists/{listId}/memberships/add`),
 * one membership request per upsert batch of up to 100. Both requests go
 * through one window under HubSpot's burst limit, and a 429 on either pauses
 * both. A replay is harmless: the upsert finds the contact, and HubSpot
 * ignores an id already in the list, which counts as delivered.
 */
import type { z } from "zod";
import type { hubspotListSinkSchema } from "../../config/sink-schema.js";
import { systemClock } from "../../core/clock.js";
import { trimEndChar } from "../../core/text-scan.js";
import { silentLogger } from "../../logging/create-logger.js";
import { describeNetworkError } from "../../net/network-error.js";
import { hubspotPropertyMapping } from "../hubspot/hubspot-contact-properties.js";
import { MAX_CONTACT_BATCH } from "../hubspot/hubspot-contact-upsert.js";
import { createContactWrite } from "../hubspot/hubspot-contact-write.js";
import { HubspotRequestWindow } from "../hubspot/hubspot-request-window.js";
import { HUBSPOT_RATE_LIMIT, type HubspotSinkOptions } from "../hubspot/hubspot-sink.js";
import { readResponseBody } from "../read-response-body.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import { classifyMembershipAnswer, type MembershipOutcome } from "./hubspot-list-answer.js";

export type HubspotListSinkConfig = z.output<typeof hubspotListSinkSchema>;

const OK: SinkResult = { ok: true };
// A contact just created can take a moment to be seen by the lists service.
const MISSING_PAUSE_MS = 2_000;

export function createHubspotListSink(
  config: HubspotListSinkConfig,
  options: HubspotSinkOptions = {},
): Sink {
  const fetchImpl = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const baseUrl = trimEndChar(config.baseUrl, "/");
  const requestWindow = new HubspotRequestWindow({
    ...(options.rateLimit ?? HUBSPOT_RATE_LIMIT),
    clock,
  });
  const upsert = createContactWrite({
    sinkName: config.name,
    accessToken: config.accessToken,
    baseUrl,
    mapping: hubspotPropertyMapping(config.properties),
    requestWindow,
    fetch: fetchImpl,
    clock,
    logger,
    requestTimeoutMs: timeoutMs,
  });
  const url = `${baseUrl}/crm/v3/lists/${encodeURIComponent(config.listId)}/memberships/add`;

  const addMembers = async (ids: string[], signal: AbortSignal): Promise<MembershipOutcome> => {
    const release = await requestWindow.acquire(signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    let outcome: MembershipOutcome;
    let status: number | undefined;
    try {
      const response = await fetchImpl(url, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${config.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(ids),
        signal: AbortSignal.any([signal, timeout]),
      });
      status = response.status;
      const body = await readResponseBody(response);
      outcome = classifyMembershipAnswer(
        response.status,
        response.headers,
        body,
        config.listId,
        clock.now(),
      );
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const why = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : describeNetworkError(thrown);
      // Adding to a list twice is harmless, so all of it goes again.
      outcome = {
        kind: "all",
        result: { ok: false, retryable: true, reason: `could not reach HubSpot (${why})` },
      };
    } finally {
      release();
    }
    if (outcome.kind === "all" && outcome.pauseMs !== undefined) {
      requestWindow.pause(outcome.pauseMs);
    }
    if (outcome.kind === "all" || outcome.missing.size > 0) {
      logger.warn(
        { sink: config.name, status, contacts: ids.length },
        "HubSpot did not add every contact to the list",
      );
    }
    return outcome;
  };

  return {
    name: config.name,
    maxBatch: MAX_CONTACT_BATCH,
    async deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
      const { results, contactIds } = await upsert(records, signal);
      const ids = new Set<string>();
      results.forEach((result, index) => {
        if (!result.ok) return;
        const id = contactIds[index];
        if (id === undefined) {
          results[index] = {
            ok: false,
            retryable: true,
            reason:
              "HubSpot's upsert answer named no id for the contact, so it was not added to the list",
          };
        } else ids.add(id);
      });
      if (ids.size === 0) return results;
      const outcome = await addMembers([...ids], signal);
      contactIds.forEach((id, index) => {
        if (id === undefined || !results[index]?.ok) return;
        if (outcome.kind === "all") results[index] = outcome.result;
        else if (outcome.missing.has(id)) {
          results[index] = {
            ok: false,
            retryable: true,
            reason: `HubSpot's list ${config.listId} did not find contact ${id} (recordIdsMissing): a contact just created may not be visible to lists yet`,
            retryAfterMs: MISSING_PAUSE_MS,
          };
        } else results[index] = OK;
      });
      return results;
    },
    // Nothing is held between deliveries: no connection pool or timer of its own.
    close: async () => {},
  };
}
