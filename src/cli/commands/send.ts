/** `claypipe send <file|->`: the direct tier's bulk send, with progress and per-line reports. */
import type { Command } from "commander";
import type { SendSummary } from "../../tiers/direct/send-leads.js";
import { interruptSignal, loadCommandConfig, withConfigOption } from "../config-option.js";
import { estimateRecords } from "../estimate-records.js";
import { formatRows, say } from "../output.js";
import { parseNumberOption } from "../parse-number-option.js";
import { createProgress } from "../progress.js";
import { requireDirectTier } from "../require-tier.js";
import { pastEndLine, stopLine, summaryRows, TALLY_WORDS, tallyNote } from "../send-report.js";

interface SendOptions {
  config: string;
  table?: string;
  format?: "csv" | "jsonl";
  fromLine?: string;
  dedupe: boolean;
}

/** Exit codes a script can branch on. */
export const SEND_EXIT = { ok: 0, someRowsNotSent: 2, fromLinePastEnd: 2, stopped: 3 } as const;

export function registerSend(program: Command): void {
  withConfigOption(
    program
      .command("send")
      .description("send leads from a CSV or JSONL file (or - for stdin) to a Clay table")
      .argument("<file>", "leads.csv, leads.jsonl, or - to read stdin")
      .option("-t, --table <name>", "table name, or workspace/table (default: the first table)")
      .option("--format <format>", "csv or jsonl (default: from the file name; sniffed for stdin)")
      .option("--from-line <n>", "skip records before this line (resume after a stop)")
      .option("--no-dedupe", "send leads again even when sent within dedupe.window"),
  ).action(async (file: string, options: SendOptions) => {
    const { config } = await loadCommandConfig(options, { sinkVariables: "deferred" });
    requireDirectTier(config, "send");
    // Loaded when the command runs, so `--help` loads neither the reader, the logger nor the tier.
    const { openLeadFile } = await import("../../intake/files/read-leads.js");
    const { createLogger } = await import("../../logging/create-logger.js");
    const { createDirectPipeline } = await import("../../tiers/direct/direct-pipeline.js");
    const fromLine =
      options.fromLine === undefined
        ? undefined
        : parseNumberOption("--from-line", options.fromLine, { min: 1 });
    const input = await openLeadFile(file, options.format ? { format: options.format } : {});
    const progress = createProgress({
      label: TALLY_WORDS.read,
      total: await estimateRecords(file, input.format),
    });
    // Log lines go through the progress display, so they never land inside the bar.
    const logger = createLogger(config.logLevel, progress.logStream);
    const pipeline = createDirectPipeline(config, { logger });

    const summary = await pipeline.sendLeads(input.records, {
      table: options.table,
      fromLine,
      signal: interruptSignal(),
      dedupe: options.dedupe,
      onEvent: (event, tally) => {
        if (event.type === "invalid") progress.print(`line ${event.line}: ${event.reason}`);
        else if (event.type === "refused" || event.type === "rejected" || event.type === "failed") {
          progress.print(`line ${event.line}: ${event.type}: ${event.reason}`);
        }
        progress.update({ done: tally.read, note: tallyNote(tally) });
      },
    });
    progress.finish({ done: summary.read, note: tallyNote(summary) });
    printSummary(summary);
    if (summary.pastEnd && fromLine !== undefined) {
      say(`\n${pastEndLine(fromLine, summary.pastEnd.lastLine)}`);
    }
    process.exitCode = summary.stopped
      ? SEND_EXIT.stopped
      : summary.pastEnd
        ? SEND_EXIT.fromLinePastEnd
        : summary.notSent > 0
          ? SEND_EXIT.someRowsNotSent
          : SEND_EXIT.ok;
  });
}

function printSummary(summary: SendSummary): void {
  say("\nsummary");
  say(formatRows(summaryRows(summary)));
  if (summary.stopped) say(`\n${stopLine(summary.stopped)}`);
}
