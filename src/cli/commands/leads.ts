/** `claypipe leads requeue`: send waiting leads back to the outbox now, where their source sends today or to a named table. */
import type { Command } from "commander";
import { ClaypipeError } from "../../core/errors.js";
import {
  REQUEUE_STATES,
  type RequeueFilter,
  type RequeueState,
} from "../../pipeline/requeue-leads.js";
import { WAIT_KINDS } from "../../pipeline/wait-reasons.js";
import { createPipeline } from "../../tiers/create-pipeline.js";
import { loadCommandConfig, withConfigOption } from "../config-option.js";
import { say } from "../output.js";

interface RequeueOptions {
  config: string;
  state: string;
  reason?: string;
  source?: string;
  fromTable?: string;
  table?: string;
}

export function registerLeads(program: Command): void {
  const leads = program.command("leads").description("act on leads that wait to be sent");
  withConfigOption(
    leads
      .command("requeue")
      .description(
        "send waiting leads (or, with --state skipped, leads a pre-send rule skipped) to Clay now: " +
          "to the table their source sends to today, or to --table " +
          "(a credit cap is still checked: raise it first to send past it)",
      )
      .option("--state <state>", `leads in this state: ${REQUEUE_STATES.join(" or ")}`, "deferred")
      .option(
        "--reason <kind>",
        "only deferred leads waiting for this: credit_cap or no_capacity (table or webhooks full)",
      )
      .option("--source <name>", "only leads of this intake source")
      .option("--from-table <name>", "only leads headed for this table")
      .option("--table <name>", 'send them to this table ("name" or "workspace/name")'),
  ).action(async (options: RequeueOptions) => {
    const filter = requeueFilter(options);
    const { config } = await loadCommandConfig(options);
    // The answer is the line printed below; info logs beside it would only repeat it.
    const { createLogger, warningsAndUp } = await import("../../logging/create-logger.js");
    const logger = createLogger(warningsAndUp(config.logLevel));
    const pipeline = await createPipeline(config, { logger });
    try {
      const { requeued, capReachedUntil } = await pipeline.requeue(filter);
      say(
        requeued === 0
          ? `no ${filter.state} leads match`
          : `requeued ${requeued} ${filter.state} lead${requeued === 1 ? "" : "s"}`,
      );
      if (capReachedUntil !== undefined) {
        say(
          `the cap is still reached: they will wait again until ${capReachedUntil} (UTC); raise the cap in the config to send them sooner`,
        );
      }
    } finally {
      await pipeline.stop();
    }
  });
}

function requeueFilter(options: RequeueOptions): RequeueFilter & { state: RequeueState } {
  const state = oneOf("--state", options.state, REQUEUE_STATES);
  const reason =
    options.reason === undefined ? undefined : oneOf("--reason", options.reason, WAIT_KINDS);
  return {
    state,
    ...(reason === undefined ? {} : { reason }),
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(options.fromTable === undefined ? {} : { fromTable: options.fromTable }),
    ...(options.table === undefined ? {} : { table: options.table }),
  };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ClaypipeError(
    "input_invalid",
    `${flag} "${value}" is not one of ${allowed.join(", ")}`,
    {
      hint: `use ${flag} ${allowed.join(" or ")}`,
    },
  );
}
