/** `claypipe demo`: the whole path against the embedded emulator, nothing to install. */
import type { Command } from "commander";
import { ClaypipeError } from "../../core/errors.js";
import type { DemoSummary } from "../../demo/run-demo.js";
import type { PipelineDemoSummary } from "../../demo/run-pipeline-demo.js";
import type { SendTally } from "../../tiers/direct/send-leads.js";
import { interruptSignal } from "../config-option.js";
import { formatRows, say } from "../output.js";
import { parseNumberOption, TIME_SCALE } from "../parse-number-option.js";
import { createProgress } from "../progress.js";
import { TALLY_WORDS, tallyNote } from "../send-report.js";

interface DemoCliOptions {
  tier: string;
  leads?: string;
  timeScale: string;
  seed: string;
  keep?: boolean;
  ui?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the Clay emulator and a pipeline on generated leads, then show what happened")
    .option(
      "--tier <tier>",
      "standard (full loop: intake → Clay → callback → routes → sinks), queue (the same on PostgreSQL + Redis with workers; uses DATABASE_URL and REDIS_URL or the local ones), event (the same with leads on NATS JetStream; also NATS_URL) or direct",
      "standard",
    )
    .option(
      "--leads <n>",
      "how many leads to generate (default 150 standard and queue, 120 direct)",
    )
    .option("--time-scale <n>", "a Clay minute takes 1/n of a minute", "60")
    .option("--seed <n>", "the same seed gives the same demo", "7")
    .option("--keep", "keep the output folder (sink files, SQLite store)")
    .option(
      "--ui",
      "keep the service and its dashboard running after the demo, and print its URL and a login key (Ctrl-C stops it)",
    )
    .action(async (options: DemoCliOptions) => {
      const common = {
        timeScale: parseNumberOption("--time-scale", options.timeScale, TIME_SCALE),
        seed: parseNumberOption("--seed", options.seed, { min: 0 }),
        signal: interruptSignal(),
      };
      if (options.tier === "standard" || options.tier === "queue" || options.tier === "event")
        return pipelineDemo(options.tier, leadCount(options.leads, 150), options, common);
      if (options.tier === "direct" && options.ui) {
        throw new ClaypipeError(
          "input_invalid",
          "the direct tier has no service, so no dashboard",
          {
            hint: "run `claypipe demo --ui` (standard tier) or --tier queue or event with --ui",
          },
        );
      }
      if (options.tier === "direct") return directDemo(leadCount(options.leads, 120), common);
      throw new ClaypipeError(
        "input_invalid",
        `the demo runs the standard, queue, event or direct tier, not "${options.tier}"`,
        {
          hint: "pass --tier standard, --tier queue, --tier event or --tier direct",
        },
      );
    });
}

async function pipelineDemo(
  tier: "standard" | "queue" | "event",
  leads: number,
  { keep, ui }: Pick<DemoCliOptions, "keep" | "ui">,
  common: { timeScale: number; seed: number; signal: AbortSignal },
): Promise<void> {
  // Loaded when a demo runs: it starts the emulator and a server (Fastify), which `--help` never needs.
  const { QUEUE_DEMO_WORKERS, runPipelineDemo } = await import("../../demo/run-pipeline-demo.js");
  const processes =
    tier === "queue"
      ? ` → BullMQ on Redis, PostgreSQL store, ${QUEUE_DEMO_WORKERS} workers`
      : tier === "event"
        ? ` → NATS JetStream, PostgreSQL store, ${QUEUE_DEMO_WORKERS} enrichers`
        : "";
  say(
    `claypipe demo (${tier} tier): ${leads} generated leads → intake API${processes} → Clay emulator (10/s, bursts of 20)`,
  );
  say(
    "  → HTTP API column callbacks → routes (job change, hot, nurture, default, skipped) → file sinks",
  );
  say("  then a refresh run re-enriches the warm and hot leads; a few have changed jobs\n");
  let progress: ReturnType<typeof createProgress> | undefined;
  let last = 0;
  let total = 0;
  const summary = await runPipelineDemo({
    tier,
    leads,
    keep,
    ...common,
    onProgress: (settled: number, accepted: number) => {
      // The refresh run adds leads: the bar grows with them.
      if (progress === undefined || accepted !== total) {
        progress?.finish({ done: last });
        total = accepted;
        progress = createProgress({ label: "delivered, skipped or dead", total: accepted });
      }
      last = settled;
      progress.update({ done: settled });
    },
    ...(ui
      ? {
          dashboard: async (summary: PipelineDemoSummary, access: { url: string; key: string }) => {
            progress?.finish({ done: last });
            progress = undefined;
            printStandard(summary);
            say(`\ndashboard: ${access.url}`);
            say(`log in with the key: ${access.key}`);
            say("(the service keeps running; Ctrl-C stops it)");
            await new Promise((resolve) => common.signal.addEventListener("abort", resolve));
          },
        }
      : {}),
  });
  if (ui) return;
  progress?.finish({ done: last });
  printStandard(summary);
}

/** `--leads`, or the tier's default when absent. */
function leadCount(leads: string | undefined, otherwise: number): number {
  return leads === undefined ? otherwise : parseNumberOption("--leads", leads, { min: 1 });
}

function printStandard(summary: PipelineDemoSummary): void {
  say("\nsummary");
  say(
    formatRows([
      ["leads submitted", summary.submitted],
      ["rejected at intake (422)", summary.rejectedAtIntake.length],
      ["accepted (202)", summary.accepted],
      ["repeats served by dedupe (no credit)", summary.duplicates],
      ["skipped by enrichIf (free mail, no credit)", summary.skipped],
      ["rows sent to Clay", summary.sentToClay],
      ["429s from Clay", summary.rateLimited429],
      ["callbacks received", summary.callbacks],
      ["delivered", summary.delivered],
      ["dead (DLQ)", summary.dead],
      [
        "credits spent in Clay",
        `${summary.clayCredits.actions} actions, ${summary.clayCredits.data} data`,
      ],
      [
        "credits saved by dedupe",
        `${summary.creditsSaved.actions} actions, ${summary.creditsSaved.data} data`,
      ],
      [
        "credits saved by pre-send rules",
        `${summary.creditsSavedByRules.actions} actions, ${summary.creditsSavedByRules.data} data`,
      ],
      ["refreshed (re-enriched by the refresh run)", summary.refresh.refreshed],
      ["  of which changed jobs (job-change route)", summary.refresh.jobChanges],
      ["  of which unchanged (delivered nowhere)", summary.refresh.unchanged],
      ["total time", `${summary.seconds.toFixed(1)}s`],
    ]),
  );
  say("\nper route (sink records)");
  say(formatRows(Object.entries(summary.sinkRecords)));
  if (summary.busTopics.length > 0) {
    say("\non the bus (messages per topic)");
    say(formatRows(summary.busTopics.map(({ topic, messages }) => [topic, messages])));
  }
  if (summary.rejectedAtIntake.length > 0) {
    say("\nrejected at intake, as the API answered");
    for (const { lead, reason } of summary.rejectedAtIntake) say(`  lead ${lead}: ${reason}`);
  }
  if (summary.outputDir) say(`\noutput kept in ${summary.outputDir}`);
}

async function directDemo(
  leads: number,
  common: { timeScale: number; seed: number; signal: AbortSignal },
): Promise<void> {
  say(
    `claypipe demo (direct tier): ${leads} generated leads → Clay emulator (10 records/s, bursts of 20)\n`,
  );
  // The same words and numbers as `claypipe send`: read, sent to Clay, repeats skipped, not sent.
  const sending = createProgress({ label: TALLY_WORDS.read, total: leads });
  const problems: string[] = [];
  let tally: Readonly<SendTally> | undefined;
  let enriching: ReturnType<typeof createProgress> | undefined;
  let lastFinished = 0;
  const finishSending = () => {
    if (tally) sending.finish({ done: tally.read, note: tallyNote(tally) });
  };

  const { runDemo } = await import("../../demo/run-demo.js");
  const summary = await runDemo({
    leads,
    ...common,
    onSendEvent: (event, current) => {
      tally = current;
      if ("reason" in event) problems.push(`line ${event.line}: ${event.reason}`);
      sending.update({ done: current.read, note: tallyNote(current) });
    },
    onEnrichProgress: (finished, total) => {
      if (!enriching) {
        finishSending();
        enriching = createProgress({ label: "enriched", total });
      }
      lastFinished = finished;
      enriching.update({ done: finished });
    },
  });
  enriching?.finish({ done: lastFinished });
  printDirect(summary, problems);
}

function printDirect(summary: DemoSummary, problems: string[]): void {
  const { send } = summary;
  const dataPerLead =
    summary.enriched > 0 ? (summary.credits.data / summary.enriched).toFixed(1) : "–";
  say("\nsummary");
  say(
    formatRows([
      ["leads generated", summary.generated],
      ["bad leads (reported, not sent)", send.invalid],
      [
        "sent to Clay",
        `${send.sent} in ${summary.sendSeconds.toFixed(1)}s (${(send.sent / summary.sendSeconds).toFixed(1)}/s)`,
      ],
      ["repeats skipped (no credit)", send.repeats],
      ["429s from Clay", summary.rateLimited429],
      ["deduplicated by Clay (no credits)", summary.deduplicatedByClay],
      ["enriched", summary.enriched],
      ["not found", summary.notFound],
      ["still pending", summary.stillPending],
      [
        "credits spent",
        `${summary.credits.actions} actions, ${summary.credits.data} data credits (${dataPerLead} per enriched lead)`,
      ],
      ["total time", `${summary.totalSeconds.toFixed(1)}s`],
    ]),
  );
  if (problems.length > 0) {
    say("\nbad leads, as `claypipe send` reports them");
    for (const problem of problems) say(`  ${problem}`);
  }
  if (summary.topRows.length > 0) {
    say("\ntop leads by ICP score");
    for (const row of summary.topRows) {
      const f = row.fields;
      say(
        `  ${String(f.icp_score).padStart(3)}  ${f.first_name} ${f.last_name}, ${f.title} at ${f.company_name} (${f.employee_count} people, ${f.industry})`,
      );
    }
  }
}
