/**
 * The callback deadline sweep: a lead awaiting its callback past the deadline
 * is not forgotten. In order: reconcile (ask Clay's public API for the lead's
 * row, where the workspace has one and the table an id; a finished row goes
 * into the inbox exactly as its callback would have), else send once more if
 * the config allows and it was sent only once, else the DLQ as `no_callback`.
 */
import type { PublicApiRow } from "../clay/public-api-client.js";
import { coerceError } from "../core/errors.js";
import type { StoredLead } from "../store/lead-store.js";
import { deadLetterLead } from "./dead-letter-lead.js";
import type { PipelineContext } from "./pipeline-context.js";

/** Row statuses that mean Clay is done with the row (its callback would have come). */
const FINISHED = new Set(["enriched", "not_found"]);

export type DeadlineStepContext = Pick<
  PipelineContext,
  "config" | "store" | "clock" | "logger" | "events" | "publicApis"
>;

export interface DeadlineStepOptions {
  /** Leads looked at per pass. @defaultValue 100 */
  batch?: number;
  /**
   * After reconciling put a row in the inbox, how long the lead waits for the
   * inbox processor before the sweep looks at it again. @defaultValue 60000
   */
  reconcileGraceMs?: number;
}

export function createDeadlineStep(
  ctx: DeadlineStepContext,
  options: DeadlineStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const { config, store, clock, logger } = ctx;
  const batch = options.batch ?? 100;
  const graceMs = options.reconcileGraceMs ?? 60_000;
  const retryOnce = config.callbacks?.retryOnce ?? false;

  /** The lead's finished row in Clay, when reconciling is configured and Clay has one. */
  const findFinishedRow = async (
    lead: StoredLead,
    signal: AbortSignal,
  ): Promise<PublicApiRow | undefined> => {
    const api = ctx.publicApis.get(lead.workspace);
    const tableId = config.clay.workspaces
      .find((workspace) => workspace.name === lead.workspace)
      ?.tables.find((table) => table.name === lead.table)?.id;
    if (!api || tableId === undefined) return undefined;
    try {
      const page = await api.queryRows(
        tableId,
        { filter: { claypipe_id: lead.id }, limit: 1 },
        signal,
      );
      const row = page.rows[0];
      return row && FINISHED.has(row.status) ? row : undefined;
    } catch (thrown) {
      signal.throwIfAborted();
      // Reconciling is a chance to save a send, not a condition: go on as if nothing was found.
      logger.warn(
        { leadId: lead.id, err: coerceError(thrown) },
        "could not reconcile a lead through Clay's public API",
      );
      return undefined;
    }
  };

  const handle = async (lead: StoredLead, signal: AbortSignal): Promise<void> => {
    const row = await findFinishedRow(lead, signal);
    const now = clock.now();
    if (row) {
      await store.inbox.append([
        {
          leadId: lead.id,
          attempt: lead.attempt,
          body: { ...row.fields, clay_row_id: row.id },
          receivedAt: now,
        },
      ]);
      await store.leads.transition(
        lead.id,
        "awaiting_callback",
        "awaiting_callback",
        {
          callbackDeadline: now + graceMs,
          reason: `no callback by the deadline, but Clay has the row (${row.status}): taken in through the public API`,
        },
        now,
      );
      return;
    }
    if (retryOnce && lead.attempt === 1) {
      await store.leads.transition(
        lead.id,
        "awaiting_callback",
        "retrying",
        {
          availableAt: now,
          callbackDeadline: null,
          reason: "no callback by the deadline: sending once more",
        },
        now,
      );
      return;
    }
    await deadLetterLead(ctx, lead.id, {
      from: "awaiting_callback",
      reason: "no_callback",
      detail: `no callback for send ${lead.attempt} by its deadline${retryOnce ? "" : " (callbacks.retryOnce is off)"}`,
      now,
    });
  };

  return async (signal) => {
    const due = await store.leads.due("awaiting_callback", clock.now(), batch);
    if (due.length > 0)
      logger.info(
        { leads: due.length },
        "callbacks overdue: reconciling, resending or dead-lettering",
      );
    for (const lead of due) {
      signal.throwIfAborted();
      await handle(lead, signal);
    }
    return due.length;
  };
}
