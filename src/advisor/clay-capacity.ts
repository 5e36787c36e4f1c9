/**
 * Sentences about what Clay itself allows, whatever the tier: the plan's
 * features, webhook and table lifetimes, workspace rate and data credits.
 * Each says what happens at these numbers and, when it bites, what to do.
 */
import {
  DATA_CREDITS_PER_RECORD,
  DAYS_PER_MONTH,
  PLAN_DATA_CREDITS,
  RECORDS_PER_SECOND_PER_WORKSPACE,
  ROWS_PER_TABLE,
  SECONDS_PER_DAY,
  SUBMISSIONS_PER_WEBHOOK,
  TRIAL_DAYS,
} from "./clay-limits.js";
import { formatCount, formatDays, formatRate } from "./numbers.js";
import { averageRatePerSecond, peakFactor } from "./sizing.js";
import type { ClayPlan, Latency, Sizing } from "./types.js";

export interface CapacityNotes {
  reasons: string[];
  warnings: string[];
}

export interface CapacityInput {
  volumePerDay: number;
  latency: Latency;
  plan: ClayPlan | undefined;
  creditBudgetPerMonth: number | undefined;
  sizing: Sizing;
}

export function clayCapacityNotes(input: CapacityInput): CapacityNotes {
  const notes: CapacityNotes = { reasons: [], warnings: [] };
  notes.warnings.push(...planWarnings(input.plan));
  if (input.volumePerDay > 0) {
    webhookNote(input, notes);
    tableNote(input, notes);
    rateNote(input, notes);
    creditNotes(input, notes);
  }
  return notes;
}

function planWarnings(plan: ClayPlan | undefined): string[] {
  if (plan === "launch") {
    return [
      "Clay's Launch plan cannot use webhook sources or the HTTP API column, and claypipe sends and receives through them, so move to Growth or above first.",
    ];
  }
  if (plan === "trial") {
    return [
      `Clay's trial has webhook sources and the HTTP API column for ${TRIAL_DAYS} days only, so move to Growth or above before it ends or sending stops.`,
    ];
  }
  if (plan === undefined) {
    return [
      "claypipe sends through webhook sources and receives through the HTTP API column, which need Clay's Growth plan or above (Launch cannot use them).",
    ];
  }
  return [];
}

function webhookNote({ volumePerDay, sizing }: CapacityInput, notes: CapacityNotes): void {
  const lasts = formatDays(SUBMISSIONS_PER_WEBHOOK / volumePerDay);
  if (sizing.webhooksPerMonth > 1) {
    notes.warnings.push(
      `A webhook source takes ${formatCount(SUBMISSIONS_PER_WEBHOOK)} submissions in its lifetime, ${lasts} at ${formatCount(volumePerDay)} leads a day, so keep a pool with ${formatCount(sizing.webhooksPerMonth)} new webhook sources a month.`,
    );
  } else {
    notes.reasons.push(
      `One webhook source lasts ${lasts} at this volume (${formatCount(SUBMISSIONS_PER_WEBHOOK)} submissions in its lifetime); add the next to the pool before it runs out.`,
    );
  }
}

function tableNote({ volumePerDay, plan, sizing }: CapacityInput, notes: CapacityNotes): void {
  const lasts = formatDays(ROWS_PER_TABLE / volumePerDay);
  if (volumePerDay * DAYS_PER_MONTH < ROWS_PER_TABLE) {
    notes.reasons.push(
      `A table's ${formatCount(ROWS_PER_TABLE)} rows last ${lasts} at this volume.`,
    );
    return;
  }
  const remedy =
    plan === "enterprise"
      ? "use passthrough tables with auto-delete (Enterprise) or rotate tables"
      : "plan table rotation, or Enterprise passthrough tables with auto-delete";
  notes.warnings.push(
    `A table fills its ${formatCount(ROWS_PER_TABLE)} rows in ${lasts} and Clay drops later rows without an error, so with ${formatCount(sizing.tablesFilledPerMonth)} tables filled a month ${remedy}.`,
  );
}

function rateNote({ volumePerDay, latency, sizing }: CapacityInput, notes: CapacityNotes): void {
  const average = formatRate(averageRatePerSecond(volumePerDay));
  const peak = formatRate(sizing.peakRatePerSecond);
  const shape =
    peakFactor(latency) === 1
      ? `the day's leads, spread evenly because results may wait hours, go out at ${average} records/s`
      : `peaks reach about ${peak} records/s (${peakFactor(latency)}× the average of ${average}/s)`;
  if (sizing.workspacesNeeded === 1) {
    notes.reasons.push(
      `One workspace's ~${RECORDS_PER_SECOND_PER_WORKSPACE} records/s is enough: ${shape}.`,
    );
    return;
  }
  const perDay = formatCount(RECORDS_PER_SECOND_PER_WORKSPACE * SECONDS_PER_DAY);
  notes.warnings.push(
    `A workspace takes ~${RECORDS_PER_SECOND_PER_WORKSPACE} records/s (${perDay} a day at most) and ${shape}, so spread the load over ${formatCount(sizing.workspacesNeeded)} Clay workspaces.`,
  );
}

function creditNotes(input: CapacityInput, notes: CapacityNotes): void {
  const { low, high } = input.sizing.estimatedDataCreditsPerMonth;
  const records = formatCount(input.volumePerDay * DAYS_PER_MONTH);
  const cost = `${formatCount(low)}–${formatCount(high)} data credits`;
  const perRecord = `${DATA_CREDITS_PER_RECORD.low}–${DATA_CREDITS_PER_RECORD.high} each`;
  notes.reasons.push(
    `Fully enriching ${records} records a month costs about ${cost} (${perRecord}).`,
  );

  const allowance = input.plan === undefined ? undefined : PLAN_DATA_CREDITS[input.plan];
  if (allowance && high > allowance.high) {
    const planName = input.plan === "launch" ? "Launch" : "Growth";
    const range = `${formatCount(allowance.low)}–${formatCount(allowance.high)}`;
    notes.warnings.push(
      low > allowance.high
        ? `That is more than Clay's ${planName} plan includes (${range} data credits a month), so budget for extra credits or enrich fewer fields.`
        : `That can pass what Clay's ${planName} plan includes (${range} data credits a month) when records need many enrichments.`,
    );
  }

  const budget = input.creditBudgetPerMonth;
  if (budget === undefined) return;
  if (low > budget) {
    const fewest = Math.floor(budget / DATA_CREDITS_PER_RECORD.high);
    const most = Math.floor(budget / DATA_CREDITS_PER_RECORD.low);
    notes.warnings.push(
      `Your budget of ${formatCount(budget)} data credits a month enriches only about ${formatCount(fewest)}–${formatCount(most)} records (${formatCount(fewest / DAYS_PER_MONTH)}–${formatCount(most / DAYS_PER_MONTH)} a day), so raise it or enrich fewer fields per record.`,
    );
  } else if (high > budget) {
    notes.warnings.push(
      `Your budget of ${formatCount(budget)} data credits a month covers the low estimate but not the high one, so keep enrichments per record near the low end or raise it.`,
    );
  } else {
    notes.reasons.push(`That fits your budget of ${formatCount(budget)} data credits a month.`);
  }
}
