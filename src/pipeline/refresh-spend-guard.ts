/**
 * A refresh run's spend guard: each lead it sends takes its cost estimate
 * from its share of the room left under every cap that applies to the lead
 * (day and month, workspace and source). A cap with no room left stops the
 * leads it covers, so a refresh never eats the credits fresh leads need.
 * The send step still reserves for real; this only keeps a run within its share.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { CreditLedger, Credits } from "../store/credit-ledger.js";
import type { StoredLead } from "../store/lead-store.js";
import { capsFor } from "./credit-windows.js";

const METERS = ["actions", "data"] as const;

/** True when the lead's estimate fit and was taken. */
export type TakeRefreshCredits = (
  lead: Pick<StoredLead, "workspace" | "source">,
) => Promise<boolean>;

export function refreshSpendGuard(
  config: ClaypipeConfig,
  ledger: Pick<CreditLedger, "used">,
  share: number,
  now: number,
): TakeRefreshCredits {
  const estimates = new Map(config.clay.workspaces.map((ws) => [ws.name, ws.costEstimate]));
  /** Per cap: what this run may still spend, in each meter the cap limits. */
  const allowance = new Map<string, Partial<Credits>>();
  const allowanceOf = async (cap: ReturnType<typeof capsFor>[number]) => {
    const key = `${cap.scope}|${cap.window}`;
    let left = allowance.get(key);
    if (!left) {
      const used = await ledger.used(cap.scope, cap.window);
      left = {};
      for (const meter of METERS) {
        const limit = cap.limit[meter];
        if (limit !== undefined) left[meter] = Math.floor(Math.max(0, limit - used[meter]) * share);
      }
      allowance.set(key, left);
    }
    return left;
  };
  return async (lead) => {
    const cost = estimates.get(lead.workspace) ?? { actions: 0, data: 0 };
    const lefts = await Promise.all(capsFor(config, lead, now).map(allowanceOf));
    const fits = lefts.every((left) =>
      METERS.every((meter) => left[meter] === undefined || cost[meter] <= left[meter]),
    );
    if (!fits) return false;
    for (const left of lefts)
      for (const meter of METERS) if (left[meter] !== undefined) left[meter] -= cost[meter];
    return true;
  };
}

/** The sum of the leads' cost estimates. */
export function estimateCredits(
  config: ClaypipeConfig,
  leads: ReadonlyArray<Pick<StoredLead, "workspace">>,
): Credits {
  const estimates = new Map(config.clay.workspaces.map((ws) => [ws.name, ws.costEstimate]));
  const total = { actions: 0, data: 0 };
  for (const lead of leads) {
    const cost = estimates.get(lead.workspace);
    total.actions += cost?.actions ?? 0;
    total.data += cost?.data ?? 0;
  }
  return total;
}
