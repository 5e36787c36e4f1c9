/**
 * What of an enriched row leaves claypipe. The row's callback_url is the
 * lead's callback credential, so no sink ever writes it downstream.
 */

const PRIVATE_FIELDS = new Set(["callback_url"]);

/** The row without its private fields. */
export function publicRow(row: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (!PRIVATE_FIELDS.has(key)) result[key] = value;
  }
  return result;
}
