import { describe, expect, it } from "vitest";
import { type RecommendInput, recommendTier } from "../../src/advisor/recommend-tier.js";

function warningsOf(input: RecommendInput): string[] {
  return recommendTier(input).warnings;
}

function find(sentences: string[], pattern: RegExp): string | undefined {
  return sentences.find((sentence) => pattern.test(sentence));
}

describe("recommendTier: tier by volume", () => {
  it.each([
    [0, "direct"],
    [999, "direct"],
    [1_000, "standard"],
    [9_999, "standard"],
    [10_000, "queue"],
    [49_999, "queue"],
    [50_000, "event"],
    [2_000_000, "event"],
  ] as const)("%d leads a day → %s", (volumePerDay, tier) => {
    const advice = recommendTier({ volumePerDay, plan: "growth" });
    expect(advice.tier).toBe(tier);
    expect(advice.reasons[0]).toMatch(
      new RegExp(`^At [\\d,]+ leads a day \\(.+\\) ${tier} fits: `),
    );
  });
});

describe("recommendTier: adjustments", () => {
  // The last column is the sentence that explains the adjustment.
  it.each<[string, RecommendInput, string, RegExp | undefined]>([
    [
      "realtime moves direct up to standard for callbacks",
      { volumePerDay: 200, latency: "realtime" },
      "standard",
      /^Realtime results need Clay's HTTP API column to call back/,
    ],
    ["hours keeps direct", { volumePerDay: 200, latency: "hours" }, "direct", undefined],
    [
      "queue without Redis and PostgreSQL stays on standard",
      { volumePerDay: 20_000, infra: ["none"] },
      "standard",
      /^Queue needs Redis and PostgreSQL, which you do not run, so this is standard for now: install Redis and PostgreSQL/,
    ],
    [
      "queue without Redis stays on standard",
      { volumePerDay: 20_000, infra: ["postgres"] },
      "standard",
      /^Queue needs Redis, which you do not run/,
    ],
    [
      "queue with Redis and PostgreSQL",
      { volumePerDay: 20_000, infra: ["redis", "postgres"] },
      "queue",
      undefined,
    ],
    [
      "event without Kafka or NATS falls back to queue",
      { volumePerDay: 80_000, infra: ["redis", "postgres"] },
      "queue",
      /^Event needs Kafka or NATS JetStream, which you do not run, so this is queue for now/,
    ],
    [
      "event with nothing installed falls back to standard",
      { volumePerDay: 80_000, infra: ["none"] },
      "standard",
      /^Event needs Kafka or NATS JetStream and PostgreSQL, which you do not run, so this is standard for now/,
    ],
    [
      "event on NATS and PostgreSQL",
      { volumePerDay: 80_000, infra: ["nats", "postgres"], team: 3 },
      "event",
      undefined,
    ],
    [
      "a team of one on Kafka is warned",
      { volumePerDay: 80_000, infra: ["kafka", "postgres"], team: 1 },
      "event",
      /^A team of 1 running Kafka and PostgreSQL is on call for all of it alone/,
    ],
  ])("%s", (_, input, tier, warning) => {
    const advice = recommendTier({ plan: "growth", ...input });
    expect(advice.tier).toBe(tier);
    if (warning) expect(find([...advice.reasons, ...advice.warnings], warning)).toBeDefined();
    else expect(find(advice.warnings, /which you do not run|team of/)).toBeUndefined();
  });

  it("says what a tier runs on when the infrastructure is unknown", () => {
    expect(recommendTier({ volumePerDay: 20_000 }).reasons).toContain(
      "Queue runs on Redis and PostgreSQL, so someone has to run them (or use managed services).",
    );
  });

  it("does not warn a team of two on event", () => {
    expect(find(warningsOf({ volumePerDay: 80_000, team: 2 }), /team of/)).toBeUndefined();
  });
});

describe("recommendTier: Clay plan", () => {
  it.each<[RecommendInput["plan"], RegExp | undefined]>([
    ["launch", /^Clay's Launch plan cannot use webhook sources or the HTTP API column/],
    ["trial", /^Clay's trial has webhook sources and the HTTP API column for 14 days only/],
    [undefined, /need Clay's Growth plan or above \(Launch cannot use them\)\.$/],
    ["growth", undefined],
    ["enterprise", undefined],
  ])("%s", (plan, warning) => {
    const found = find(warningsOf({ volumePerDay: 10, plan }), /Launch|trial/);
    if (warning) expect(found).toMatch(warning);
    else expect(found).toBeUndefined();
  });
});

describe("recommendTier: sizing against Clay's limits", () => {
  it.each([
    // volume, webhooks = tables a month, peak/s at 3×, workspaces
    [100, 1, 0.00347, 1],
    [1_666, 1, 0.0578, 1],
    [1_667, 2, 0.0579, 1],
    [5_000, 3, 0.174, 1],
    [288_000, 173, 10, 1],
    [288_001, 173, 10, 2],
    [1_000_000, 600, 34.7, 4],
  ])("%d a day", (volumePerDay, perMonth, peak, workspaces) => {
    const { sizing } = recommendTier({ volumePerDay, plan: "growth" });
    expect(sizing).toMatchObject({
      webhooksPerMonth: perMonth,
      tablesFilledPerMonth: perMonth,
      peakRatePerSecond: peak,
      workspacesNeeded: workspaces,
    });
    expect(sizing.estimatedDataCreditsPerMonth).toEqual({
      low: volumePerDay * 30 * 6,
      high: volumePerDay * 30 * 20,
    });
  });

  it("plans for the average rate when results may wait hours", () => {
    const advice = recommendTier({ volumePerDay: 864_000, latency: "hours", plan: "growth" });
    expect(advice.sizing).toMatchObject({ peakRatePerSecond: 10, workspacesNeeded: 1 });
    expect(advice.reasons).toContain(
      "One workspace's ~10 records/s is enough: the day's leads, spread evenly because results may wait hours, go out at 10 records/s.",
    );
    expect(recommendTier({ volumePerDay: 864_001, latency: "hours" }).sizing.workspacesNeeded).toBe(
      2,
    );
  });

  it("warns about workspaces with the numbers", () => {
    expect(warningsOf({ volumePerDay: 500_000, plan: "growth" })).toContain(
      "A workspace takes ~10 records/s (864,000 a day at most) and peaks reach about 17.4 records/s (3× the average of 5.8/s), so spread the load over 2 Clay workspaces.",
    );
  });

  it("warns about the webhook pool once more than one webhook a month is used up", () => {
    expect(recommendTier({ volumePerDay: 1_000, plan: "growth" }).reasons).toContain(
      "One webhook source lasts about 50 days at this volume (50,000 submissions in its lifetime); add the next to the pool before it runs out.",
    );
    expect(warningsOf({ volumePerDay: 5_000, plan: "growth" })).toContain(
      "A webhook source takes 50,000 submissions in its lifetime, about 10 days at 5,000 leads a day, so keep a pool with 3 new webhook sources a month.",
    );
  });

  it("warns about tables filling within a month, with the Enterprise remedy when it applies", () => {
    expect(
      find(warningsOf({ volumePerDay: 1_666, plan: "growth" }), /table fills/),
    ).toBeUndefined();
    expect(warningsOf({ volumePerDay: 1_667, plan: "growth" })).toContain(
      "A table fills its 50,000 rows in about 29 days and Clay drops later rows without an error, so with 2 tables filled a month plan table rotation, or Enterprise passthrough tables with auto-delete.",
    );
    expect(find(warningsOf({ volumePerDay: 20_000, plan: "enterprise" }), /table fills/)).toMatch(
      /use passthrough tables with auto-delete \(Enterprise\) or rotate tables\.$/,
    );
  });

  it("says nothing about lifetimes at zero volume", () => {
    const advice = recommendTier({ volumePerDay: 0, plan: "growth" });
    expect(advice.warnings).toEqual([]);
    expect(advice.sizing).toMatchObject({
      webhooksPerMonth: 0,
      tablesFilledPerMonth: 0,
      workspacesNeeded: 1,
    });
  });
});

describe("recommendTier: data credits", () => {
  it.each<[string, RecommendInput, RegExp | undefined]>([
    [
      "Launch, even the low estimate is over",
      { volumePerDay: 100, plan: "launch" },
      /^That is more than Clay's Launch plan includes \(2,500–10,000/,
    ],
    [
      "Growth, only the high estimate is over",
      { volumePerDay: 300, plan: "growth" },
      /^That can pass what Clay's Growth plan includes \(6,000–100,000/,
    ],
    ["Growth, within", { volumePerDay: 100, plan: "growth" }, undefined],
    [
      "Enterprise has no published allowance",
      { volumePerDay: 100_000, plan: "enterprise" },
      undefined,
    ],
  ])("against the plan: %s", (_, input, warning) => {
    const found = find(warningsOf(input), /plan includes/);
    if (warning) expect(found).toMatch(warning);
    else expect(found).toBeUndefined();
  });

  it.each<[number, string, "reason" | "warning"]>([
    [1_000_000, "That fits your budget of 1,000,000 data credits a month.", "reason"],
    [
      300_000,
      "Your budget of 300,000 data credits a month covers the low estimate but not the high one, so keep enrichments per record near the low end or raise it.",
      "warning",
    ],
    [
      30_000,
      "Your budget of 30,000 data credits a month enriches only about 1,500–5,000 records (50–167 a day), so raise it or enrich fewer fields per record.",
      "warning",
    ],
  ])("against a budget of %d", (creditBudgetPerMonth, sentence, kind) => {
    // 1,000 a day: 30,000 records, 180,000–600,000 credits a month.
    const advice = recommendTier({ volumePerDay: 1_000, plan: "enterprise", creditBudgetPerMonth });
    expect(kind === "reason" ? advice.reasons : advice.warnings).toContain(sentence);
  });

  it("states the estimate as a reason", () => {
    expect(recommendTier({ volumePerDay: 1_000 }).reasons).toContain(
      "Fully enriching 30,000 records a month costs about 180,000–600,000 data credits (6–20 each).",
    );
  });
});

describe("recommendTier: input", () => {
  it.each<[string, RecommendInput]>([
    ["a negative volume", { volumePerDay: -1 }],
    ["a volume that is not a number", { volumePerDay: Number.NaN }],
    ["an unknown latency", { volumePerDay: 1, latency: "soon" as never }],
    ["an unknown plan", { volumePerDay: 1, plan: "pro" as never }],
    ["a team of zero", { volumePerDay: 1, team: 0 }],
    ["a team of 1.5", { volumePerDay: 1, team: 1.5 }],
    ["unknown infrastructure", { volumePerDay: 1, infra: ["mysql" as never] }],
    ["a negative budget", { volumePerDay: 1, creditBudgetPerMonth: -5 }],
  ])("refuses %s", (_, input) => {
    expect(() => recommendTier(input)).toThrow(expect.objectContaining({ code: "input_invalid" }));
  });

  it("writes every sentence as one plain sentence", () => {
    const advice = recommendTier({
      volumePerDay: 300_000,
      latency: "realtime",
      plan: "launch",
      team: 1,
      infra: ["kafka", "postgres"],
      creditBudgetPerMonth: 10_000,
    });
    for (const sentence of [...advice.reasons, ...advice.warnings]) {
      expect(sentence).toMatch(/^[A-Zc][^\n]*\.$/);
      expect(sentence).not.toMatch(/\.\s+[A-Z]/);
    }
  });
});
