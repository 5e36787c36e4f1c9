/**
 * Moves a lead to the DLQ with its reason, and undoes what it held: its credit
 * reservation goes back, and the duplicates waiting for it are sent on their own.
 */
import type { DeadReason, LeadState } from "../core/lead-state.js";
import type { LeadPatch } from "../store/lead-store.js";
import type { PipelineContext } from "./pipeline-context.js";
import { releaseDuplicates } from "./release-duplicates.js";

export interface DeadLetterOptions {
  /** The state the caller saw the lead in; nothing happens when it has moved on since. */
  from: LeadState;
  reason: DeadReason;
  /** What happened, in words, for the log (the lead's reason is the stable code). */
  detail: string;
  now: number;
  /** Other fields to change with the move (e.g. the attempt that failed). */
  patch?: Omit<LeadPatch, "reason">;
}

/** False when the lead was no longer in `from` (another worker moved it). */
export async function deadLetterLead(
  ctx: Pick<PipelineContext, "store" | "logger" | "events">,
  leadId: string,
  options: DeadLetterOptions,
): Promise<boolean> {
  const { from, reason, detail, now } = options;
  const moved = await ctx.store.leads.transition(
    leadId,
    from,
    "dead",
    { ...options.patch, reason },
    now,
  );
  if (!moved) return false;
  ctx.logger.warn({ leadId, reason }, `lead went to the DLQ (${reason}): ${detail}`);
  await ctx.store.ledger.release(leadId, now);
  await releaseDuplicates(ctx, leadId, now);
  ctx.events.emit("dead", leadId, reason);
  return true;
}
