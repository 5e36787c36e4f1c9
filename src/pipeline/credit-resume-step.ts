/**
 * Leads deferred by a credit cap resume as soon as their caps have room again
 * — the cap was raised and the process restarted, or credits were given back —
 * not at the cap's next window. At start and every `sender.capacityCheck`,
 * this step moves waiting leads back to the outbox while every cap on them
 * (see credit-windows.ts capsFor) still has room for their cost estimate,
 * counting the leads it already moved, so it never releases more than the
 * room allows. The send step reserves again; a lead that still does not fit
 * is deferred once more.
 */
import type { Credits } from "../store/credit-ledger.js";
import type { StoredLead } from "../store/lead-store.js";
import { capsFor } from "./credit-windows.js";
import { currentDestination } from "./lead-destination.js";
import type { PipelineContext } from "./pipeline-context.js";
import { CREDIT_CAP_REASON_PREFIX } from "./wait-reasons.js";

export interface CreditResumeStepOptions {
  /** Leads looked at per source and pass. @defaultValue 500 */
  batch?: number;
}

const METERS = ["actions", "data"] as const;

export function createCreditResumeStep(
  ctx: Pick<PipelineContext, "store" | "clock" | "config" | "logger">,
  options: CreditResumeStepOptions = {},
): (signal: AbortSignal) => Promise<number> {
  const { store, config } = ctx;
  const batch = options.batch ?? 500;
  const estimates = new Map(config.clay.workspaces.map((ws) => [ws.name, ws.costEstimate]));

  return async (signal) => {
    const anyWaiting = await store.leads.list({
      states: ["deferred"],
      reasonPrefix: CREDIT_CAP_REASON_PREFIX,
      limit: 1,
    });
    if (anyWaiting.leads.length === 0) return 0;
    const now = ctx.clock.now();
    // Credits used per cap this pass: the ledger's, plus the estimates of the leads moved.
    const used = new Map<string, Credits>();
    const usedOf = async (scope: string, window: string): Promise<Credits> => {
      const key = `${scope}|${window}`;
      let found = used.get(key);
      if (!found) {
        found = { ...(await store.ledger.used(scope, window)) };
        used.set(key, found);
      }
      return found;
    };
    /** Takes the lead's estimate from its caps' room, or says it does not fit. */
    const fits = async (lead: Pick<StoredLead, "workspace" | "source">): Promise<boolean> => {
      const cost = estimates.get(lead.workspace) ?? { actions: 0, data: 0 };
      const caps = capsFor(config, lead, now);
      const meters = await Promise.all(caps.map((cap) => usedOf(cap.scope, cap.window)));
      const room = caps.every((cap, index) =>
        METERS.every((meter) => {
          const limit = cap.limit[meter];
          return limit === undefined || meters[index]![meter] + cost[meter] <= limit;
        }),
      );
      if (!room) return false;
      for (const meter of meters) {
        meter.actions += cost.actions;
        meter.data += cost.data;
      }
      return true;
    };

    let moved = 0;
    for (const source of config.sources) {
      signal.throwIfAborted();
      const { leads } = await store.leads.list({
        states: ["deferred"],
        reasonPrefix: CREDIT_CAP_REASON_PREFIX,
        source: source.name,
        limit: batch,
      });
      let resumed = 0;
      for (const lead of leads) {
        const destination = currentDestination(config, lead);
        if (!(await fits({ workspace: destination.workspace, source: lead.source }))) continue;
        const ok = await store.leads.transition(
          lead.id,
          "deferred",
          "queued",
          {
            availableAt: now,
            ...destination,
            reason: "credit caps have room again",
          },
          now,
        );
        if (ok) resumed += 1;
      }
      if (resumed > 0) {
        ctx.logger.info(
          { source: source.name, resumed },
          "leads waiting for a credit cap resume: their caps have room again",
        );
      }
      moved += resumed;
    }
    return moved;
  };
}
