/**
 * The embedded transport's step (standard tier): claims due leads from the
 * store's outbox and runs the pipeline's send handler on each, a few at once.
 */
import type { Clock } from "../../core/clock.js";
import type { LeadStore } from "../../store/lead-store.js";
import type { SendHandler } from "../transport.js";

export interface SendStepOptions {
  leads: LeadStore;
  clock: Clock;
  /** Sends at once. */
  concurrency: number;
  /** Leads claimed per pass. @defaultValue 4 × concurrency */
  batch?: number;
}

/** One pass: claims due leads and sends them; resolves with how many it handled. */
export function createSendStep(
  handler: SendHandler,
  options: SendStepOptions,
): (signal: AbortSignal) => Promise<number> {
  const { leads: store, clock, concurrency } = options;
  const batch = options.batch ?? concurrency * 4;

  return async (signal) => {
    const leads = await store.claimDue(batch, clock.now());
    let next = 0;
    const worker = async () => {
      while (next < leads.length && !signal.aborted) await handler.send(leads[next++]!, signal);
    };
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, leads.length) }, worker),
    );
    // Claimed but never started: back to the outbox as they were. (A send cut off
    // mid-way stays `sending`: whether Clay got the row is unknown, so the
    // recovery policy decides at the next start.)
    for (const lead of leads.slice(next)) {
      await store.transition(
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
