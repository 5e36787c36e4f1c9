/**
 * Takes one claimed lead (in `sending`) to Clay through the gates of its
 * workspace — circuit breaker, credit budget, then the sender (rate limit,
 * webhook pool, retries) — and moves it on: awaiting its callback, waiting
 * (queued or deferred), retrying later, or dead with its reason. The send
 * handler (send-handler.ts) runs it for every transport.
 */
import { ClaypipeError } from "../core/errors.js";
import type { LeadState } from "../core/lead-state.js";
import type { LeadPatch, StoredLead } from "../store/lead-store.js";
import type { DeadLetterTopic, SendOutcome } from "../transport/transport.js";
import { deadLetterRefusedLead } from "./budget-dead-letter.js";
import type { CreditBudget } from "./credit-budget.js";
import { describeCreditHold, readCreditHolds } from "./credit-holds.js";
import { deadLetterLead } from "./dead-letter-lead.js";
import { hasTable } from "./lead-destination.js";
import type { PipelineContext } from "./pipeline-context.js";
import { NO_CAPACITY_REASON_PREFIX } from "./wait-reasons.js";

/** Sends of one lead (the first and its retries) before it is dead as send_failed. */
export const MAX_SENDS = 3;
/** While a probe is out, other leads look again this soon, so they go as soon as it closes the breaker. */
const HALF_OPEN_RECHECK_MS = 1000;

export type LeadSendContext = Pick<
  PipelineContext,
  "config" | "store" | "clock" | "logger" | "senders" | "events" | "breakers"
>;

export type LeadSend = (lead: StoredLead, signal: AbortSignal) => Promise<SendOutcome>;

const WAITING: SendOutcome = { kind: "waiting" };
const DEAD: SendOutcome = { kind: "dead" };

/**
 * `deadLetters`: the transport's dead-letter topic, if it has one; a lead the
 * budget refuses then goes there as dead (budget-dead-letter.ts) instead of
 * waiting deferred.
 */
export function createLeadSend(
  ctx: LeadSendContext,
  budget: CreditBudget,
  deadLetters?: Pick<DeadLetterTopic, "publishBudget">,
): LeadSend {
  const { config, store, clock, logger } = ctx;
  const callbacks = config.callbacks;
  if (!callbacks) {
    throw new ClaypipeError(
      "config_invalid",
      `the ${config.tier} tier needs \`callbacks\` in the config`,
      {
        hint: "set callbacks.baseUrl (where Clay's HTTP API column reaches claypipe) and callbacks.secret",
      },
    );
  }
  // Each table's "no capacity left" is said loudly once, not once per lead.
  const reportedNoCapacity = new Set<string>();
  // The capacity step takes a waiting lead back sooner once its table has room again.
  const capacityWait = config.sender.capacityWait;

  return async (lead, signal) => {
    const { id } = lead;
    const sender = ctx.senders.get(lead.workspace);
    const breaker = ctx.breakers.get(lead.workspace);
    let now = clock.now();
    /** Moves the claimed lead on, at `now`; false when another worker already did. */
    const leave = (to: LeadState, patch: LeadPatch) =>
      store.leads.transition(id, "sending", to, patch, now);
    if (!sender || !breaker || !hasTable(config, lead)) {
      logger.error(
        { leadId: id, workspace: lead.workspace, table: lead.table },
        "a lead's table is not in the config",
      );
      await leave("deferred", {
        availableAt: now + capacityWait,
        reason:
          `${NO_CAPACITY_REASON_PREFIX}table "${lead.table}" of workspace "${lead.workspace}" is not in the config any more: ` +
          "put it back, or move the lead with `claypipe leads requeue --table <name>`",
      });
      return WAITING;
    }
    const gate = await breaker.allow();
    if (!gate.allowed) {
      const availableAt = gate.state === "half_open" ? now + HALF_OPEN_RECHECK_MS : gate.retryAt;
      await leave("queued", {
        availableAt,
        reason: `circuit breaker of workspace "${lead.workspace}" is ${gate.state}: waiting for Clay to answer again`,
      });
      return WAITING;
    }
    const decision = await budget.reserve(lead, now);
    if (!decision.ok) {
      if (deadLetters) return deadLetterRefusedLead(ctx, deadLetters, lead, decision, now);
      await leave("deferred", { availableAt: decision.availableAt, reason: decision.reason });
      if (decision.first) await logCreditHold(ctx, decision.availableAt);
      return WAITING;
    }

    const attempt = lead.attempt + 1;
    const outcome = await sender.send(
      { lead: lead.fields, claypipeId: id, table: lead.table, attempt },
      signal,
    );
    now = clock.now();
    switch (outcome.status) {
      case "sent":
        await breaker.record(true);
        await leave("awaiting_callback", {
          attempt,
          callbackDeadline: now + callbacks.deadline,
          reason: `sent to table "${lead.table}" (webhook #${outcome.webhookIndex}, send ${attempt})`,
        });
        return { kind: "sent" };
      case "refused":
        await deadLetterLead(ctx, id, {
          from: "sending",
          reason: "payload_too_large",
          detail: outcome.reason,
          now,
        });
        return DEAD;
      case "rejected":
        // Clay answered, so it is up: a refusal of this row says nothing against its availability.
        await breaker.record(true);
        await deadLetterLead(ctx, id, {
          from: "sending",
          reason: "rejected_by_clay",
          detail: outcome.reason,
          now,
          patch: { attempt },
        });
        return DEAD;
      case "no_capacity": {
        const key = `${lead.workspace}/${lead.table}`;
        if (!reportedNoCapacity.has(key)) {
          reportedNoCapacity.add(key);
          logger.error(
            { workspace: lead.workspace, table: lead.table },
            `leads wait as deferred: ${outcome.reason}`,
          );
        }
        await store.ledger.release(id, now);
        await leave("deferred", {
          availableAt: now + capacityWait,
          reason: `${NO_CAPACITY_REASON_PREFIX}${outcome.reason}`,
        });
        return WAITING;
      }
      case "failed": {
        await breaker.record(false);
        if (attempt >= MAX_SENDS) {
          await deadLetterLead(ctx, id, {
            from: "sending",
            reason: "send_failed",
            detail: `${attempt} sends failed; the last: ${outcome.reason}`,
            now,
            patch: { attempt },
          });
          return DEAD;
        }
        await store.ledger.release(id, now);
        const delayMs = retryDelay(attempt, config.sender.maxBackoff);
        await leave("retrying", {
          attempt,
          availableAt: now + delayMs,
          reason: `send ${attempt} failed (${outcome.reason}): trying again later`,
        });
        return { kind: "retrying", delayMs };
      }
    }
  };
}

/** Says once that a credit cap holds leads: which cap, how many wait so far, and until when (UTC). */
async function logCreditHold(ctx: LeadSendContext, availableAt: number): Promise<void> {
  const holds = await readCreditHolds(ctx.config, ctx.store);
  const hold = holds.find((entry) => entry.resumesAt === new Date(availableAt).toISOString());
  if (hold) ctx.logger.warn({ creditHold: hold }, describeCreditHold(hold));
}

/** The wait before send `attempt + 1`: the sender's longest backoff, doubling with each failed send. */
export function retryDelay(attempt: number, maxBackoffMs: number): number {
  return maxBackoffMs * 2 ** (attempt - 1);
}
