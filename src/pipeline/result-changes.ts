/**
 * Change detection: when a person comes back from Clay and an earlier result
 * of theirs is stored (a refresh, or a repeat after the dedupe window), the
 * new result carries `changed` — each field whose value differs, with what it
 * was and what it is — so a route can ask `when: changed.company_domain`
 * ("job change") and a sink can carry it. An empty `changed` means the
 * person was compared and nothing changed: such a result only goes to routes
 * that ask for unchanged results.
 */
import type { EnrichedRow } from "../store/store.js";

/** The key the changes travel under in the result. */
export const CHANGED_FIELD = "changed";

export type FieldChange = { from: unknown; to: unknown };

/** Fields that name the row, not the person: every version has its own. */
const ROW_FIELDS = ["claypipe_id", "callback_url", "clay_row_id", CHANGED_FIELD];

/** The result with what changed since `previous`; `ignore` names more fields never compared. */
export function withChanges(
  result: EnrichedRow,
  previous: EnrichedRow,
  ignore: readonly string[] = [],
): EnrichedRow {
  const notCompared = new Set([...ROW_FIELDS, ...ignore]);
  const changed: Record<string, FieldChange> = {};
  const fields = new Set([...Object.keys(previous), ...Object.keys(result)]);
  for (const field of fields) {
    if (notCompared.has(field)) continue;
    const from = previous[field] ?? null;
    const to = result[field] ?? null;
    if (!sameValue(from, to)) changed[field] = { from, to };
  }
  return { ...result, [CHANGED_FIELD]: changed };
}

/** How routing takes a result: `unchanged` when it was compared and nothing changed. */
export function resultOutcome(result: EnrichedRow | null): "enriched" | "unchanged" {
  const changed = result?.[CHANGED_FIELD];
  return isPlainObject(changed) && Object.keys(changed).length === 0 ? "unchanged" : "enriched";
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Clay rows are flat; a nested value (a JSON column) compares by its content.
  return typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
