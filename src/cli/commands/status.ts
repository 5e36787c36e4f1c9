/** `claypipe status`: where every lead is, credits against caps, capacity left, breakers, DLQ. */
import type { Command } from "commander";
import { LEAD_STATES } from "../../core/lead-state.js";
import { describeCreditHold } from "../../pipeline/credit-holds.js";
import type { PipelineStatus } from "../../pipeline/pipeline-api.js";
import { createPipeline } from "../../tiers/create-pipeline.js";
import { loadCommandConfig, withConfigOption } from "../config-option.js";
import { printCapacity } from "../describe-pool.js";
import { printDirectStatus } from "../direct-status.js";
import { formatRows, say } from "../output.js";
import { describeRefreshFigures } from "../refresh-figures.js";

export function registerStatus(program: Command): void {
  withConfigOption(
    program
      .command("status")
      .description(
        "show leads by state, credits used against caps, webhook capacity, breakers and the DLQ",
      )
      .option("--json", "print the status as JSON"),
  ).action(async (options: { config: string; json?: boolean }) => {
    const { config, logger } = await loadCommandConfig(options);
    if (config.tier === "direct") {
      // The direct tier has no service to ask: its state directory says what it has.
      const { createDirectPipeline } = await import("../../tiers/direct/direct-pipeline.js");
      const status = await createDirectPipeline(config, { logger }).status();
      if (options.json) say(JSON.stringify(status, null, 2));
      else printDirectStatus(status);
      return;
    }
    const pipeline = await createPipeline(config, { logger });
    try {
      const status = await pipeline.status();
      if (options.json) say(JSON.stringify(status, null, 2));
      else printStatus(status);
    } finally {
      await pipeline.stop();
    }
  });
}

function printStatus(status: PipelineStatus): void {
  say(`tier: ${status.tier}\n\nleads by state`);
  say(formatRows(LEAD_STATES.map((state) => [state, status.states[state] ?? 0])));
  say("\ncredits (used / cap)");
  const credits = status.credits.map(({ scope, window, used, limit }): [string, string] => [
    `${scope} ${window}`,
    `actions ${used.actions}${limit.actions !== undefined ? `/${limit.actions}` : ""}, data ${used.data}${limit.data !== undefined ? `/${limit.data}` : ""}`,
  ]);
  say(credits.length > 0 ? formatRows(credits) : "  no caps configured");
  say(
    `  saved by dedupe: actions ${status.creditsSaved.actions}, data ${status.creditsSaved.data}`,
  );
  const byRules = status.creditsSavedByRules;
  say(
    `  saved by pre-send rules (${status.states.skipped} skipped): actions ${byRules.actions}, data ${byRules.data}`,
  );
  for (const hold of status.creditHolds) say(`  ${describeCreditHold(hold)}`);
  printCapacity(status.capacity);
  say("\ncircuit breakers");
  say(formatRows(status.breakers.map((b): [string, string] => [b.workspace, b.state])));
  if (status.queues.length > 0) {
    say("\nqueues (BullMQ)");
    say(
      formatRows(
        status.queues.map((queue): [string, string] => [
          queue.workspace,
          `${queue.waiting} waiting, ${queue.active} active, ${queue.delayed} delayed for a retry`,
        ]),
      ),
    );
  }
  if (status.busLag.length > 0) {
    say("\nbus (consumer lag)");
    say(
      formatRows(
        status.busLag.map((lag): [string, string] => [
          `${lag.topic} [${lag.partition}]`,
          `${lag.pending} pending for ${lag.group}`,
        ]),
      ),
    );
  }
  if (status.refresh.length > 0) {
    say("\nrefresh schedules");
    say(
      formatRows(
        status.refresh.map((schedule): [string, string] => [
          schedule.name,
          `next ${schedule.nextRunAt === null ? "never" : new Date(schedule.nextRunAt).toISOString()}; last: ${
            schedule.lastRun
              ? `${new Date(schedule.lastRun.at).toISOString()}, ${describeRefreshFigures(schedule.lastRun)}`
              : "none yet"
          }`,
        ]),
      ),
    );
  }
  say(`\nDLQ: ${status.dlq.leads} leads, ${status.dlq.deliveries} sink deliveries`);
}
