/**
 * The embedded transport's send step (standard tier): claims due leads from
 * the store's outbox and takes each to Clay (see lead-send.ts), a few at once.
 */
import type { CreditBudget } from "../../pipeline/credit-budget.js";
import { createLeadSend, type LeadSendContext } from "../../pipeline/lead-send.js";

export interface SendStepOptions {
  budget: CreditBudget;
  /** Leads claimed per pass. @defaultValue 4 × sender.concurrency */
  batch?: number;
}

/** One pass: claims due leads and sends them; resolves with how many it handled. */
export function createSendStep(
  ctx: LeadSendContext,
  options: SendStepOptions,
): (signal: AbortSignal) => Promise<number> {
  const { config, store, clock } = ctx;
  const concurrency = config.sender.concurrency;
  const batch = options.batch ?? concurrency * 4;

  const sendOne = createLeadSend(ctx, options.budget);

  return async (signal) => {
    const leads = await store.leads.claimDue(batch, clock.now());
    let next = 0;
    const worker = async () => {
      while (next < leads.length && !signal.aborted) await sendOne(leads[next++]!, signal);
    };
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, leads.length) }, worker),
    );
    // Claimed but never started: back to the outbox as they were. (A send cut off
    // mid-way stays `sending`: whether Clay got the row is unknown, so the
    // recovery policy decides at the next start.)
    for (const lead of leads.slice(next)) {
      await store.leads.transition(
        lead.id,
        "sending",
        "queued",
        {
          availableAt: lead.availableAt,
          reason: "stopping before it was sent: back to the outbox",
        },
        clock.now(),
      );
    }
    const failure = settled.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
    return leads.length;
  };
}
