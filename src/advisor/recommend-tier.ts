/**
 * The decision matrix behind `claypipe recommend`: the tier a volume calls for
 * (DESIGN.md), adjusted for latency, the infrastructure the team runs and the
 * team's size, plus what Clay's own limits mean at that volume. Pure: no I/O.
 */
import { ClaypipeError } from "../core/errors.js";
import { clayCapacityNotes } from "./clay-capacity.js";
import { formatCount } from "./numbers.js";
import { sizePipeline } from "./sizing.js";
import type { ClayPlan, Infra, Latency, Recommendation, RecommendInput, Tier } from "./types.js";

export type {
  ClayPlan,
  Infra,
  Latency,
  Recommendation,
  RecommendInput,
  Sizing,
  Tier,
} from "./types.js";

const TIERS: Tier[] = ["direct", "standard", "queue", "event"];

/** Lowest daily volume each tier is for. */
const TIER_FLOOR: Record<Tier, number> = {
  direct: 0,
  standard: 1_000,
  queue: 10_000,
  event: 50_000,
};

/** What each tier runs on: every group needs one of its members. */
const TIER_NEEDS: Record<Tier, Infra[][]> = {
  direct: [],
  standard: [],
  queue: [["redis"], ["postgres"]],
  event: [["kafka", "nats"], ["postgres"]],
};

const INFRA_NAMES: Record<Infra, string> = {
  none: "nothing",
  redis: "Redis",
  postgres: "PostgreSQL",
  kafka: "Kafka",
  nats: "NATS JetStream",
};

const VOLUME_REASONS: Record<Tier, string> = {
  direct:
    "(under 1,000) direct fits: one process sends them at Clay's rate, and results stay in Clay or are polled through its public API.",
  standard:
    "(1,000–10,000) standard fits: one process with an embedded SQLite outbox, no server to install, and results come back by callback.",
  queue:
    "(10,000–50,000) queue fits: an API and any number of workers share BullMQ on Redis, with PostgreSQL as the store.",
  event:
    "(50,000 or more) event fits: independent services on Kafka or NATS JetStream with PostgreSQL, fanning results out to downstream consumers.",
};

export function recommendTier(input: RecommendInput): Recommendation {
  checkInput(input);
  const latency = input.latency ?? "minutes";
  const reasons: string[] = [];
  const warnings: string[] = [];

  const byVolume = TIERS.findLast((tier) => input.volumePerDay >= TIER_FLOOR[tier])!;
  reasons.push(`At ${formatCount(input.volumePerDay)} leads a day ${VOLUME_REASONS[byVolume]}`);
  let tier = byVolume;

  if (tier === "direct" && latency === "realtime") {
    tier = "standard";
    reasons.push(
      "Realtime results need Clay's HTTP API column to call back as each row is enriched, which direct does not receive, so standard: still one process, with a callback receiver.",
    );
  }

  if (input.infra !== undefined) {
    const have = new Set(input.infra);
    const wanted = tier;
    while (missingFor(tier, have).length > 0) tier = TIERS[TIERS.indexOf(tier) - 1]!;
    if (tier !== wanted) {
      const missing = missingFor(wanted, have).join(" and ");
      warnings.push(
        `${capitalize(wanted)} needs ${missing}, which you do not run, so this is ${tier} for now: install ${missing} (or use a managed service) to move up, which is a config change.`,
      );
    } else if (TIER_NEEDS[tier].length > 0) {
      reasons.push(`You already run what ${tier} needs (${runsOn(tier, input.infra)}).`);
    }
  } else if (TIER_NEEDS[tier].length > 0) {
    reasons.push(
      `${capitalize(tier)} runs on ${runsOn(tier)}, so someone has to run them (or use managed services).`,
    );
  }

  if (input.team !== undefined && input.team < 2 && tier === "event") {
    warnings.push(
      `A team of ${input.team} running ${runsOn("event", input.infra)} is on call for all of it alone, so prefer managed services or stay on queue until the team grows.`,
    );
  }

  const sizing = sizePipeline(input.volumePerDay, latency);
  const capacity = clayCapacityNotes({
    volumePerDay: input.volumePerDay,
    latency,
    plan: input.plan,
    creditBudgetPerMonth: input.creditBudgetPerMonth,
    sizing,
  });
  return {
    tier,
    reasons: [...reasons, ...capacity.reasons],
    warnings: [...warnings, ...capacity.warnings],
    sizing,
  };
}

/** The infrastructure `tier` needs and `have` lacks, as names: ["Redis", "PostgreSQL"]. */
function missingFor(tier: Tier, have: Set<Infra>): string[] {
  return TIER_NEEDS[tier]
    .filter((group) => !group.some((infra) => have.has(infra)))
    .map((group) => group.map((infra) => INFRA_NAMES[infra]).join(" or "));
}

/** "Redis and PostgreSQL"; of alternatives, the ones the team runs when it says so. */
function runsOn(tier: Tier, have: Infra[] = []): string {
  return TIER_NEEDS[tier]
    .map((group) => {
      const used = group.filter((infra) => have.includes(infra));
      return (used.length > 0 ? used : group).map((infra) => INFRA_NAMES[infra]).join(" or ");
    })
    .join(" and ");
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const LATENCIES: Latency[] = ["realtime", "minutes", "hours"];
const PLANS: ClayPlan[] = ["launch", "growth", "enterprise", "trial"];
const INFRAS = Object.keys(INFRA_NAMES) as Infra[];

function checkInput(input: RecommendInput): void {
  const fail = (message: string, hint: string) => {
    throw new ClaypipeError("input_invalid", message, { hint });
  };
  if (!Number.isFinite(input.volumePerDay) || input.volumePerDay < 0) {
    fail(
      `the volume ${input.volumePerDay} is not a number of leads a day`,
      "give the new leads a day, e.g. 5000",
    );
  }
  if (input.latency !== undefined && !LATENCIES.includes(input.latency)) {
    fail(`unknown latency "${input.latency}"`, `use one of ${LATENCIES.join(", ")}`);
  }
  if (input.plan !== undefined && !PLANS.includes(input.plan)) {
    fail(`unknown Clay plan "${input.plan}"`, `use one of ${PLANS.join(", ")}`);
  }
  if (input.team !== undefined && !(Number.isInteger(input.team) && input.team >= 1)) {
    fail(
      `a team of ${input.team} engineers is not possible`,
      "give the number of engineers, 1 or more",
    );
  }
  const unknown = input.infra?.find((infra) => !INFRAS.includes(infra));
  if (unknown !== undefined)
    fail(`unknown infrastructure "${unknown}"`, `use any of ${INFRAS.join(", ")}`);
  const budget = input.creditBudgetPerMonth;
  if (budget !== undefined && !(Number.isFinite(budget) && budget >= 0)) {
    fail(
      `the credit budget ${budget} is not a number of data credits`,
      "give data credits a month, e.g. 50000",
    );
  }
}
