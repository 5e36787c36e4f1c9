/**
 * Leads deferred by a credit cap resume as soon as their caps have room again
 * — the cap was raised and the process restarted, or credits were given back —
 * not at the cap's next window. At start and every `sender.capacityCheck`,
 * this step moves waiting leads back to the outbox while every cap on them
 * still has room for their cost estimate (credit-room.ts), counting the leads
 * it already moved, so it never releases more than the room allows. The send step reserves again; a lead that still does not fit
 * is deferred once more.
 */
import { creditRoomAt } from "./credit-room.js";
import { currentDestination } from "./lead-destination.js";
import type { PipelineContext } from "./pipeline-context.js";
import { CREDIT_CAP_REASON_PREFIX } from "./wait-reasons.js";

export interface CreditResumeStepOptions {
  /** Leads looked at per source and pass. @defaultValue 500 */
  batch?: number;
}

export function createCreditResumeStep(
  ctx: Pick<PipelineContext, "store" | "clock" | "config" | "logger">,
  options: CreditResumeStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const { store, config } = ctx;
  const batch = options.batch ?? 500;

  return async (signal) => {
    const anyWaiting = await store.leads.list({
      states: ["deferred"],
      reasonPrefix: CREDIT_CAP_REASON_PREFIX,
      limit: 1,
    });
    if (anyWaiting.leads.length === 0) return 0;
    const now = ctx.clock.now();
    const fits = creditRoomAt(ctx, now);
    let moved = 0;
    for (const source of config.sources) {
      signal.throwIfAborted();
      const { leads } = await store.leads.list({
        states: ["deferred"],
        reasonPrefix: CREDIT_CAP_REASON_PREFIX,
        source: source.name,
        limit: batch,
      });
      let resumed = 0;
      for (const lead of leads) {
        const destination = currentDestination(config, lead);
        const room = await fits({ workspace: destination.workspace, source: lead.source });
        if (!room.taken) continue;
        const ok = await store.leads.transition(
          lead.id,
          "deferred",
          "queued",
          {
            availableAt: now,
            ...destination,
            reason: "credit caps have room again",
          },
          now,
        );
        if (ok) resumed += 1;
      }
      if (resumed > 0) {
        ctx.logger.info(
          { source: source.name, resumed },
          "leads waiting for a credit cap resume: their caps have room again",
        );
      }
      moved += resumed;
    }
    return moved;
  };
}
