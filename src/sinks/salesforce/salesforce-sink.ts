/**
 * The Salesforce sink: enriched leads become records (Lead by default) through
 * the REST API's sObject Collections upsert, 200 records a request, matched on
 * an External ID field that holds the lead's identity, so a replay or a second
 * lead of the same person updates the record instead of adding one. allOrNone is
 * false: one bad record never holds back the others. The sink never retries by
 * itself: each result says whether trying again can help, for the delivery loop.
 */

import type { z } from "zod";
import type { salesforceSinkSchema } from "../../config/sink-schema.js";
import { type Clock, systemClock } from "../../core/clock.js";
import { ClaypipeError } from "../../core/errors.js";
import { trimEndChar } from "../../core/text-scan.js";
import { type Logger, silentLogger } from "../../logging/create-logger.js";
import { describeNetworkError } from "../../net/network-error.js";
import { readResponseBody } from "../read-response-body.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import { classifyAnswer, unreachable } from "./salesforce-answer.js";
import {
  DEFAULT_LEAD_FIELDS,
  type SalesforceRecord,
  salesforceFieldMapping,
  toSalesforceRecord,
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

/** One record to upsert, and the sink records (same person) it stands for. */
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
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const target = { object: config.object, externalIdField: config.externalIdField, mapping };
  const url = [
    trimEndChar(config.instanceUrl, "/"),
    "services/data",
    encodeURIComponent(config.apiVersion),
    "composite/sobjects",
    encodeURIComponent(config.object),
    encodeURIComponent(config.externalIdField),
  ].join("/");

  const upsert = async (batch: PendingRecord[], signal: AbortSignal): Promise<SinkResult[]> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetchImpl(url, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${config.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ allOrNone: false, records: batch.map((pending) => pending.record) }),
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
      const failed = results.filter((result) => !result.ok).length;
      if (failed > 0) {
        // Reasons can quote field values, so the log keeps to counts and the status.
        logger.warn(
          { sink: config.name, status: response.status, records: batch.length, failed },
          "Salesforce did not take every record of a batch",
        );
      }
      return results;
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const reason = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : describeNetworkError(thrown);
      logger.warn(
        { sink: config.name, records: batch.length, reason },
        "Salesforce could not be reached",
      );
      return unreachable(reason, batch.length);
    }
  };

  return {
    name: config.name,
    maxBatch: MAX_BATCH,
    async deliver(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
      signal.throwIfAborted();
      // Salesforce refuses one external id twice in a request; the later record's values win.
      const byIdentity = new Map<string, PendingRecord>();
      records.forEach((record, index) => {
        const key = record.identityKey.toLowerCase();
        const sobject = toSalesforceRecord(record, target);
        const same = byIdentity.get(key);
        if (same) {
          Object.assign(same.record, sobject);
          same.indexes.push(index);
        } else byIdentity.set(key, { record: sobject, indexes: [index] });
      });
      const pending = [...byIdentity.values()];
      const results: SinkResult[] = new Array(records.length);
      for (let start = 0; start < pending.length; start += MAX_BATCH) {
        const batch = pending.slice(start, start + MAX_BATCH);
        const answers = await upsert(batch, signal);
        batch.forEach((item, position) => {
          for (const index of item.indexes) results[index] = answers[position]!;
        });
      }
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
