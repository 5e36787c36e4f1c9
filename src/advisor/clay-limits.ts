/**
 * The numbers from Clay's side that size a pipeline (see clay-facts.md). They
 * are Clay's, not claypipe's settings: the advisor plans around them.
 */
import type { ClayPlan } from "./types.js";

/** Submissions one webhook source accepts in its lifetime (official). */
export const SUBMISSIONS_PER_WEBHOOK = 50_000;

/** Rows one table holds; Clay drops rows past it without an error (official). */
export const ROWS_PER_TABLE = 50_000;

/** Records a workspace takes per second (Clay support; PostHog's exporter uses the same). */
export const RECORDS_PER_SECOND_PER_WORKSPACE = 10;

export const SECONDS_PER_DAY = 86_400;
export const DAYS_PER_MONTH = 30;

/** Data credits a fully enriched record costs, roughly. */
export const DATA_CREDITS_PER_RECORD = { low: 6, high: 20 } as const;

/** Data credits a month each plan comes with; Enterprise and the trial have no published number. */
export const PLAN_DATA_CREDITS: Partial<Record<ClayPlan, { low: number; high: number }>> = {
  launch: { low: 2_500, high: 10_000 },
  growth: { low: 6_000, high: 100_000 },
};

/** Days the trial includes webhooks and the HTTP API column. */
export const TRIAL_DAYS = 14;
