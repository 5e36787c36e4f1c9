/**
 * The callback receiver: Clay's HTTP API column posts each enriched row to the
 * lead's signed callback URL. The token is verified, the callback is written to
 * the inbox durably, and only then is Clay answered 200. Concurrent callbacks
 * share one commit (group commit), which also reads their leads, so the
 * receiver is neither one fsync nor one lead read per request. The inbox step does the processing; a repeated callback racing the
 * first one is absorbed there. Bodies are personal data: only ids are logged.
 */
import { ClaypipeError } from "../core/errors.js";
import type { CallbackLead } from "../store/callback-inbox.js";
import { createGroupCommitter } from "../store/group-commit.js";
import type { NewCallback } from "../store/store.js";
import type { CallbackAnswer } from "./pipeline-api.js";
import type { PipelineContext } from "./pipeline-context.js";

export interface CallbackReceiverOptions {
  /** Most callbacks one commit holds. @defaultValue 256 */
  maxBatch?: number;
  /** How long a lone callback waits for company before its commit starts, in ms (0: until the event-loop turn ends). @defaultValue 0 */
  maxWaitMs?: number;
  /** Announces each commit's callbacks before they are answered (the event tier's results topic). */
  announce?: (results: AcceptedResult[]) => Promise<void>;
}

/** A callback in the inbox, with the lead it answers. */
export interface AcceptedResult extends NewCallback {
  identityKey: string;
  workspace: string;
  table: string;
}

export interface CallbackReceiver {
  /** Answers one callback; resolves only after an accepted callback is committed. */
  receive(token: string, body: unknown): Promise<CallbackAnswer>;
  /**
   * Calls `listener` after each accepted commit (to wake the inbox loop);
   * returns the unsubscribe function. Fits `runLoop`'s `wake` option.
   */
  onAccepted(listener: () => void): () => void;
  /** Commits what is pending, then refuses new callbacks. */
  close(): Promise<void>;
}

export function createCallbackReceiver(
  ctx: PipelineContext,
  options: CallbackReceiverOptions = {},
): CallbackReceiver {
  const { store, logger } = ctx;
  const listeners = new Set<() => void>();
  // The lead of each callback is read in the commit that writes it: one statement a batch.
  const committer = createGroupCommitter<NewCallback, CallbackLead | undefined>({
    flush: async (callbacks) => {
      const leads = await store.inbox.appendAwaited(callbacks);
      if (leads.some((lead) => lead !== undefined && !lead.hadResult)) {
        for (const listener of listeners) listener();
      }
      // After the inbox: a result announced is one the router can find. A failed
      // announcement fails the answers, and Clay's retry lands on the inbox's dedupe.
      // A lead that had its result already is announced again: Clay may be sending it
      // again because announcing it failed (its id is the send's, so a broker that has
      // it drops the repeat).
      if (options.announce) {
        const results = callbacks.flatMap((callback, index) => {
          const lead = leads[index];
          return lead
            ? [
                {
                  ...callback,
                  identityKey: lead.identityKey,
                  workspace: lead.workspace,
                  table: lead.table,
                },
              ]
            : [];
        });
        if (results.length > 0) await options.announce(results);
      }
      return leads;
    },
    ...(options.maxBatch === undefined ? {} : { maxItems: options.maxBatch }),
    ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
  });

  return {
    async receive(token, body) {
      const verified = ctx.signer.verify(token);
      if (!verified.ok) {
        logger.warn({ reason: verified.reason }, "callback refused: its token is not valid");
        return { status: 401, reason: verified.reason };
      }
      if (!isPlainObject(body)) {
        throw new ClaypipeError(
          "input_invalid",
          "a callback body must be a JSON object (the enriched row)",
          {
            hint: "set the HTTP API column's body to the row's fields as a JSON object",
          },
        );
      }
      const { leadId, attempt } = verified;
      // An older attempt's callback is still a result Clay charged for: the first one wins.
      const lead = await committer.add({ leadId, attempt, body, receivedAt: ctx.clock.now() });
      if (!lead) return { status: 404, reason: "unknown_lead" };
      // Enriched, delivered, or dead with a late result: it was taken once already.
      if (lead.hadResult) return { status: 200, outcome: "already_done" };
      logger.debug({ leadId, attempt }, "callback accepted");
      return { status: 200, outcome: "accepted" };
    },

    onAccepted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    close() {
      return committer.close();
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
