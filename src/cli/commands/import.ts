/**
 * `claypipe import <file> --source <name>`: loads a lead file into the
 * pipeline's store for the service to send (standard tier), with progress, a
 * bad-line report, and a position that lets an interrupted import resume.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { resolveSource } from "../../config/resolve-source.js";
import type { ClaypipeConfig } from "../../config/schema.js";
import { ClaypipeError } from "../../core/errors.js";
import type { LeadFileFormat } from "../../intake/files/read-leads.js";
import { DEFAULT_IMPORT_BATCH } from "../../intake/import/import-batch-size.js";
import { fileCheckpoints } from "../../intake/import/import-checkpoint.js";
import type { ImportSummary } from "../../intake/import/import-leads.js";
import { storeIdentity } from "../../intake/import/store-identity.js";
import { createPipeline } from "../../tiers/create-pipeline.js";
import { interruptSignal, loadCommandConfig, withConfigOption } from "../config-option.js";
import { estimateRecords } from "../estimate-records.js";
import { formatRows, say, warn } from "../output.js";
import { parseNumberOption } from "../parse-number-option.js";
import { createProgress, type Progress } from "../progress.js";

interface ImportOptions {
  config: string;
  source: string;
  format?: string;
  batch: string;
  restart?: boolean;
  report?: string;
}

/** Exit codes a script can branch on, as `send` has them. */
export const IMPORT_EXIT = { ok: 0, someLinesBad: 2, stopped: 3 } as const;

const SHOWN_BAD_LINES = 10;

export function registerImport(program: Command): void {
  withConfigOption(
    program
      .command("import")
      .description(
        "import leads from a CSV or JSONL file into the pipeline's store, for the service to send (resumes where it stopped)",
      )
      .argument("<file>", "leads.csv or leads.jsonl")
      .requiredOption(
        "-s, --source <name>",
        "the intake source the leads come in by (sources[].name)",
      )
      .option("--format <format>", "csv or jsonl (default: from the file name)")
      .option("--batch <n>", "leads per durable write", String(DEFAULT_IMPORT_BATCH))
      .option("--restart", "ignore the saved position and import from the top")
      .option("--report <file>", "where the bad lines go (default: <file>.rejected.csv)"),
  ).action(async (file: string, options: ImportOptions) => {
    const { config, logger } = await loadCommandConfig(options);
    requirePipelineTier(config);
    resolveSource(config, options.source);
    const format = parseFormat(options.format);
    const batchSize = parseNumberOption("--batch", options.batch, { min: 1, max: 10_000 });
    const estimate = await estimateRecords(file, format ?? guessFormat(file)).catch(
      () => undefined,
    );
    // Loaded when the command runs, so `--help` does not load the importer.
    const { importLeads } = await import("../../intake/import/import-leads.js");
    const pipeline = await createPipeline(config, { logger });
    let progress: Progress | undefined;
    let summary: ImportSummary;
    try {
      summary = await importLeads({
        pipeline,
        file,
        source: options.source,
        format,
        batchSize,
        checkpoints: fileCheckpoints(join(config.stateDir, "imports"), storeIdentity(config)),
        restart: options.restart ?? false,
        reportPath: options.report,
        signal: interruptSignal(),
        onStart: (start) => {
          if (start.reason !== "new") warn(start.message);
          const total = estimate === undefined ? undefined : estimate - start.position.totals.read;
          progress = createProgress({ label: "imported", total });
        },
        onProgress: (counts) =>
          progress?.update({ done: counts.read, note: badNote(counts.badLines) }),
      });
    } finally {
      await pipeline.stop();
    }
    if (summary.start.reason !== "already_done") {
      progress?.finish({ done: summary.read, note: badNote(summary.badLines) });
    }
    printSummary(summary);
    process.exitCode = summary.stopped
      ? IMPORT_EXIT.stopped
      : summary.totals.badLines > 0
        ? IMPORT_EXIT.someLinesBad
        : IMPORT_EXIT.ok;
  });
}

function printSummary(summary: ImportSummary): void {
  const rows: Array<[string, string | number]> = [
    ["read", summary.read],
    ["admitted, queued to send", summary.queued],
    ["admitted as duplicates (no credit)", summary.duplicates],
    ...(summary.totals.skipped > 0
      ? [["skipped by pre-send rules (no credit)", summary.skipped] as [string, number]]
      : []),
    ["bad lines", summary.badLines],
  ];
  if (summary.start.reason === "resumed")
    rows.push(["resumed after line", summary.start.position.line]);
  if (summary.reportPath) rows.push(["bad-line report", summary.reportPath]);
  say("\nsummary");
  say(formatRows(rows));
  if (summary.start.reason === "resumed" || summary.start.reason === "already_done") {
    const { read, queued, duplicates, skipped, badLines } = summary.totals;
    say(
      `  whole file: ${read} read, ${queued} queued, ${duplicates} duplicates, ${skipped > 0 ? `${skipped} skipped, ` : ""}${badLines} bad lines`,
    );
  }
  if (summary.badLineSample.length > 0) {
    const shown = summary.badLineSample.slice(0, SHOWN_BAD_LINES);
    warn(
      `\nbad lines${summary.badLines > shown.length ? ` (first ${shown.length} of ${summary.badLines}; all of them in the report)` : ""}:`,
    );
    for (const bad of shown) warn(`  line ${bad.line}: ${bad.reason}`);
  }
  if (summary.stopped) {
    say(
      `\nstopped after line ${summary.line}: run the same command again to resume there (--restart starts over)`,
    );
  } else if (summary.queued > 0) {
    say("\nthe leads wait in the store: the service (`claypipe start`) sends them");
  }
}

function badNote(badLines: number): string | undefined {
  return badLines > 0 ? `${badLines} bad line${badLines === 1 ? "" : "s"}` : undefined;
}

function requirePipelineTier(config: ClaypipeConfig): void {
  if (config.tier !== "direct") return;
  throw new ClaypipeError(
    "config_invalid",
    "`claypipe import` loads the pipeline's store, and the direct tier has none",
    { hint: "use `claypipe send <file>` in the direct tier, or set `tier: standard`" },
  );
}

function parseFormat(format: string | undefined): LeadFileFormat | undefined {
  if (format === undefined || format === "csv" || format === "jsonl") return format;
  throw new ClaypipeError("input_invalid", `--format ${format} is not a format claypipe reads`, {
    hint: "use --format csv or --format jsonl",
  });
}

function guessFormat(file: string): LeadFileFormat {
  return /\.(jsonl|ndjson)$/i.test(file) ? "jsonl" : "csv";
}
