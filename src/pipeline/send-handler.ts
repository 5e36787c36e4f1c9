/**
 * The pipeline's send handler: what any transport runs for one lead. `send`
 * takes a lead the transport already claimed from the outbox; `claimAndSend`
 * first claims the lead a queue message names.
 *
 * Each lead has at most one message in flight, and a queue gives a message to
 * one worker at a time; so a message whose lead is already `sending` was held
 * by a worker that stopped mid-send (killed, or its lock lapsed). Whether Clay
 * got that row is unknown, and `recovery.sending` decides, as after a crash:
 * send again (at-least-once; Clay's dedupe on claypipe_id absorbs a double) or
 * hold it in the DLQ. A lead in any other state has moved on.
 */
import type { StoredLead } from "../store/lead-store.js";
import type { DeadLetterTopic, SendHandler } from "../transport/transport.js";
import { recoverInterruptedSends } from "./crash-recovery.js";
import type { CreditBudget } from "./credit-budget.js";
import { deadLetterLead } from "./dead-letter-lead.js";
import { createIntakeService } from "./intake-service.js";
import { createLeadSend, type LeadSendContext, MAX_SENDS } from "./lead-send.js";
import type { PipelineContext } from "./pipeline-context.js";

export type SendHandlerContext = LeadSendContext & Pick<PipelineContext, "events">;

/** `deadLetters`: the transport's dead-letter topic, where budget refusals go (lead-send.ts). */
export function createSendHandler(
  ctx: SendHandlerContext,
  budget: CreditBudget,
  deadLetters?: Pick<DeadLetterTopic, "publishBudget">,
): SendHandler {
  const { store, clock } = ctx;
  const send = createLeadSend(ctx, budget, deadLetters);
  const intake = createIntakeService(ctx);

  /**
   * Takes over a lead found in `sending` (its worker stopped mid-send), as
   * `recovery.sending` says; undefined when it is not this message's to send.
   */
  const takeOver = async (
    lead: StoredLead,
    leaseMs: number,
    whenSending: "take_over" | "leave",
  ): Promise<StoredLead | undefined> => {
    if (lead.state !== "sending" || whenSending === "leave") return undefined;
    const now = clock.now();
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
        availableAt: now + leaseMs,
        reason: "interrupted send taken over by another worker: sending again (at-least-once)",
      },
      now,
    );
    return taken ? lead : undefined;
  };

  const claimAndSend: SendHandler["claimAndSend"] = async (
    leadId,
    leaseMs,
    signal,
    whenSending = "take_over",
  ) => {
    const now = clock.now();
    // The usual case in one statement: the lead is queued or retrying, and moves to
    // `sending` under this worker's lease, read as it moves.
    const claimed = await store.leads.transitionAndRead(
      leadId,
      ["queued", "retrying"],
      "sending",
      { availableAt: now + leaseMs, reason: null },
      now,
    );
    if (claimed) return send(claimed, signal);
    const found = await store.leads.get(leadId);
    const lead = found && (await takeOver(found, leaseMs, whenSending));
    return lead ? send(lead, signal) : { kind: "moved_on" };
  };

  return {
    send,
    claimAndSend,
    async admitAndSend(fields, source, leaseMs, signal) {
      const { accepted } = await intake.submit([fields], source === undefined ? {} : { source });
      const admitted = accepted[0];
      if (!admitted) return { kind: "dead" };
      if (admitted.state !== "queued") return { kind: "moved_on" };
      return claimAndSend(admitted.id, leaseMs, signal, "leave");
    },
    async recoverLostSends() {
      const { resent, held } = await recoverInterruptedSends(ctx, clock.now());
      return resent + held;
    },
    maxSends: MAX_SENDS,
  };
}
