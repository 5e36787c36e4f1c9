/**
 * The deferred sweep: a lead deferred by a credit cap or by a table out of
 * capacity goes back to the outbox when its wait is over, to where its source
 * sends today (see lead-destination.ts). The send step checks again; a cap
 * still reached or a table still full defers it once more.
 */
import { currentDestination } from "./lead-destination.js";
import type { PipelineContext } from "./pipeline-context.js";
import { CREDIT_CAP_REASON_PREFIX } from "./wait-reasons.js";

export interface DeferredStepOptions {
  /** Leads moved per pass. @defaultValue 500 */
  batch?: number;
}

export function createDeferredStep(
  ctx: Pick<PipelineContext, "store" | "clock" | "config">,
  options: DeferredStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const batch = options.batch ?? 500;
  return async (signal) => {
    const now = ctx.clock.now();
    const due = await ctx.store.leads.due("deferred", now, batch);
    let moved = 0;
    for (const lead of due) {
      signal.throwIfAborted();
      const destination = currentDestination(ctx.config, lead);
      const moves = destination.table !== lead.table || destination.workspace !== lead.workspace;
      const reason = lead.reason?.startsWith(CREDIT_CAP_REASON_PREFIX)
        ? "budget window reopened"
        : "retry capacity: the wait is over, trying the table again";
      if (
        await ctx.store.leads.transition(
          lead.id,
          "deferred",
          "queued",
          {
            availableAt: now,
            ...destination,
            reason: moves
              ? `${reason}; its source now sends to table "${destination.workspace}/${destination.table}"`
              : reason,
          },
          now,
        )
      ) {
        moved += 1;
      }
    }
    return moved;
  };
}
