/**
 * What `claypipe recommend` is asked and what it answers.
 *
 * Glossary.
 * - volume: new leads a day, on average.
 * - latency: how soon a lead's enriched result is needed: "realtime" (as it
 *   happens), "minutes", or "hours" (leads may wait, so sending can be spread).
 * - peak rate: records a second at the busiest time; Clay's limit applies to it.
 */

export type Tier = "direct" | "standard" | "queue" | "event";
export type Latency = "realtime" | "minutes" | "hours";
export type ClayPlan = "launch" | "growth" | "enterprise" | "trial";
export type Infra = "none" | "redis" | "postgres" | "kafka" | "nats";

export interface RecommendInput {
  /** New leads a day. */
  volumePerDay: number;
  /** @defaultValue "minutes" */
  latency?: Latency;
  /** The Clay plan; unknown when left out. */
  plan?: ClayPlan;
  /** Engineers who will run it; unknown when left out. */
  team?: number;
  /** What the team already runs; unknown when left out ("none" = nothing). */
  infra?: Infra[];
  /** Data credits the team can spend a month. */
  creditBudgetPerMonth?: number;
}

export interface Sizing {
  /** New webhook sources used up a month (50,000 lifetime submissions each). */
  webhooksPerMonth: number;
  /** Tables of 50,000 rows a month's leads take. */
  tablesFilledPerMonth: number;
  /** Records a second to send at the busiest time. */
  peakRatePerSecond: number;
  /** Clay workspaces whose ~10 records/s together carry the peak. */
  workspacesNeeded: number;
  estimatedDataCreditsPerMonth: { low: number; high: number };
}

export interface Recommendation {
  tier: Tier;
  /** Why this tier and these numbers, one plain sentence each. */
  reasons: string[];
  /** What will bite if nothing is done, one plain sentence each. */
  warnings: string[];
  sizing: Sizing;
}
