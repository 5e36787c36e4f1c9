/**
 * The conditions alerts watch, read from the pipeline's status: every
 * condition that could hold now, each with whether it holds, what happened and
 * what to do. Pure: the same status and settings give the same conditions.
 *
 * condition: one thing that is either true or not, named by a stable key
 * ("credit:workspace:main:2026-12-03:data:0.8"); alerted once when it becomes
 * true, and (for those with `clearedText`) once when it clears.
 */
import type { BreakerState } from "../clay/breaker/circuit-breaker.js";
import type { PoolCapacity } from "../clay/webhook-pool.js";
import type { AlertsConfig } from "../config/alerts-schema.js";
import type { LeadState } from "../core/lead-state.js";

/** The part of PipelineStatus alerts read. */
export interface AlertStatus {
  states: Record<LeadState, number>;
  credits: Array<{
    scope: string;
    window: string;
    used: { actions: number; data: number };
    limit: Partial<{ actions: number; data: number }>;
  }>;
  capacity: Array<{ workspace: string; table: string; pool: PoolCapacity }>;
  breakers: Array<{ workspace: string; state: BreakerState }>;
  dlq: { leads: number; deliveries: number };
}

export interface AlertCondition {
  key: string;
  holds: boolean;
  /** One line: what happened. */
  title: string;
  /** The figures behind it. */
  text: string;
  /** What a person should do. */
  action: string;
  /** Said once when the condition clears; none for conditions whose clearing needs no one. */
  clearedText?: string;
}

export type AlertThresholds = Pick<
  AlertsConfig,
  "creditCap" | "rowsLeft" | "submissionsLeft" | "breaker" | "dlqSize"
>;

export function readAlertConditions(
  status: AlertStatus,
  thresholds: AlertThresholds,
  callbacksSilent: { holds: boolean; forMs: number },
): AlertCondition[] {
  return [
    ...creditConditions(status, thresholds),
    ...capacityConditions(status, thresholds),
    ...(thresholds.breaker ? breakerConditions(status) : []),
    dlqCondition(status, thresholds),
    silenceCondition(status, callbacksSilent),
  ];
}

function creditConditions(status: AlertStatus, thresholds: AlertThresholds): AlertCondition[] {
  const shares = [...new Set(thresholds.creditCap)].sort((a, b) => a - b);
  return status.credits.flatMap(({ scope, window, used, limit }) =>
    (["actions", "data"] as const).flatMap((kind) => {
      const cap = limit[kind];
      if (cap === undefined || cap <= 0) return [];
      const spent = used[kind];
      const period = window.startsWith("month") ? "monthly" : "daily";
      // "day:2026-12-03" → "2026-12-03"
      const when = window.slice(window.indexOf(":") + 1);
      return shares.map((share) => {
        const percent = Math.round(share * 100);
        const full = share >= 1;
        return {
          key: `credit:${scope}:${window}:${kind}:${share}`,
          holds: spent >= cap * share,
          title: `Credit cap ${percent}% reached: ${scope}, ${kind} credits, ${when}`,
          text: `${scope} has used ${spent} of its ${period} cap of ${cap} ${kind} credits for ${when}.`,
          action: full
            ? `New leads wait as deferred (or dead as budget in the event tier) until the next window. Raise credits.${period}.${kind} for ${scope} if they should go today.`
            : `At 100% new leads wait until the next window: raise credits.${period}.${kind} for ${scope}, or expect them to.`,
        };
      });
    }),
  );
}

function capacityConditions(status: AlertStatus, thresholds: AlertThresholds): AlertCondition[] {
  return status.capacity.flatMap(({ workspace, table, pool }) => {
    const name = `${workspace}/${table}`;
    const usable = pool.webhooks.filter((webhook) => !webhook.retired && !webhook.unusable);
    const submissionsLeft = usable.reduce((sum, webhook) => sum + webhook.remaining, 0);
    return [
      {
        key: `rows:${name}`,
        holds: pool.table.remaining <= thresholds.rowsLeft,
        title: `Table ${name} is near its row limit`,
        text: `${pool.table.remaining} rows left of ${pool.table.limit}.`,
        action: `Create a new table in Clay and point the table's id in the config at it (or add a table and move the source to it); at 0 leads wait as deferred.`,
      },
      ...pool.webhooks.map((webhook) => ({
        key: `retired:${name}:${webhook.key}`,
        holds: webhook.retired,
        title: `Webhook source #${webhook.index + 1} of table ${name} retired`,
        text: `It took ${webhook.used} submissions, its limit; claypipe sends to the table's other sources.`,
        action: `Add a new webhook source to the table in Clay and its URL to the table's webhooks in the config.`,
      })),
      {
        key: `submissions:${name}`,
        holds: submissionsLeft <= thresholds.submissionsLeft,
        title: `Table ${name} is running out of webhook submissions`,
        text: `${submissionsLeft} submissions left on ${usable.length} usable webhook source(s).`,
        action: `Add a new webhook source to the table in Clay and its URL to the table's webhooks; at 0 leads wait as deferred.`,
      },
    ];
  });
}

function breakerConditions(status: AlertStatus): AlertCondition[] {
  return status.breakers.map(({ workspace, state }) => ({
    key: `breaker:${workspace}`,
    holds: state !== "closed",
    title: `Circuit breaker open: workspace ${workspace}`,
    text: `Too many sends to Clay failed; claypipe stopped sending to ${workspace} and probes it now and then. Leads wait, none are lost.`,
    action: `Check Clay's status and the workspace's webhook URLs and API key; nothing to do if Clay is down, sending resumes by itself.`,
    clearedText: `Circuit breaker closed: workspace ${workspace} answers again and sending resumed.`,
  }));
}

function dlqCondition(status: AlertStatus, thresholds: AlertThresholds): AlertCondition {
  const { leads, deliveries } = status.dlq;
  return {
    key: "dlq",
    holds: leads + deliveries >= thresholds.dlqSize,
    title: `The DLQ holds ${leads + deliveries} letters`,
    text: `${leads} dead leads and ${deliveries} dead sink deliveries (threshold ${thresholds.dlqSize}).`,
    action: `Run \`claypipe dlq list\` to see why, fix the cause, then \`claypipe dlq replay\` (or purge what is not wanted).`,
  };
}

function silenceCondition(
  status: AlertStatus,
  silent: { holds: boolean; forMs: number },
): AlertCondition {
  const minutes = Math.round(silent.forMs / 60_000);
  return {
    key: "callbacks",
    holds: silent.holds,
    title: "Callbacks stopped arriving",
    text: `${status.states.awaiting_callback} leads await Clay's callback and none has come back for ${minutes} min.`,
    action: `Check the table's HTTP API column in Clay (enabled, its URL reaching callbacks.baseUrl) and that this server is reachable from the internet.`,
    clearedText: "Callbacks arrive again.",
  };
}
