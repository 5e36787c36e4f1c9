/**
 * What a table does with records a webhook accepted: count the submissions, drop rows
 * past the row limit without a word, drop newer duplicates (auto-dedupe keeps the
 * oldest), create the rest and start their enrichment.
 */
import type { EmulatorContext } from "./emulator-context.js";
import type { TableState, WebhookState } from "./emulator-state.js";
import { scheduleEnrichment } from "./enrichment-runner.js";

/** Clay's auto-dedupe ignores cells longer than this. */
export const DEDUPE_MAX_CHARS = 200;

export type IntakeResult = { ok: true } | { ok: false; remainingSubmissions: number };

/**
 * Takes every record or none: a request that would pass the webhook's submission limit is
 * refused whole, so the sender can tell exactly which records Clay never saw.
 */
export function intakeRecords(
  context: EmulatorContext,
  webhook: WebhookState,
  records: Array<Record<string, unknown>>,
): IntakeResult {
  const remainingSubmissions = webhook.spec.submissionLimit - webhook.submissions;
  if (records.length > remainingSubmissions) return { ok: false, remainingSubmissions };
  webhook.submissions += records.length;
  const { table } = webhook;
  for (const record of records) {
    if (table.rows.length >= table.spec.rowLimit) {
      table.counters.droppedAtRowLimit++;
      continue;
    }
    const key = dedupeKey(table, record);
    if (key !== undefined) {
      if (table.dedupeIndex.has(key)) {
        table.counters.deduplicated++;
        continue;
      }
      table.dedupeIndex.add(key);
    }
    const row = {
      id: context.state.nextRowId(),
      tableId: table.spec.id,
      createdAt: new Date().toISOString(),
      status: "pending" as const,
      fields: { ...record },
    };
    table.rows.push(row);
    if (table.spec.autoRun) scheduleEnrichment(context, table, row);
  }
  return { ok: true };
}

function dedupeKey(table: TableState, record: Record<string, unknown>): string | undefined {
  const column = table.spec.dedupeColumn;
  if (column === undefined) return undefined;
  const value = record[column];
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    return undefined;
  }
  const text = String(value);
  if (text.trim() === "" || text.length > DEDUPE_MAX_CHARS) return undefined;
  return text;
}
