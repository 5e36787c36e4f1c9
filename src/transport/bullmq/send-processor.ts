/**
 * What a worker does with one job: claim its lead and take it to Clay.
 *
 * Each lead has at most one job, and BullMQ gives a job to one worker at a
 * time; so a job whose lead is already `sending` was held by a worker that
 * stopped mid-send (killed, or its lock lapsed). Whether Clay got that row is
 * unknown, and `recovery.sending` decides, as after a crash: send again
 * (at-least-once; Clay's dedupe on claypipe_id absorbs a double) or hold it in
 * the DLQ. A lead in any other state has moved on: the job is done.
 */
import type { Job } from "bullmq";
import { deadLetterLead } from "../../pipeline/dead-letter-lead.js";
import type { LeadSend, LeadSendContext } from "../../pipeline/lead-send.js";
import type { StoredLead } from "../../store/lead-store.js";
import type { SendJobData } from "./queue-names.js";

/** Thrown for BullMQ to run the job again after `delayMs`: a send failed and may pass later. */
export class SendAgainLater extends Error {
  constructor(readonly delayMs: number) {
    super(`send failed; sending again in ${delayMs} ms`);
    this.name = "SendAgainLater";
  }
}

/** BullMQ's wait before it runs a failed job again. */
export function sendBackoff(attemptsMade: number, _type?: string, error?: Error): number {
  if (error instanceof SendAgainLater) return error.delayMs;
  // The store or Redis failed mid-job: look again soon, then less often.
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), 30_000);
}

export type SendOutcome = "sent" | "waiting" | "dead" | "moved_on";

export function createSendProcessor(
  ctx: LeadSendContext,
  send: LeadSend,
  options: { sendLeaseMs: number; handBack: AbortSignal },
): (job: Job<SendJobData>) => Promise<SendOutcome> {
  const { store, clock } = ctx;

  /** Moves the lead to `sending` under this worker's lease; undefined when it is not this job's to send. */
  const claim = async (lead: StoredLead): Promise<StoredLead | undefined> => {
    const now = clock.now();
    const lease = now + options.sendLeaseMs;
    if (lead.state === "queued" || lead.state === "retrying") {
      const claimed = await store.leads.transition(
        lead.id,
        lead.state,
        "sending",
        { availableAt: lease, reason: null },
        now,
      );
      return claimed ? lead : undefined;
    }
    if (lead.state !== "sending") return undefined;
    if (ctx.config.recovery.sending === "hold") {
      await deadLetterLead(ctx, lead.id, {
        from: "sending",
        reason: "interrupted_send",
        detail:
          "the worker sending it stopped mid-send, and recovery.sending is hold: check Clay for the row, then replay or purge it",
        now,
      });
      return undefined;
    }
    // Its reservation goes back; the send reserves again.
    await store.ledger.release(lead.id, now);
    const taken = await store.leads.transition(
      lead.id,
      "sending",
      "sending",
      {
        availableAt: lease,
        reason: "interrupted send taken over by another worker: sending again (at-least-once)",
      },
      now,
    );
    return taken ? lead : undefined;
  };

  return async (job) => {
    const found = await store.leads.get(job.data.leadId);
    const lead = found && (await claim(found));
    if (!lead) return "moved_on";
    const result = await send(lead, options.handBack);
    switch (result.kind) {
      case "awaiting_callback":
        return "sent";
      case "retrying":
        throw new SendAgainLater(result.delayMs);
      case "waiting":
      case "dead":
        return result.kind;
    }
  };
}
