/**
 * What credit caps hold back right now: the leads deferred by a cap, grouped
 * by the UTC time they resume, with the caps whose window ends then. `start`
 * logs it and `status` shows it, so a cap that holds leads until tomorrow is
 * said plainly instead of looking like a stalled pipeline.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { Credits, Store } from "../store/store.js";
import { capScopes, type WindowKind, windowAt } from "./credit-windows.js";
import { CREDIT_CAP_REASON_PREFIX } from "./wait-reasons.js";

export interface HoldingCap {
  /** "workspace:main" or "source:web". */
  scope: string;
  /** e.g. "day:2026-11-25" */
  window: string;
  limit: Partial<Credits>;
  used: Credits;
  /** No room left for one more lead's cost estimate: this cap holds leads. */
  reached: boolean;
}

export interface CreditHold {
  /** Leads deferred by a credit cap that resume at `resumesAt`. */
  waiting: number;
  /** When they resume: the next window's start, ISO 8601 in UTC. */
  resumesAt: string;
  /** The configured caps whose window ends then (none when the cap left the config). */
  caps: HoldingCap[];
  /** Some cap is reached; when none is, the leads resume at the next capacity check. */
  held: boolean;
}

export async function readCreditHolds(
  config: ClaypipeConfig,
  store: Pick<Store, "leads" | "ledger">,
): Promise<CreditHold[]> {
  const waiting = await store.leads.countWaiting("deferred", CREDIT_CAP_REASON_PREFIX);
  return Promise.all(
    waiting.map(async ({ availableAt, count }) => {
      const caps = await Promise.all(
        capsEndingAt(config, availableAt).map(async (cap) => {
          const used = await store.ledger.used(cap.scope, cap.window);
          const cost = smallestEstimate(config, cap.scope);
          const reached = (["actions", "data"] as const).some((meter) => {
            const limit = cap.limit[meter];
            return limit !== undefined && used[meter] + cost[meter] > limit;
          });
          return { ...cap, used, reached };
        }),
      );
      return {
        waiting: count,
        resumesAt: new Date(availableAt).toISOString(),
        caps,
        held: caps.some((cap) => cap.reached),
      };
    }),
  );
}

/** One line a person reads: how many wait, until when, and which cap holds them. */
export function describeCreditHold(hold: CreditHold): string {
  const leads = hold.waiting === 1 ? "1 lead waits" : `${hold.waiting} leads wait`;
  if (!hold.held) {
    const caps = describeCaps(hold.caps);
    const now = caps
      ? `the ${caps} now ${hold.caps.length === 1 ? "has" : "have"} room`
      : "no configured cap holds them now";
    return `${leads} as deferred by a credit cap; ${now}, so they resume at the next capacity check (seconds)`;
  }
  const caps = describeCaps(hold.caps.filter((cap) => cap.reached));
  return `${leads} as deferred until ${hold.resumesAt} (UTC), held by the ${caps}; raise the cap in the config to send them sooner`;
}

function describeCaps(caps: HoldingCap[]): string {
  return caps
    .map(
      (cap) =>
        `${cap.scope} ${cap.window.startsWith("day") ? "daily" : "monthly"} cap (${describeMeters(cap)})`,
    )
    .join(" and the ");
}

/** The least one lead under this scope is estimated to cost: its workspace's estimate, or the smallest. */
function smallestEstimate(config: ClaypipeConfig, scope: string): Credits {
  const workspaces = config.clay.workspaces.filter(
    (ws) => !scope.startsWith("workspace:") || `workspace:${ws.name}` === scope,
  );
  return {
    actions: Math.min(...workspaces.map((ws) => ws.costEstimate.actions)),
    data: Math.min(...workspaces.map((ws) => ws.costEstimate.data)),
  };
}

function describeMeters(cap: HoldingCap): string {
  return (["actions", "data"] as const)
    .filter((meter) => cap.limit[meter] !== undefined)
    .map((meter) => `${meter} ${cap.used[meter]}/${cap.limit[meter]}`)
    .join(", ");
}

/** The configured caps (workspace and source, day and month) whose window ends at `end`. */
function capsEndingAt(
  config: ClaypipeConfig,
  end: number,
): Array<Omit<HoldingCap, "used" | "reached">> {
  const scopes = capScopes(config);
  const kinds: Array<[WindowKind, "daily" | "monthly"]> = [
    ["day", "daily"],
    ["month", "monthly"],
  ];
  return scopes.flatMap(([scope, caps]) =>
    kinds.flatMap(([kind, key]) => {
      const limit = caps[key];
      if (limit?.actions === undefined && limit?.data === undefined) return [];
      const window = windowAt(kind, end - 1);
      return window.end === end ? [{ scope, window: window.key, limit: { ...limit } }] : [];
    }),
  );
}
