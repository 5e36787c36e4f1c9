/**
 * The callback receiver: Clay's HTTP API column posts each enriched row to the
 * lead's signed callback URL. The token is verified, the callback is written to
 * the inbox durably, and only then is Clay answered 200. Concurrent callbacks
 * share one commit (group commit), so the receiver is not one fsync per
 * request. The inbox step does the processing; a repeated callback racing the
 * first one is absorbed there. Bodies are personal data: only ids are logged.
 */
import { ClaypipeError } from "../core/errors.js";
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
  const committer = createGroupCommitter<AcceptedResult>({
    flush: async (results) => {
      await store.inbox.append(
        results.map(({ leadId, attempt, body, receivedAt }) => ({
          leadId,
          attempt,
          body,
          receivedAt,
        })),
      );
      for (const listener of listeners) listener();
      // After the inbox: a result announced is one the router can find. A failed
      // announcement fails the answer, and Clay's retry lands on the inbox's dedupe.
      await options.announce?.(results);
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
      const lead = await store.leads.get(leadId);
      if (!lead) return { status: 404, reason: "unknown_lead" };
      const result: AcceptedResult = {
        leadId,
        attempt,
        body,
        receivedAt: ctx.clock.now(),
        identityKey: lead.identityKey,
        workspace: lead.workspace,
        table: lead.table,
      };
      if (lead.result !== null) {
        // Enriched, delivered, or dead with a late result: it was taken once already. Clay
        // may be sending it again because announcing it failed: announce it again (its id
        // is the send's, so a broker that has it drops the repeat).
        await options.announce?.([result]);
        return { status: 200, outcome: "already_done" };
      }
      // An older attempt's callback is still a result Clay charged for: the first one wins.
      await committer.add(result);
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
