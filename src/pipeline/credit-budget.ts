/**
 * The credit budget gate at send time: reserves a lead's estimated cost under
 * every cap that applies (workspace and source, day and month). When a cap
 * refuses, the lead is not failed: it waits until that cap's next window. The
 * first refusal of each cap and window is marked, so the caller can say so
 * once, with how many leads wait.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { CreditCap, CreditLedger, Credits } from "../store/credit-ledger.js";
import type { StoredLead } from "../store/lead-store.js";
import { capsFor, parseWindowKey } from "./credit-windows.js";

/** Every budget deferral's reason starts with this, so the deferred sweep can tell it from a capacity wait. */
export const CREDIT_CAP_REASON_PREFIX = "credit cap ";

export type BudgetDecision =
  | { ok: true }
  | {
      ok: false;
      cap: CreditCap;
      availableAt: number;
      reason: string;
      /** This cap's first refusal in its window (in this process). */
      first: boolean;
    };

export interface CreditBudgetOptions {
  config: ClaypipeConfig;
  ledger: CreditLedger;
}

export interface CreditBudget {
  /** Reserves the workspace's cost estimate for the lead, or says which cap refused and until when. */
  reserve(
    lead: Pick<StoredLead, "id" | "workspace" | "source">,
    now: number,
  ): Promise<BudgetDecision>;
}

export function createCreditBudget(options: CreditBudgetOptions): CreditBudget {
  const { config, ledger } = options;
  const estimates = new Map(
    config.clay.workspaces.map((workspace) => [workspace.name, workspace.costEstimate]),
  );
  // Caps and windows refused so far: the first refusal of each is marked.
  const refused = new Set<string>();

  const estimate = (workspace: string): Credits =>
    estimates.get(workspace) ?? { actions: 0, data: 0 };

  return {
    async reserve(lead, now) {
      const cost = estimate(lead.workspace);
      const result = await ledger.reserve(lead.id, cost, capsFor(config, lead, now), now);
      if (result.ok) return { ok: true };
      const { cap, used } = result;
      const window = parseWindowKey(cap.window);
      const reason = `${CREDIT_CAP_REASON_PREFIX}${cap.scope} ${window.key.replace(":", " ")} reached (${describeUse(used, cap, cost)})`;
      const key = `${cap.scope}|${cap.window}`;
      const first = !refused.has(key);
      refused.add(key);
      return { ok: false, cap, availableAt: window.end, reason, first };
    },
  };
}

/** "data 4995/5000": the meters the lead's cost would take past their limit. */
function describeUse(used: Credits, cap: CreditCap, cost: Credits): string {
  const meters = (["actions", "data"] as const).filter((meter) => {
    const limit = cap.limit[meter];
    return limit !== undefined && used[meter] + cost[meter] > limit;
  });
  return meters.map((meter) => `${meter} ${used[meter]}/${cap.limit[meter]}`).join(", ");
}
