/**
 * Clay as an API: waits for one lead's enriched row. Resolves when the lead's
 * result is stored (at once if it already is; for a duplicate, when the
 * original's callback serves it), rejects when the lead goes to the DLQ, a
 * pre-send rule skipped it, or the wait times out, with its current state and what that state means.
 */
import { ClaypipeError, type ErrorCode } from "../core/errors.js";
import type { LeadState } from "../core/lead-state.js";
import type { EnrichedRow, StoredLead } from "../store/store.js";
import type { PipelineContext } from "./pipeline-context.js";

export interface WaitOptions {
  /** How long to wait for the result, in ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface EnrichWaiter {
  waitFor(leadId: string, options: WaitOptions): Promise<EnrichedRow>;
}

const MEANING: Record<LeadState, string> = {
  received: "it is accepted and about to pass the dedupe and budget gates",
  duplicate: "it waits for the result of an earlier lead for the same person",
  skipped:
    "a pre-send rule (enrichIf) kept it from Clay; `claypipe leads requeue --state skipped` sends it anyway",
  deferred:
    "the credit budget or the webhook capacity is spent; it resumes by itself in the next window",
  queued: "it waits for the sender (the workspace rate limit or an open circuit breaker holds it)",
  sending: "its row is being posted to Clay",
  awaiting_callback: "Clay took the row and its HTTP API column has not called back yet",
  retrying: "a send or a callback wait failed in a way that may pass; it will be sent again",
  enriched: "its result is stored",
  delivered: "its result is stored and delivered",
  dead: "it is in the DLQ",
};

const DEAD_CODES: Record<string, ErrorCode> = {
  rejected_by_clay: "clay_rejected",
  payload_too_large: "payload_too_large",
  send_failed: "clay_unavailable",
  no_callback: "timeout",
  reconcile_failed: "timeout",
  no_capacity: "capacity_exhausted",
};

export interface EnrichWaiterOptions {
  /** Read the store this often as well: other processes' events never reach this one. */
  storePollMs?: number | undefined;
}

export function createEnrichWaiter(
  ctx: PipelineContext,
  waiterOptions: EnrichWaiterOptions = {},
): EnrichWaiter {
  const { events, store } = ctx;

  return {
    waitFor(leadId, options) {
      return new Promise<EnrichedRow>((resolve, reject) => {
        const stop = new AbortController();
        const finish = (settle: () => void) => {
          if (stop.signal.aborted) return;
          stop.abort();
          events.off("enriched", onEnriched);
          events.off("dead", onDead);
          options.signal?.removeEventListener("abort", onAbort);
          settle();
        };
        const onEnriched = (id: string, row: EnrichedRow) => {
          if (id === leadId) finish(() => resolve(row));
        };
        const onDead = (id: string, reason: string) => {
          if (id === leadId) finish(() => reject(deadError(leadId, reason)));
        };
        const onAbort = () =>
          finish(() =>
            reject(
              new ClaypipeError("aborted", `stopped waiting for lead ${leadId}`, {
                cause: options.signal?.reason,
              }),
            ),
          );
        // Listen before reading the store, so a result landing in between is not missed.
        events.on("enriched", onEnriched);
        events.on("dead", onDead);
        if (options.signal?.aborted) {
          onAbort();
          return;
        }
        options.signal?.addEventListener("abort", onAbort, { once: true });

        const look = () =>
          store.leads.get(leadId).then(
            (lead) => {
              if (!lead) {
                finish(() =>
                  reject(
                    new ClaypipeError("input_invalid", `no lead ${leadId}`, {
                      hint: "use the id that submit() returned",
                    }),
                  ),
                );
              } else if (lead.result !== null) finish(() => resolve(lead.result as EnrichedRow));
              else if (lead.state === "dead") {
                finish(() => reject(deadError(leadId, lead.reason ?? "unknown")));
              } else if (lead.state === "skipped") {
                finish(() => reject(skippedError(leadId, lead.reason)));
              }
            },
            (thrown: unknown) => finish(() => reject(thrown)),
          );
        void look();
        const pollMs = waiterOptions.storePollMs;
        if (pollMs !== undefined) void pollStore(ctx, pollMs, look, stop.signal);

        ctx.clock.sleep(options.timeoutMs, stop.signal).then(
          async () => {
            const lead = await store.leads.get(leadId).catch(() => undefined);
            finish(() => reject(timeoutError(leadId, options.timeoutMs, lead)));
          },
          () => {
            // Stopped because the wait ended another way.
          },
        );
      });
    },
  };
}

async function pollStore(
  ctx: PipelineContext,
  everyMs: number,
  look: () => Promise<void>,
  stop: AbortSignal,
): Promise<void> {
  while (!stop.aborted) {
    try {
      await ctx.clock.sleep(everyMs, stop);
    } catch {
      return; // The wait ended another way.
    }
    await look();
  }
}

function deadError(leadId: string, reason: string): ClaypipeError {
  return new ClaypipeError(
    DEAD_CODES[reason] ?? "clay_rejected",
    `lead ${leadId} went to the DLQ: ${reason}`,
    {
      hint: `see why with \`claypipe dlq inspect ${leadId}\`; once the cause is fixed, \`claypipe dlq replay --id ${leadId}\``,
    },
  );
}

function skippedError(leadId: string, reason: string | null): ClaypipeError {
  return new ClaypipeError(
    "input_invalid",
    `lead ${leadId} is not sent to Clay: ${reason ?? "skipped"}`,
    { hint: `to send it anyway: \`claypipe leads requeue --state skipped\`` },
  );
}

function timeoutError(
  leadId: string,
  timeoutMs: number,
  lead: StoredLead | undefined,
): ClaypipeError {
  const where = lead
    ? `it is ${lead.state}${lead.reason ? ` (${lead.reason})` : ""}: ${MEANING[lead.state]}`
    : "it no longer exists";
  return new ClaypipeError(
    "timeout",
    `lead ${leadId} was not enriched within ${timeoutMs} ms; ${where}`,
    {
      hint: `the lead goes on in the background: follow it with \`claypipe status\` or GET /v1/leads/${leadId}`,
    },
  );
}
