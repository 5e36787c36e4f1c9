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
}

export interface CreditHold {
  /** Leads deferred by a credit cap that resume at `resumesAt`. */
  waiting: number;
  /** When they resume: the next window's start, ISO 8601 in UTC. */
  resumesAt: string;
  /** The configured caps whose window ends then (none when the cap left the config). */
  caps: HoldingCap[];
}

export async function readCreditHolds(
  config: ClaypipeConfig,
  store: Pick<Store, "leads" | "ledger">,
): Promise<CreditHold[]> {
  const waiting = await store.leads.countWaiting("deferred", CREDIT_CAP_REASON_PREFIX);
  return Promise.all(
    waiting.map(async ({ availableAt, count }) => ({
      waiting: count,
      resumesAt: new Date(availableAt).toISOString(),
      caps: await Promise.all(
        capsEndingAt(config, availableAt).map(async (cap) => ({
          ...cap,
          used: await store.ledger.used(cap.scope, cap.window),
        })),
      ),
    })),
  );
}

/** One line a person reads: how many wait, until when, and which cap holds them. */
export function describeCreditHold(hold: CreditHold): string {
  const leads = hold.waiting === 1 ? "1 lead waits" : `${hold.waiting} leads wait`;
  const caps = hold.caps.map(
    (cap) =>
      `${cap.scope} ${cap.window.startsWith("day") ? "daily" : "monthly"} cap (${describeMeters(cap)})`,
  );
  const why = caps.length > 0 ? `held by the ${caps.join(" and the ")}` : "held by a credit cap";
  return `${leads} as deferred until ${hold.resumesAt} (UTC), ${why}; raise the cap in the config to send them sooner`;
}

function describeMeters(cap: HoldingCap): string {
  return (["actions", "data"] as const)
    .filter((meter) => cap.limit[meter] !== undefined)
    .map((meter) => `${meter} ${cap.used[meter]}/${cap.limit[meter]}`)
    .join(", ");
}

/** The configured caps (workspace and source, day and month) whose window ends at `end`. */
function capsEndingAt(config: ClaypipeConfig, end: number): Array<Omit<HoldingCap, "used">> {
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
