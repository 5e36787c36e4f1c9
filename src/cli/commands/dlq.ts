/** `claypipe dlq …`: list, inspect, replay and purge dead leads and dead sink deliveries. */
import type { Command } from "commander";
import { echoInput } from "../../core/echo-input.js";
import { ClaypipeError } from "../../core/errors.js";
import { DEAD_REASONS } from "../../core/lead-state.js";
import type { Pipeline, ReplayFilter } from "../../pipeline/pipeline-api.js";
import { createPipeline } from "../../tiers/create-pipeline.js";
import type { TopicReplayCounts } from "../../transport/transport.js";
import { loadCommandConfig, withConfigOption } from "../config-option.js";
import { say } from "../output.js";
import { parseNumberOption } from "../parse-number-option.js";

interface FilterOptions {
  config: string;
  id?: string[];
  reason?: string;
  source?: string;
  since?: string;
  until?: string;
  createdSince?: string;
  createdUntil?: string;
}

export function registerDlq(program: Command): void {
  const dlq = program
    .command("dlq")
    .description("dead letters: leads that could not be enriched, and sink deliveries that failed");

  withFilters(
    withConfigOption(
      dlq
        .command("list")
        .description("list dead leads: id, when it died (UTC), source, reason")
        .option("--limit <n>", "how many", "50"),
    ),
  ).action((options: FilterOptions & { limit: string }) =>
    withPipeline(options, async (pipeline) => {
      requireKnownReason(options.reason);
      const page = await pipeline.deadLetters.list({
        ...filterFrom(options),
        limit: parseNumberOption("--limit", options.limit, { min: 1 }),
      });
      if (page.leads.length === 0) {
        say(
          Object.keys(filterFrom(options)).length > 0 ? "no dead leads match" : "the DLQ is empty",
        );
      }
      for (const lead of page.leads) {
        // A budget refusal says when its cap's next window opens.
        const when = lead.reason === "budget" ? `  replayable after ${iso(lead.availableAt)}` : "";
        say(`${lead.id}  ${iso(lead.updatedAt)}  ${lead.source}  ${lead.reason ?? ""}${when}`);
      }
      if (page.nextCursor) say(`… more: narrow with --reason/--source/--since, or raise --limit`);
    }),
  );

  withConfigOption(
    dlq
      .command("inspect")
      .description("show a dead lead: history, result, deliveries")
      .argument("<id>"),
  ).action((id: string, options: { config: string }) =>
    withPipeline(options, async (pipeline) => {
      const view = await pipeline.deadLetters.inspect(id);
      if (!view)
        throw new ClaypipeError("input_invalid", `no lead ${id}`, {
          hint: "copy an id from `claypipe dlq list`",
        });
      say(JSON.stringify(view, null, 2));
    }),
  );

  withFilters(
    withConfigOption(
      dlq
        .command("replay")
        .description(
          "send dead leads on again (a lead whose result came back is only routed again: no credits)",
        )
        .option("--sink <name>", "replay this sink's dead deliveries instead")
        .option(
          "--from-topic",
          "event tier: replay the leads the dead-letter topic (dlq.clay) names, until it is drained",
        ),
    ),
  ).action((options: FilterOptions & { sink?: string; fromTopic?: boolean }) =>
    withPipeline(options, async (pipeline) => {
      const filter: ReplayFilter = {
        ...filterFrom(options),
        ...(options.sink ? { sink: options.sink } : {}),
      };
      if (options.fromTopic) {
        if (Object.keys(filter).length > 0) {
          throw new ClaypipeError("input_invalid", "--from-topic takes no filter", {
            hint: "it replays every letter of the topic; to pick leads, replay from the store with --id/--reason/…",
          });
        }
        sayTopicReplay(await pipeline.deadLetters.replayTopic());
        return;
      }
      requireSomeFilter(filter, "replay");
      // With --sink, --reason matches words in the delivery's last error instead.
      if (!options.sink) requireKnownReason(options.reason);
      const { replayed, heldByBudget } = await pipeline.deadLetters.replay(filter);
      say(`replayed ${replayed}`);
      if (heldByBudget) sayHeld(heldByBudget);
    }),
  );

  withFilters(
    withConfigOption(
      dlq.command("purge").description("delete dead leads for good").option("--yes", "confirm"),
    ),
  ).action((options: FilterOptions & { yes?: boolean }) =>
    withPipeline(options, async (pipeline) => {
      const filter = filterFrom(options);
      requireSomeFilter(filter, "purge");
      requireKnownReason(options.reason);
      if (!options.yes) {
        throw new ClaypipeError("input_invalid", "purge deletes dead leads for good", {
          hint: "add --yes to confirm",
        });
      }
      const { purged } = await pipeline.deadLetters.purge(filter);
      say(`purged ${purged}`);
    }),
  );
}

function withFilters(command: Command): Command {
  return command
    .option("--id <id...>", "these lead ids")
    .option("--reason <reason>", "dead for this reason (e.g. no_callback, rejected_by_clay)")
    .option("--source <name>", "from this intake source")
    .option("--since <time>", "died at or after (ISO time; the time `dlq list` shows)")
    .option("--until <time>", "died before (ISO time)")
    .option("--created-since <time>", "came in at or after (ISO time)")
    .option("--created-until <time>", "came in before (ISO time)");
}

function filterFrom(options: FilterOptions): Omit<ReplayFilter, "sink"> {
  return {
    ...(options.id ? { ids: options.id } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.source ? { source: options.source } : {}),
    ...(options.since ? { diedAfter: time("--since", options.since) } : {}),
    ...(options.until ? { diedBefore: time("--until", options.until) } : {}),
    ...(options.createdSince
      ? { createdAfter: time("--created-since", options.createdSince) }
      : {}),
    ...(options.createdUntil
      ? { createdBefore: time("--created-until", options.createdUntil) }
      : {}),
  };
}

function requireSomeFilter(filter: ReplayFilter, verb: string): void {
  if (Object.keys(filter).length === 0) {
    throw new ClaypipeError("input_invalid", `dlq ${verb} needs a filter`, {
      hint: "pass --id, --reason, --source, --since/--until, --created-since/--created-until (or --sink for deliveries)",
    });
  }
}

function requireKnownReason(reason: string | undefined): void {
  if (reason === undefined || (DEAD_REASONS as readonly string[]).includes(reason)) return;
  throw new ClaypipeError(
    "input_invalid",
    `--reason ${echoInput(reason)} is not a reason leads die for`,
    {
      hint: `use one of: ${DEAD_REASONS.join(", ")}`,
    },
  );
}

/** What a replay of the dead-letter topic did, a line per kind of letter. */
function sayTopicReplay(counts: TopicReplayCounts): void {
  say(`replayed ${counts.replayed}`);
  say(`skipped ${counts.skipped} (their leads were replayed before, or are gone)`);
  if (counts.heldByBudget) sayHeld(counts.heldByBudget);
  for (const [reason, letters] of Object.entries(counts.notLeads)) {
    say(
      `passed over ${letters} ${reason} letters: messages that never became leads, left in the topic for their publisher`,
    );
  }
}

/** Budget leads a replay left dead: how many, and from when their caps have room. */
function sayHeld(held: { leads: number; replayableAfter: number }): void {
  const leads = held.leads === 1 ? "1 lead" : `${held.leads} leads`;
  say(
    `${leads} left dead as \`budget\`: their credit caps have no room before ` +
      `${iso(held.replayableAfter)}; then run \`claypipe dlq replay --reason budget\` ` +
      "(or raise the cap and restart the enrichers first)",
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function time(flag: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ClaypipeError("input_invalid", `${flag} "${value}" is not a time`, {
      hint: "write it like 2026-11-25T10:00:00Z",
    });
  }
  return ms;
}

async function withPipeline(
  options: { config: string },
  work: (pipeline: Pipeline) => Promise<void>,
): Promise<void> {
  const { config, logger } = await loadCommandConfig(options);
  if (config.tier === "direct") {
    throw new ClaypipeError(
      "input_invalid",
      "the direct tier keeps no dead-letter queue: `claypipe send` lists each row it did not send, with its line number, as it goes",
      {
        hint: "fix those lines and send the file again (leads already sent are skipped as repeats, no credit), or resume a stopped run with --from-line; `claypipe status` shows the last run",
      },
    );
  }
  const pipeline = await createPipeline(config, { logger });
  try {
    await work(pipeline);
  } finally {
    await pipeline.stop();
  }
}
