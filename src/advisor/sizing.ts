/** The monthly numbers a volume implies against Clay's limits: webhooks, tables, rate, workspaces, credits. */
import {
  DATA_CREDITS_PER_RECORD,
  DAYS_PER_MONTH,
  RECORDS_PER_SECOND_PER_WORKSPACE,
  ROWS_PER_TABLE,
  SECONDS_PER_DAY,
  SUBMISSIONS_PER_WEBHOOK,
} from "./clay-limits.js";
import type { Latency, Sizing } from "./types.js";

/**
 * Busiest rate over the average: leads arrive in working hours, so sending as
 * they come means planning for about 3× the day's average. When results may
 * wait hours, claypipe's queue spreads the day's leads evenly instead.
 */
export function peakFactor(latency: Latency): number {
  return latency === "hours" ? 1 : 3;
}

export function averageRatePerSecond(volumePerDay: number): number {
  return volumePerDay / SECONDS_PER_DAY;
}

export function sizePipeline(volumePerDay: number, latency: Latency): Sizing {
  const perMonth = volumePerDay * DAYS_PER_MONTH;
  // Multiplied before dividing, so round volumes give exact rates (288,000 a day at 3× is 10/s, not 10.000000000000002).
  const peak = (volumePerDay * peakFactor(latency)) / SECONDS_PER_DAY;
  return {
    webhooksPerMonth: Math.ceil(perMonth / SUBMISSIONS_PER_WEBHOOK),
    tablesFilledPerMonth: Math.ceil(perMonth / ROWS_PER_TABLE),
    peakRatePerSecond: Number(peak.toPrecision(3)),
    workspacesNeeded: Math.max(1, Math.ceil(peak / RECORDS_PER_SECOND_PER_WORKSPACE)),
    estimatedDataCreditsPerMonth: {
      low: Math.ceil(perMonth * DATA_CREDITS_PER_RECORD.low),
      high: Math.ceil(perMonth * DATA_CREDITS_PER_RECORD.high),
    },
  };
}
