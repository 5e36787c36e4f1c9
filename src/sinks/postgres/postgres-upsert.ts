/**
 * The SQL of the postgres sink: the table (one row per person, keyed on the
 * identity) and one upsert statement for a whole batch. A result older than
 * the one stored never overwrites it, so a replay cannot roll a person back.
 */
import type { SinkRecord } from "../sink.js";
import { publicRow } from "../sink-row.js";

export function createTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS "${table}" (
  identity_key text PRIMARY KEY,
  claypipe_id text NOT NULL,
  email text,
  source text,
  route text,
  "row" jsonb NOT NULL,
  enriched_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
)`;
}

export function upsertSql(table: string): string {
  return `INSERT INTO "${table}" AS stored
  (identity_key, claypipe_id, email, source, route, "row", enriched_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[])
ON CONFLICT (identity_key) DO UPDATE SET
  claypipe_id = EXCLUDED.claypipe_id,
  email = EXCLUDED.email,
  source = EXCLUDED.source,
  route = EXCLUDED.route,
  "row" = EXCLUDED."row",
  enriched_at = EXCLUDED.enriched_at,
  updated_at = now()
WHERE stored.enriched_at IS NULL
  OR EXCLUDED.enriched_at IS NULL
  OR EXCLUDED.enriched_at >= stored.enriched_at`;
}

/**
 * The seven column arrays for upsertSql. One statement cannot update a row
 * twice, so a person who appears more than once keeps the newest result.
 */
export function upsertParams(records: readonly SinkRecord[]): Array<Array<string | null>> {
  const newest = new Map<string, SinkRecord>();
  for (const record of records) {
    const kept = newest.get(record.identityKey);
    if (!kept || time(record.enrichedAt) >= time(kept.enrichedAt)) {
      newest.set(record.identityKey, record);
    }
  }
  const columns: Array<Array<string | null>> = [[], [], [], [], [], [], []];
  for (const record of newest.values()) {
    const row = publicRow(record.row);
    const email =
      typeof row.email === "string"
        ? row.email
        : record.identityKey.startsWith("email:")
          ? record.identityKey.slice("email:".length)
          : null;
    const values = [
      record.identityKey,
      record.leadId,
      email,
      record.source,
      record.route,
      JSON.stringify(row, withoutNul),
      Number.isNaN(Date.parse(record.enrichedAt)) ? null : record.enrichedAt,
    ];
    values.forEach((value, index) => {
      columns[index]!.push(value === null ? null : value.replaceAll("\u0000", ""));
    });
  }
  return columns;
}

function time(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

// PostgreSQL text and jsonb cannot hold U+0000; drop it rather than lose the record.
function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === "string" ? value.replaceAll("\u0000", "") : value;
}
