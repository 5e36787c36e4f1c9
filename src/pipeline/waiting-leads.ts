/**
 * Leads that wait, as the dashboard's Waiting view shows them: deferred ones
 * by why (a credit cap, no capacity) and when they are looked at again, and
 * leads awaiting a callback past their deadline, each with what the deadline
 * sweep (deadline-step.ts) will do to it. A person may run that sweep now
 * rather than wait for its next pass (every second where the sender runs).
 */
import type { StoredLead } from "../store/lead-store.js";
import { resendsOnce } from "./deadline-step.js";
import type { PipelineContext } from "./pipeline-context.js";
import { reconcileTableId } from "./reconcile-lead.js";
import { WAIT_KINDS, type WaitKind, waitReasonPrefix } from "./wait-reasons.js";

export interface DeferredGroup {
  kind: WaitKind;
  count: number;
  /** The earliest time a lead of the group is looked at again (ms). */
  resumesAt: number;
  /** The latest such time (ms): a cap's leads share one; capacity checks spread them. */
  lastResumesAt: number;
}

export interface OverdueLead {
  lead: StoredLead;
  /** How long past its callback deadline (ms). */
  overdueMs: number;
  /** The sweep asks Clay's public API for the lead's row first (its workspace has one, its table an id). */
  reconciles: boolean;
  /** What the sweep does when reconciling finds no finished row. */
  otherwise: "resend" | "dead";
}

export interface WaitingPage<T> {
  leads: T[];
  nextCursor: string | null;
}

export interface WaitingLeads {
  /** Deferred leads per kind of wait: a credit cap's per window it waits for, capacity as one group. */
  deferredGroups(): Promise<DeferredGroup[]>;
  /** Deferred leads, of one kind of wait or all, a page at a time. */
  deferred(query?: {
    reason?: WaitKind;
    cursor?: string;
    limit?: number;
  }): Promise<WaitingPage<StoredLead>>;
  /** Leads awaiting a callback past their deadline, in the order they came in. */
  overdue(query?: { cursor?: string; limit?: number }): Promise<WaitingPage<OverdueLead>>;
  /**
   * Runs the callback deadline sweep now over every overdue lead: reconcile,
   * send once more, or the DLQ, as its pass would. Returns how many it took.
   */
  sweepOverdue(): Promise<{ swept: number }>;
}

/** Passes of the sweep one request runs at most (100 leads each). */
const MAX_SWEEP_PASSES = 1000;

export function createWaitingLeads(
  ctx: Pick<PipelineContext, "config" | "store" | "clock" | "logger" | "publicApis">,
  deadlineStep: (signal: AbortSignal) => Promise<number>,
): WaitingLeads {
  const { store, clock } = ctx;
  const describe = (lead: StoredLead, now: number): OverdueLead => ({
    lead,
    overdueMs: now - (lead.callbackDeadline ?? now),
    reconciles: reconcileTableId(ctx, lead) !== undefined,
    otherwise: resendsOnce(ctx.config, lead) ? "resend" : "dead",
  });

  return {
    async deferredGroups() {
      const groups: DeferredGroup[] = [];
      for (const kind of WAIT_KINDS) {
        const counts = await store.leads.countWaiting("deferred", waitReasonPrefix(kind));
        if (counts.length === 0) continue;
        if (kind === "credit_cap") {
          for (const { availableAt, count } of counts)
            groups.push({ kind, count, resumesAt: availableAt, lastResumesAt: availableAt });
          continue;
        }
        groups.push({
          kind,
          count: counts.reduce((sum, { count }) => sum + count, 0),
          resumesAt: counts[0]!.availableAt,
          lastResumesAt: counts.at(-1)!.availableAt,
        });
      }
      return groups;
    },

    deferred(query = {}) {
      return store.leads.list({
        states: ["deferred"],
        ...(query.reason === undefined ? {} : { reasonPrefix: waitReasonPrefix(query.reason) }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
    },

    async overdue(query = {}) {
      const now = clock.now();
      const page = await store.leads.list({
        callbackDeadlineBefore: now,
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
      return { leads: page.leads.map((lead) => describe(lead, now)), nextCursor: page.nextCursor };
    },

    async sweepOverdue() {
      const controller = new AbortController();
      let swept = 0;
      for (let pass = 0; pass < MAX_SWEEP_PASSES; pass++) {
        const taken = await deadlineStep(controller.signal);
        swept += taken;
        if (taken === 0) break;
      }
      ctx.logger.info({ swept }, "overdue callbacks swept on request");
      return { swept };
    },
  };
}
