/** `claypipe send <file|->`: the direct tier's bulk send, with progress and per-line reports. */
import type { Command } from "commander";
import { openLeadFile } from "../../intake/read-leads.js";
import { createDirectPipeline } from "../../tiers/direct/direct-pipeline.js";
import type { SendSummary } from "../../tiers/direct/send-leads.js";
import { interruptSignal, loadCommandConfig, withConfigOption } from "../config-option.js";
import { estimateRecords } from "../estimate-records.js";
import { formatRows, say, warn } from "../output.js";
import { createProgress } from "../progress.js";
import { requireDirectTier } from "../require-tier.js";

interface SendOptions {
  config: string;
  table?: string;
  format?: "csv" | "jsonl";
  fromLine?: string;
}

/** Exit codes a script can branch on. */
export const SEND_EXIT = { ok: 0, someRowsNotSent: 2, stopped: 3 } as const;

export function registerSend(program: Command): void {
  withConfigOption(
    program
      .command("send")
      .description("send leads from a CSV or JSONL file (or - for stdin) to a Clay table")
      .argument("<file>", "leads.csv, leads.jsonl, or - to read stdin")
      .option("-t, --table <name>", "table name, or workspace/table (default: the first table)")
      .option("--format <format>", "csv or jsonl (default: from the file name; sniffed for stdin)")
      .option("--from-line <n>", "skip records before this line (resume after a stop)"),
  ).action(async (file: string, options: SendOptions) => {
    const { config, logger } = loadCommandConfig(options);
    requireDirectTier(config, "send");
    const pipeline = createDirectPipeline(config, { logger });
    const input = await openLeadFile(file, options.format ? { format: options.format } : {});
    const progress = createProgress({
      label: "sent",
      total: await estimateRecords(file, input.format),
    });
    let problems = 0;
    let sent = 0;

    const summary = await pipeline.sendLeads(input.records, {
      table: options.table,
      fromLine: options.fromLine ? Number(options.fromLine) : undefined,
      signal: interruptSignal(),
      onEvent: (event) => {
        if (event.type === "sent") sent++;
        else {
          problems++;
          warn(
            `line ${event.line}: ${event.type === "invalid" ? "" : `${event.type}: `}${event.reason}`,
          );
        }
        progress.update({
          done: sent + problems,
          note: problems ? `${problems} not sent` : undefined,
        });
      },
    });
    progress.finish({ done: sent + problems, note: problems ? `${problems} not sent` : undefined });
    printSummary(summary);
    process.exitCode = summary.stopped
      ? SEND_EXIT.stopped
      : summary.read > summary.sent
        ? SEND_EXIT.someRowsNotSent
        : SEND_EXIT.ok;
  });
}

function printSummary(summary: SendSummary): void {
  say("\nsummary");
  say(
    formatRows([
      ["read", summary.read],
      ["sent to Clay", summary.sent],
      ["bad lines", summary.invalid],
      ["refused (over 100 KB)", summary.refused],
      ["rejected by Clay", summary.rejected],
      ["failed after retries", summary.failed],
    ]),
  );
  if (summary.stopped) {
    say(`\nstopped: ${summary.stopped.reason}`);
    say(`resume with: --from-line ${summary.stopped.resumeFromLine}`);
  }
}
