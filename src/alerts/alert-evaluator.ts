/**
 * Which conditions to alert now: a condition is raised when it holds and did
 * not at the previous check, and cleared when it held and no longer does.
 * Keys gone from the status (a past credit window) drop out silently. Pure:
 * the caller keeps `active` between checks.
 */
import type { AlertCondition } from "./alert-conditions.js";

export interface AlertChanges {
  raised: AlertCondition[];
  cleared: AlertCondition[];
  /** The conditions holding now, by key: the next check's `active`. */
  active: ReadonlyMap<string, AlertCondition>;
}

export function evaluateAlerts(
  active: ReadonlyMap<string, AlertCondition>,
  conditions: readonly AlertCondition[],
): AlertChanges {
  const holding = new Map(
    conditions.filter((condition) => condition.holds).map((c) => [c.key, c] as const),
  );
  return {
    raised: [...holding.values()].filter((condition) => !active.has(condition.key)),
    cleared: conditions.filter((condition) => !condition.holds && active.has(condition.key)),
    active: holding,
  };
}
