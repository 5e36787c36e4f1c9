/** `claypipe recommend`: the decision matrix, applied to a team's numbers. */
import type { Command } from "commander";
import { type RecommendInput, recommendTier } from "../../advisor/recommend-tier.js";
import { SUPPORTED_TIERS, type SupportedTier, starterConfig } from "../../config/starter-config.js";
import { formatRows, say } from "../output.js";
import { parseNumberOption } from "../parse-number-option.js";

interface RecommendCliOptions {
  volume: string;
  latency?: RecommendInput["latency"];
  plan?: RecommendInput["plan"];
  team?: string;
  infra?: string[];
  budget?: string;
  config?: boolean;
}

export function registerRecommend(program: Command): void {
  program
    .command("recommend")
    .description("pick a tier for your volume, latency, plan, team and infrastructure")
    .requiredOption("--volume <n>", "leads per day")
    .option("--latency <need>", "realtime, minutes or hours")
    .option("--plan <plan>", "Clay plan: trial, launch, growth or enterprise")
    .option("--team <n>", "engineers who will run it")
    .option("--infra <kinds...>", "what you already run: none redis postgres kafka nats")
    .option("--budget <credits>", "data credits you can spend a month")
    .option("--no-config", "do not print a starter config")
    .action((options: RecommendCliOptions) => {
      const input: RecommendInput = {
        volumePerDay: parseNumberOption("--volume", options.volume, { min: 0 }),
        ...(options.latency ? { latency: options.latency } : {}),
        ...(options.plan ? { plan: options.plan } : {}),
        ...(options.team ? { team: parseNumberOption("--team", options.team, { min: 1 }) } : {}),
        ...(options.infra ? { infra: options.infra as RecommendInput["infra"] } : {}),
        ...(options.budget
          ? { creditBudgetPerMonth: parseNumberOption("--budget", options.budget, { min: 0 }) }
          : {}),
      };
      const advice = recommendTier(input);
      say(`recommended tier: ${advice.tier}\n`);
      say("why");
      for (const reason of advice.reasons) say(`  - ${reason}`);
      if (advice.warnings.length > 0) {
        say("\nwatch out");
        for (const warning of advice.warnings) say(`  - ${warning}`);
      }
      const { sizing } = advice;
      say("\nsizing");
      say(
        formatRows([
          ["webhook sources used a month", sizing.webhooksPerMonth],
          ["tables filled a month", sizing.tablesFilledPerMonth],
          ["peak records/s", sizing.peakRatePerSecond],
          ["workspaces needed", sizing.workspacesNeeded],
          [
            "data credits a month",
            `${sizing.estimatedDataCreditsPerMonth.low}–${sizing.estimatedDataCreditsPerMonth.high}`,
          ],
        ]),
      );
      if (options.config === false) return;
      if ((SUPPORTED_TIERS as readonly string[]).includes(advice.tier)) {
        say(`\nstarter config (claypipe init --tier ${advice.tier} writes it):\n`);
        say(starterConfig(advice.tier as SupportedTier));
      } else {
        say(
          `\nthis version of claypipe runs the ${SUPPORTED_TIERS.join(", ")} tier; the ${advice.tier} tier is on its way.`,
        );
      }
    });
}
