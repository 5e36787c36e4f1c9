/**
 * Room under the credit caps, counted as leads are let through: a pass that
 * moves waiting leads back to the outbox (credit-resume-step.ts, a DLQ replay
 * of leads the budget refused) takes each lead's cost estimate from the room
 * its caps have now, so it never lets more through than the room allows. The
 * send step reserves for real; this only keeps a pass from overshooting.
 */
import type { Credits } from "../store/credit-ledger.js";
import type { StoredLead } from "../store/lead-store.js";
import { capsFor, parseWindowKey } from "./credit-windows.js";
import type { PipelineContext } from "./pipeline-context.js";

const METERS = ["actions", "data"] as const;

/**
 * Takes the lead's estimate from the room when every cap on it (at `now`) has
 * room for it; otherwise says when the window of a cap without room ends.
 */
export type TakeCreditRoom = (
  lead: Pick<StoredLead, "workspace" | "source">,
) => Promise<{ taken: true } | { taken: false; opensAt: number }>;

export function creditRoomAt(
  ctx: Pick<PipelineContext, "store" | "config">,
  now: number,
): TakeCreditRoom {
  const { store, config } = ctx;
  const estimates = new Map(config.clay.workspaces.map((ws) => [ws.name, ws.costEstimate]));
  // Credits used per cap: the ledger's, plus the estimates of the leads let through.
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
  return async (lead) => {
    const cost = estimates.get(lead.workspace) ?? { actions: 0, data: 0 };
    const caps = capsFor(config, lead, now);
    const meters = await Promise.all(caps.map((cap) => usedOf(cap.scope, cap.window)));
    const full = caps.find(
      (cap, index) =>
        !METERS.every((meter) => {
          const limit = cap.limit[meter];
          return limit === undefined || meters[index]![meter] + cost[meter] <= limit;
        }),
    );
    if (full) return { taken: false, opensAt: parseWindowKey(full.window).end };
    for (const meter of meters) {
      meter.actions += cost.actions;
      meter.data += cost.data;
    }
    return { taken: true };
  };
}
