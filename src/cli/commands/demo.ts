/** `claypipe demo`: the whole direct-tier path against the embedded emulator, nothing to install. */
import type { Command } from "commander";
import { type DemoSummary, runDemo } from "../../demo/run-demo.js";
import { interruptSignal } from "../config-option.js";
import { formatRows, say } from "../output.js";
import { createProgress } from "../progress.js";

interface DemoCliOptions {
  leads: string;
  timeScale: string;
  seed: string;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the emulator and a pipeline on generated leads, then show what happened")
    .option("--leads <n>", "how many leads to generate", "120")
    .option("--time-scale <n>", "a Clay minute takes 1/n of a minute", "60")
    .option("--seed <n>", "the same seed gives the same demo", "7")
    .action(async (options: DemoCliOptions) => {
      const leads = Number(options.leads);
      say(`claypipe demo: ${leads} generated leads → Clay emulator (10 records/s, bursts of 20)\n`);
      const sending = createProgress({ label: "sent", total: leads });
      let handled = 0;
      let bad = 0;
      const problems: string[] = [];
      let enriching: ReturnType<typeof createProgress> | undefined;
      let lastFinished = 0;

      const summary = await runDemo({
        leads,
        timeScale: Number(options.timeScale),
        seed: Number(options.seed),
        signal: interruptSignal(),
        onSendEvent: (event) => {
          handled++;
          if (event.type !== "sent") {
            bad++;
            problems.push(`line ${event.line}: ${event.reason}`);
          }
          sending.update({ done: handled, note: bad ? `${bad} bad` : undefined });
        },
        onEnrichProgress: (finished, total) => {
          if (!enriching) {
            sending.finish({ done: handled, note: bad ? `${bad} bad` : undefined });
            enriching = createProgress({ label: "enriched", total });
          }
          lastFinished = finished;
          enriching.update({ done: finished });
        },
      });
      enriching?.finish({ done: lastFinished });
      printSummary(summary, problems);
    });
}

function printSummary(summary: DemoSummary, problems: string[]): void {
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
