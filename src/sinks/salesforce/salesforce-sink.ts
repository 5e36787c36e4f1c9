/**
 * The Salesforce sink: enriched leads become records (Lead by default) through
 * the REST API's sObject Collections upsert, 200 records a request, matched on
 * an External ID field that holds the lead's identity, so a replay or a second
 * lead of the same person updates the record instead of adding one. allOrNone is
 * false: one bad record never holds back the others. A lead that came from a
 * Salesforce record (`salesforce_id`) updates that record by id instead, through
 * the sObject Collections update; if Salesforce no longer has it
 * (ENTITY_IS_DELETED, NOT_FOUND) the lead is upserted. The sink never retries by
 * itself: each result says whether trying again can help, for the delivery loop.
 */

import type { z } from "zod";
import type { salesforceSinkSchema } from "../../config/sink-schema.js";
import { type Clock, systemClock } from "../../core/clock.js";
import { ClaypipeError } from "../../core/errors.js";
import { trimEndChar } from "../../core/text-scan.js";
import { type Logger, silentLogger } from "../../logging/create-logger.js";
import { describeNetworkError } from "../../net/network-error.js";
import { crmRecordId } from "../crm-record-ids.js";
import { readResponseBody } from "../read-response-body.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import { classifyAnswer, missingRecords, unreachable } from "./salesforce-answer.js";
import {
  DEFAULT_LEAD_FIELDS,
  type SalesforceRecord,
  salesforceFieldMapping,
  toSalesforceRecord,
  toSalesforceUpdate,
} from "./salesforce-record-fields.js";

export type SalesforceSinkConfig = z.output<typeof salesforceSinkSchema>;

export interface SalesforceSinkOptions {
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** Used to read Retry-After given as a date. @defaultValue systemClock */
  clock?: Clock;
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** Time allowed for one request, answer included. @defaultValue 60000 */
  requestTimeoutMs?: number;
}

/** Salesforce's limit of records per sObject Collections request. */
const MAX_BATCH = 200;

/** One record to send, and the sink records (same person or same id) it stands for. */
interface PendingRecord {
  record: SalesforceRecord;
  indexes: number[];
}

export function createSalesforceSink(
  config: SalesforceSinkConfig,
  options: SalesforceSinkOptions = {},
): Sink {
  const mapping = salesforceFieldMapping(config.fields) ?? defaultMapping(config.object);
  const fetchImpl = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const target = { object: config.object, externalIdField: config.externalIdField, mapping };
  const instance = [
    trimEndChar(config.instanceUrl, "/"),
    "services/data",
    encodeURIComponent(config.apiVersion),
    "composite/sobjects",
  ].join("/");
  const upsertUrl = [
    instance,
    encodeURIComponent(config.object),
    encodeURIComponent(config.externalIdField),
  ].join("/");

  /** One sObject Collections request: a result per record, and which records are gone (updates). */
  const send = async (
    url: string,
    batch: SalesforceRecord[],
    signal: AbortSignal,
  ): Promise<{ results: SinkResult[]; missing: boolean[] }> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetchImpl(url, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${config.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ allOrNone: false, records: batch }),
        signal: AbortSignal.any([signal, timeout]),
      });
      const body = await readResponseBody(response);
      const results = classifyAnswer(
        response.status,
        response.headers,
        body,
        batch.length,
        clock.now(),
      );
      const missing = missingRecords(response.status, body, batch.length);
      const failed = results.filter((result, index) => !result.ok && !missing[index]).length;
      if (failed > 0) {
        // Reasons can quote field values, so the log keeps to counts and the status.
        logger.warn(
          { sink: config.name, status: response.status, records: batch.length, failed },
          "Salesforce did not take every record of a batch",
        );
      }
      return { results, missing };
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const reason = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : describeNetworkError(thrown);
      logger.warn(
        { sink: config.name, records: batch.length, reason },
        "Salesforce could not be reached",
      );
      return { results: unreachable(reason, batch.length), missing: batch.map(() => false) };
    }
  };

  /** Sends the pending records 200 a request; answers the indexes of records that are gone. */
  const sendAll = async (
    url: string,
    pending: PendingRecord[],
    results: SinkResult[],
    signal: AbortSignal,
  ): Promise<number[]> => {
    const gone: number[] = [];
    for (let start = 0; start < pending.length; start += MAX_BATCH) {
      const batch = pending.slice(start, start + MAX_BATCH);
      const answer = await send(
        url,
        batch.map((item) => item.record),
        signal,
      );
      batch.forEach((item, position) => {
        if (answer.missing[position]) gone.push(...item.indexes);
        else for (const index of item.indexes) results[index] = answer.results[position]!;
      });
    }
    return gone;
  };

  return {
    name: config.name,
    maxBatch: MAX_BATCH,
    async deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
      signal.throwIfAborted();
      const results: SinkResult[] = new Array(records.length);
      // A lead from a Salesforce record updates that record by id; Salesforce refuses one id
      // twice in a request, and one external id twice, so the later record's values win.
      const byId = new Map<string, PendingRecord>();
      const byIdentity = new Map<string, PendingRecord>();
      const merge = (
        into: Map<string, PendingRecord>,
        key: string,
        index: number,
        sobject: SalesforceRecord,
      ) => {
        const same = into.get(key);
        if (same) {
          Object.assign(same.record, sobject);
          same.indexes.push(index);
        } else into.set(key, { record: sobject, indexes: [index] });
      };
      const upsertLater: number[] = [];
      records.forEach((record, index) => {
        const id = crmRecordId(record, "salesforce");
        if (id === undefined) upsertLater.push(index);
        else merge(byId, id, index, toSalesforceUpdate(record, target, id));
      });
      const gone = await sendAll(instance, [...byId.values()], results, signal);
      if (gone.length > 0) {
        logger.debug(
          { sink: config.name, records: gone.length },
          "Salesforce no longer has some records leads came from; those are upserted by external id instead",
        );
      }
      for (const index of [...upsertLater, ...gone].sort((a, b) => a - b)) {
        const record = records[index]!;
        merge(
          byIdentity,
          record.identityKey.toLowerCase(),
          index,
          toSalesforceRecord(record, target),
        );
      }
      await sendAll(upsertUrl, [...byIdentity.values()], results, signal);
      return results;
    },
    // Nothing is held between deliveries: no connection pool or timer of its own.
    close: async () => {},
  };
}

function defaultMapping(object: string) {
  if (object === "Lead") return DEFAULT_LEAD_FIELDS;
  throw new ClaypipeError(
    "config_invalid",
    `The Salesforce sink has no default field mapping for ${object}, only for Lead`,
    { hint: `set the sink's fields: ${object} field name → enriched row field` },
  );
}
