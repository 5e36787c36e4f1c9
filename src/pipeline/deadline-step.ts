/**
 * The callback deadline sweep: a lead awaiting its callback past the deadline
 * is not forgotten. In order: reconcile (ask Clay's public API for the lead's
 * row, where the workspace has one and the table an id; a finished row goes
 * into the inbox exactly as its callback would have; a busy Clay means a look
 * again later), else send once more if the config allows and it was sent only
 * once, else the DLQ: `no_callback` when reconciling found nothing or is not
 * configured, `reconcile_failed` when it could not look (see reconcile-lead.ts).
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { StoredLead } from "../store/lead-store.js";
import { deadLetterLead } from "./dead-letter-lead.js";
import type { PipelineContext } from "./pipeline-context.js";
import { createReconciler, type ReconcilerOptions } from "./reconcile-lead.js";

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
  /** How reconciling waits for a Clay that does not answer (see ReconcilerOptions). */
  reconcile?: ReconcilerOptions;
}

export function createDeadlineStep(
  ctx: DeadlineStepContext,
  options: DeadlineStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const { config, store, clock, logger } = ctx;
  const batch = options.batch ?? 100;
  const graceMs = options.reconcileGraceMs ?? 60_000;
  const retryOnce = config.callbacks?.retryOnce ?? false;
  const reconcile = createReconciler(ctx, options.reconcile);

  const handle = async (lead: StoredLead, signal: AbortSignal): Promise<void> => {
    const outcome = await reconcile(lead, signal);
    const now = clock.now();
    if (outcome.kind === "found") {
      const { row } = outcome;
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
    if (outcome.kind === "later") {
      await store.leads.transition(
        lead.id,
        "awaiting_callback",
        "awaiting_callback",
        {
          callbackDeadline: outcome.until,
          reason: `no callback by the deadline; ${outcome.detail}`,
        },
        now,
      );
      return;
    }
    const failed = outcome.kind === "failed";
    if (resendsOnce(config, lead)) {
      await store.leads.transition(
        lead.id,
        "awaiting_callback",
        "retrying",
        {
          availableAt: now,
          callbackDeadline: null,
          reason: failed
            ? `no callback by the deadline and ${outcome.detail}: sending once more`
            : `no callback by the deadline${outcome.why ? ` (${outcome.why})` : ""}: sending once more`,
        },
        now,
      );
      return;
    }
    await deadLetterLead(ctx, lead.id, {
      from: "awaiting_callback",
      reason: failed ? "reconcile_failed" : "no_callback",
      detail: `no callback for send ${lead.attempt} by its deadline${retryOnce ? "" : " (callbacks.retryOnce is off)"}${failed ? `, and ${outcome.detail}` : ""}`,
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

/** Whether the sweep sends an overdue lead once more (callbacks.retryOnce, and it was sent only once). */
export function resendsOnce(config: ClaypipeConfig, lead: Pick<StoredLead, "attempt">): boolean {
  return (config.callbacks?.retryOnce ?? false) && lead.attempt === 1;
}
