/**
 * Where a transport has a dead-letter topic (the event tier's `dlq.clay`), a
 * lead the credit budget refuses does not wait deferred: it is dead as
 * `budget`, with `availableAt` set to when the refusing cap's next window
 * opens, and its dead letter is on the topic before the send handler returns
 * (so before the bus message that carried it is acked). A DLQ replay sends it
 * on once its caps have room (dead-letters.ts).
 */
import type { StoredLead } from "../store/lead-store.js";
import type { DeadLetterTopic, SendOutcome } from "../transport/transport.js";
import { deadLetterLead } from "./dead-letter-lead.js";
import type { PipelineContext } from "./pipeline-context.js";

/** A letter the broker did not take: the lead goes back to the outbox this much later, and is refused again. */
const REPUBLISH_DELAY_MS = 5000;

export async function deadLetterRefusedLead(
  ctx: Pick<PipelineContext, "store" | "logger" | "events">,
  topic: Pick<DeadLetterTopic, "publishBudget">,
  lead: StoredLead,
  refusal: { reason: string; availableAt: number },
  now: number,
): Promise<SendOutcome> {
  // The store first: a letter on the topic then always names a lead that is dead
  // in the store, which the topic's replay relies on, and a lead another worker
  // moved on is never published. Should the broker not take the letter, the lead
  // goes back to the outbox and is refused and published again; a crash in
  // between leaves it dead in the store, where `dlq list`/`dlq replay` find it.
  const dead = await deadLetterLead(ctx, lead.id, {
    from: "sending",
    reason: "budget",
    detail: `${refusal.reason}; replayable after ${new Date(refusal.availableAt).toISOString()}`,
    now,
    patch: { availableAt: refusal.availableAt },
  });
  if (!dead) return { kind: "moved_on" };
  try {
    await topic.publishBudget({
      lead,
      detail: refusal.reason,
      replayableAfter: refusal.availableAt,
    });
  } catch (error) {
    ctx.logger.warn(
      { leadId: lead.id, err: error },
      "the dead-letter topic did not take a budget refusal: the lead goes back to the outbox",
    );
    await ctx.store.leads.transition(
      lead.id,
      "dead",
      "queued",
      {
        availableAt: now + REPUBLISH_DELAY_MS,
        reason: "its budget dead letter was not published: trying again",
      },
      now,
    );
    return { kind: "retrying", delayMs: REPUBLISH_DELAY_MS };
  }
  return { kind: "dead" };
}
