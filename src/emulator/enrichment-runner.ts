/**
 * Runs a row's enrichment after its Clay-time delay: charges the workspace, writes the
 * results into the row (a person enriched before may have changed jobs since) and hands
 * it to the HTTP API column. When the spend would pass a credit limit the row stalls
 * instead, and from then on so does every row of the workspace: Clay stops all
 * credit-consuming work and no callback ever comes.
 */
import { type EmulatorContext, realMs } from "./emulator-context.js";
import type { TableState } from "./emulator-state.js";
import { enrich, enrichmentIdentity } from "./enrichment.js";
import { callbackUrlOf, runHttpApiColumn } from "./http-api-column.js";
import { recordEnrichment } from "./job-changes.js";
import type { EmulatorRow } from "./types.js";

/** Waits a random delay between the table's min and max (Clay time), then enriches the row. */
export function scheduleEnrichment(
  context: EmulatorContext,
  table: TableState,
  row: EmulatorRow,
): void {
  const { minDelayMs, maxDelayMs } = table.spec.enrichment;
  const delayMs = realMs(context, context.random.between(minDelayMs, maxDelayMs));
  context.work.run(async () => {
    if (await context.work.sleep(delayMs)) enrichNow(context, table, row);
  });
}

export function enrichNow(context: EmulatorContext, table: TableState, row: EmulatorRow): void {
  const identity = enrichmentIdentity(row.fields);
  const outcome = enrich(row.fields, table.spec.enrichment.notFoundRate, identity);
  const callbackUrl = callbackUrlOf(table, row);
  const actions = outcome.cost.actions + (callbackUrl ? 1 : 0);
  const { credits, spec } = table.workspace;
  const overLimit =
    credits.actionsUsed + actions > (spec.credits.actions ?? Number.POSITIVE_INFINITY) ||
    credits.dataUsed + outcome.cost.data > (spec.credits.data ?? Number.POSITIVE_INFINITY);
  if (credits.exhausted || overLimit) {
    if (!credits.exhausted) {
      context.logger.warn(
        { workspaceId: spec.id, actionsUsed: credits.actionsUsed, dataUsed: credits.dataUsed },
        "credit limit reached: rows stall and no callbacks come",
      );
    }
    credits.exhausted = true;
    row.status = "stalled_no_credits";
    table.counters.stalled++;
    return;
  }
  credits.actionsUsed += actions;
  credits.dataUsed += outcome.cost.data;
  // Counted only once paid for: a stalled row is no enrichment of the person.
  Object.assign(row.fields, recordEnrichment(table, identity, outcome));
  row.status = outcome.status;
  if (outcome.status === "enriched") table.counters.enriched++;
  else table.counters.notFound++;
  if (callbackUrl) runHttpApiColumn(context, table, row, callbackUrl);
}
