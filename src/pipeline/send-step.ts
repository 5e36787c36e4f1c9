/**
 * The send step: claims due leads from the outbox and takes each to Clay, in
 * order through the gates of its workspace — circuit breaker, credit budget,
 * then the sender (rate limit, webhook pool, retries). Every outcome moves the
 * lead on: awaiting its callback, waiting (queued or deferred), retrying later,
 * or dead with its reason.
 */
import { ClaypipeError } from "../core/errors.js";
import type { LeadState } from "../core/lead-state.js";
import type { LeadPatch, StoredLead } from "../store/lead-store.js";
import type { Breaker } from "./circuit-breaker.js";
import type { CreditBudget } from "./credit-budget.js";
import { deadLetterLead } from "./dead-letter-lead.js";
import type { PipelineContext } from "./pipeline-context.js";

/** Sends of one lead (the first and its retries) before it is dead as send_failed. */
export const MAX_SENDS = 3;
/** How long a lead waits when its table has no webhook or row left: a person must add one. */
export const NO_CAPACITY_WAIT_MS = 15 * 60_000;
/** While a probe is out, other leads look again this soon, so they go as soon as it closes the breaker. */
const HALF_OPEN_RECHECK_MS = 1000;

export type SendStepContext = Pick<
  PipelineContext,
  "config" | "store" | "clock" | "logger" | "senders" | "events"
> & { breakers: ReadonlyMap<string, Breaker> };

export interface SendStepOptions {
  budget: CreditBudget;
  /** Leads claimed per pass. @defaultValue 4 × sender.concurrency */
  batch?: number;
}

/** One pass: claims due leads and sends them; resolves with how many it handled. */
export function createSendStep(
  ctx: SendStepContext,
  options: SendStepOptions,
): (signal: AbortSignal) => Promise<number> {
  const { config, store, clock, logger } = ctx;
  const { budget } = options;
  const callbacks = config.callbacks;
  if (!callbacks) {
    throw new ClaypipeError("config_invalid", "the standard tier needs `callbacks` in the config", {
      hint: "set callbacks.baseUrl (where Clay's HTTP API column reaches claypipe) and callbacks.secret",
    });
  }
  const concurrency = config.sender.concurrency;
  const batch = options.batch ?? concurrency * 4;
  // Each table's "no capacity left" is said loudly once, not once per lead.
  const reportedNoCapacity = new Set<string>();

  const sendOne = async (lead: StoredLead, signal: AbortSignal): Promise<void> => {
    const { id } = lead;
    const sender = ctx.senders.get(lead.workspace);
    const breaker = ctx.breakers.get(lead.workspace);
    let now = clock.now();
    /** Moves the claimed lead on, at `now`; false when another worker already did. */
    const leave = (to: LeadState, patch: LeadPatch) =>
      store.leads.transition(id, "sending", to, patch, now);
    if (!sender || !breaker) {
      logger.error({ leadId: id, workspace: lead.workspace }, "a lead's workspace has no sender");
      await leave("deferred", {
        availableAt: now + NO_CAPACITY_WAIT_MS,
        reason: `workspace "${lead.workspace}" is not in the config any more: put it back to send this lead`,
      });
      return;
    }
    if (!breaker.allow()) {
      const availableAt =
        breaker.state === "half_open" ? now + HALF_OPEN_RECHECK_MS : breaker.reopensAt;
      await leave("queued", {
        availableAt,
        reason: `circuit breaker of workspace "${lead.workspace}" is ${breaker.state}: waiting for Clay to answer again`,
      });
      return;
    }
    const decision = await budget.reserve(lead, now);
    if (!decision.ok) {
      await leave("deferred", { availableAt: decision.availableAt, reason: decision.reason });
      return;
    }

    const attempt = lead.attempt + 1;
    const outcome = await sender.send(
      { lead: lead.fields, claypipeId: id, table: lead.table, attempt },
      signal,
    );
    now = clock.now();
    switch (outcome.status) {
      case "sent":
        breaker.record(true);
        await leave("awaiting_callback", {
          attempt,
          callbackDeadline: now + callbacks.deadline,
          reason: `sent to table "${lead.table}" (webhook #${outcome.webhookIndex}, send ${attempt})`,
        });
        return;
      case "refused":
        await deadLetterLead(ctx, id, {
          from: "sending",
          reason: "payload_too_large",
          detail: outcome.reason,
          now,
        });
        return;
      case "rejected":
        // Clay answered, so it is up: a refusal of this row says nothing against its availability.
        breaker.record(true);
        await deadLetterLead(ctx, id, {
          from: "sending",
          reason: "rejected_by_clay",
          detail: outcome.reason,
          now,
          patch: { attempt },
        });
        return;
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
          availableAt: now + NO_CAPACITY_WAIT_MS,
          reason: outcome.reason,
        });
        return;
      }
      case "failed":
        breaker.record(false);
        if (attempt >= MAX_SENDS) {
          await deadLetterLead(ctx, id, {
            from: "sending",
            reason: "send_failed",
            detail: `${attempt} sends failed; the last: ${outcome.reason}`,
            now,
            patch: { attempt },
          });
          return;
        }
        await store.ledger.release(id, now);
        await leave("retrying", {
          attempt,
          availableAt: now + retryDelay(attempt, config.sender.maxBackoff),
          reason: `send ${attempt} failed (${outcome.reason}): trying again later`,
        });
        return;
    }
  };

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

/** The wait before send `attempt + 1`: the sender's longest backoff, doubling with each failed send. */
function retryDelay(attempt: number, maxBackoffMs: number): number {
  return maxBackoffMs * 2 ** (attempt - 1);
}
