/** Reading a CRM field's source value from an enriched row, however its columns were named. */
import { normalizeFieldName } from "../core/lead.js";

/** A row field by its exact name, else by its normalized name ("Job Title" finds job_title). */
export function rowValue(row: Record<string, unknown>, field: string): unknown {
  if (field in row) return row[field];
  const wanted = normalizeFieldName(field);
  for (const [key, value] of Object.entries(row)) {
    if (normalizeFieldName(key) === wanted) return value;
  }
  return undefined;
}
