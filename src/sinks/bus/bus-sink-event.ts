/**
 * One enriched lead as a bus message: a CloudEvent whose data is the record as
 * the JSONL file sink writes it (claypipe's fields, then the public row), keyed
 * by the person's identity so one person's events stay in order, with an id
 * stable per lead and sink so a redelivery is stored once where the broker
 * dedupes by id (NATS JetStream, within its duplicate window).
 */
import type { OutgoingMessage } from "../../bus/bus.js";
import { DEFAULT_MAX_EVENT_BYTES, encodeCloudEvent } from "../../bus/cloud-event.js";
import type { SinkRecord } from "../sink.js";
import { publicRow, recordFields } from "../sink-row.js";

export interface EventSettings {
  sinkName: string;
  eventSource: string;
  eventType: string;
}

/** What a consumer using claypipe's decoder accepts, so the same bound holds on every broker. */
export const MAX_EVENT_BYTES = DEFAULT_MAX_EVENT_BYTES;

/** The record's message id (and CloudEvents id): the same on every redelivery to this sink. */
export function eventId(record: SinkRecord, sinkName: string): string {
  return `${record.leadId}:${sinkName}`;
}

/** The message, or why this record can never be one (a final failure). */
export function toBusMessage(
  record: SinkRecord,
  settings: EventSettings,
): { message: OutgoingMessage } | { refused: string } {
  const id = eventId(record, settings.sinkName);
  const encoded = encodeCloudEvent({
    id,
    source: settings.eventSource,
    type: settings.eventType,
    time: record.enrichedAt,
    subject: record.leadId,
    data: { ...recordFields(record), ...publicRow(record.row) },
  });
  if (encoded.value.byteLength > MAX_EVENT_BYTES) {
    return {
      refused: `the enriched row makes a ${encoded.value.byteLength}-byte event, over the ${MAX_EVENT_BYTES}-byte bound of bus messages: trim the row's largest fields in the Clay table, or route such leads to another sink`,
    };
  }
  return {
    message: { key: record.identityKey, id, value: encoded.value, headers: encoded.headers },
  };
}
