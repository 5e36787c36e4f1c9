/**
 * What a worker does with one job: runs the pipeline's send handler on the
 * lead it names (claim, then send). A failed send is thrown back to BullMQ as
 * SendAgainLater so the job runs again after the lead's own backoff.
 */
import type { Job } from "bullmq";
import type { SendHandler } from "../transport.js";
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

export function createSendProcessor(
  handler: SendHandler,
  options: { sendLeaseMs: number; handBack: AbortSignal },
): (job: Job<SendJobData>) => Promise<string> {
  return async (job) => {
    const outcome = await handler.claimAndSend(
      job.data.leadId,
      options.sendLeaseMs,
      options.handBack,
    );
    if (outcome.kind === "retrying") throw new SendAgainLater(outcome.delayMs);
    return outcome.kind;
  };
}
