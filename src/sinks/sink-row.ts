/**
 * What of an enriched row leaves claypipe. The row's callback_url is the
 * lead's callback credential, so no sink ever writes it downstream. The
 * fields claypipe sets on every record (its id, the identity, source, route,
 * time) come from claypipe only: a row that carries its own under those names
 * (a callback body can hold anything) never overrides or contradicts them.
 */
import type { SinkRecord } from "./sink.js";

const PRIVATE_FIELDS = new Set(["callback_url"]);

/** Fields claypipe sets on every record it passes on, in the order sinks write them. */
export const RECORD_FIELDS = ["claypipe_id", "identity", "source", "route", "enriched_at"] as const;
const RESERVED_FIELDS = new Set<string>([...PRIVATE_FIELDS, ...RECORD_FIELDS]);

/** claypipe's own fields of a record. */
export function recordFields(record: SinkRecord): Record<(typeof RECORD_FIELDS)[number], string> {
  return {
    claypipe_id: record.leadId,
    identity: record.identityKey,
    source: record.source,
    route: record.route,
    enriched_at: record.enrichedAt,
  };
}

/** The row without its private fields and without fields named like claypipe's own. */
export function publicRow(row: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (!RESERVED_FIELDS.has(key)) result[key] = value;
  }
  return result;
}

/** The row as a field mapping reads it: the public row, with claypipe's own fields from claypipe. */
export function mappedRow(record: SinkRecord): Record<string, unknown> {
  return { ...publicRow(record.row), ...recordFields(record) };
}
