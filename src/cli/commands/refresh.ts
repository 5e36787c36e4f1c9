/**
 * `claypipe refresh`: re-enrichment on the config's `refresh:` schedules, by
 * hand. `--dry-run` lists what a run would renew now and its estimated
 * credits; `--now` runs it. The service runs each schedule at its cron times
 * by itself; `status` shows the next time and the last run.
 */
import type { Command } from "commander";
import { ClaypipeError } from "../../core/errors.js";
import type { Pipeline, RefreshPlan } from "../../pipeline/pipeline-api.js";
import type { RefreshFigures } from "../../store/store.js";
import { createPipeline } from "../../tiers/create-pipeline.js";
import { loadCommandConfig, withConfigOption } from "../config-option.js";
import { formatRows, say } from "../output.js";
import { describeRefreshFigures } from "../refresh-figures.js";

interface RefreshOptions {
  config: string;
  schedule?: string;
  dryRun?: boolean;
  now?: boolean;
  json?: boolean;
}

/** Leads a dry run lists by name; the rest are counted (--json lists all). */
const LISTED = 20;

export function registerRefresh(program: Command): void {
  withConfigOption(
    program
      .command("refresh")
      .description("re-enrich stored results on the config's refresh schedules, by hand")
      .option("--dry-run", "list what a run would re-enrich now and its estimated credits")
      .option("--now", "run now (the service also runs each schedule at its cron times)")
      .option("--schedule <name>", "only this schedule (default: every schedule)")
      .option("--json", "print JSON"),
  ).action(async (options: RefreshOptions) => {
    if (options.dryRun === options.now) {
      throw new ClaypipeError("input_invalid", "say what to do: --dry-run or --now", {
        hint: "claypipe refresh --dry-run lists what would be re-enriched; --now runs it",
      });
    }
    const { config, logger } = await loadCommandConfig(options);
    const names = options.schedule ? [options.schedule] : config.refresh.map((s) => s.name);
    if (names.length === 0) {
      throw new ClaypipeError("config_invalid", "the config has no refresh schedules", {
        hint: 'add one under refresh:, e.g. { name: quarterly, schedule: "0 3 * * 1", olderThan: 90d } (docs/refresh.md)',
      });
    }
    const pipeline = await createPipeline(config, { logger });
    try {
      if (options.dryRun) await dryRun(pipeline, names, options.json === true);
      else await runNow(pipeline, names, options.json === true);
    } finally {
      await pipeline.stop();
    }
  });
}

async function dryRun(pipeline: Pipeline, names: string[], json: boolean): Promise<void> {
  const plans: RefreshPlan[] = [];
  for (const name of names) plans.push(await pipeline.refresh.plan(name));
  if (json) {
    say(
      JSON.stringify(
        plans.map(({ leads, ...plan }) => ({ ...plan, leads: leads.map((lead) => lead.id) })),
        null,
        2,
      ),
    );
    return;
  }
  for (const plan of plans) {
    const { actions, data } = plan.estimatedCredits;
    say(
      `schedule ${plan.schedule}: ${plan.leads.length} leads would be re-enriched, ` +
        `about ${actions} actions and ${data} data credits${stopNote(plan.stoppedBy)}`,
    );
    if (plan.leads.length === 0) continue;
    say(
      formatRows(
        plan.leads
          .slice(0, LISTED)
          .map((lead): [string, string] => [
            lead.id,
            `${lead.source} → ${lead.workspace}/${lead.table}, last enriched from a lead of ${new Date(lead.createdAt).toISOString()}`,
          ]),
      ),
    );
    if (plan.leads.length > LISTED)
      say(`  … and ${plan.leads.length - LISTED} more (--json lists all)`);
  }
}

async function runNow(pipeline: Pipeline, names: string[], json: boolean): Promise<void> {
  const runs: Array<{ schedule: string } & RefreshFigures> = [];
  for (const name of names) runs.push({ schedule: name, ...(await pipeline.refresh.runNow(name)) });
  if (json) {
    say(JSON.stringify(runs, null, 2));
    return;
  }
  for (const run of runs) say(`schedule ${run.schedule}: ${describeRefreshFigures(run)}`);
  if (runs.some((run) => run.refreshed > 0))
    say("the leads are in the outbox, in the refresh lane: a running `claypipe start` sends them");
}

function stopNote(stoppedBy: RefreshPlan["stoppedBy"]): string {
  if (stoppedBy === "maxPerRun")
    return " (stopped at its maxPerRun; the rest wait for the next run)";
  if (stoppedBy === "credits")
    return " (stopped at its creditShare of the credits left; the rest wait)";
  return "";
}
