/**
 * Imports a lead file into the pipeline's store: streams its records, submits
 * the good ones in batches for the pipeline to admit durably, writes every bad
 * line to a report, and saves a resumable position after each batch.
 * While one batch is being committed the next one is read, and no further:
 * commits stay in file order, one at a time, and memory stays flat whatever
 * the file's size.
 *
 * Exactly once, in the ordinary case: a run stopped by its signal ends after
 * the batch being committed and saves that position; the next run of the same
 * file skips the lines up to it. At least once, after a crash: a crash between
 * a batch's commit and the saving of its position makes the next run submit
 * that batch again, and the dedupe gate admits those leads as duplicates,
 * which cost no credit (they appear under `duplicates`) as long as the next
 * run comes within the dedupe window (`dedupe.window`, 30 days by default).
 */
import { resolve } from "node:path";
import { ClaypipeError, coerceError } from "../../core/errors.js";
import type { Pipeline } from "../../pipeline/pipeline-api.js";
import type { RejectedLeadRecord } from "../files/lead-record.js";
import { type LeadFileFormat, openLeadFile } from "../files/read-leads.js";
import { type BatchOutcome, ImportBatch } from "./import-batch.js";
import { DEFAULT_IMPORT_BATCH } from "./import-batch-size.js";
import {
  EMPTY_TOTALS,
  type ImportCheckpoints,
  type ImportPosition,
  type ImportTotals,
  identifyFile,
} from "./import-checkpoint.js";
import { decideStart, type ImportStart } from "./import-start.js";
import { openRejectedReport } from "./rejected-report.js";

export interface ImportLeadsOptions {
  /** Validates, dedupes and durably admits each batch (`createPipeline(config)`; it need not be started). */
  pipeline: Pick<Pipeline, "submit">;
  /** The lead file: CSV with a header line, or JSON Lines. */
  file: string;
  /** The intake source the leads come in by (config `sources[].name`). */
  source: string;
  /** @defaultValue from the file's extension */
  format?: LeadFileFormat;
  /** Good leads per submit (one durable write each). @defaultValue DEFAULT_IMPORT_BATCH (1000) */
  batchSize?: number;
  /** Where the resume position is saved; without it an import cannot resume. */
  checkpoints?: ImportCheckpoints;
  /** Ignores a saved position and imports from the top. @defaultValue false */
  restart?: boolean;
  /** The bad-line report (CSV `line,reason`). @defaultValue `<file>.rejected.csv` */
  reportPath?: string;
  /** Bad lines the summary keeps (the report has all of them). @defaultValue 20 */
  sampleSize?: number;
  /** Stops the import after the batch being committed; the position is kept. */
  signal?: AbortSignal;
  /** Called once, before reading: where the import starts and why. */
  onStart?(start: ImportStart): void;
  /** Called after each committed batch with this run's counts. */
  onProgress?(progress: ImportProgress): void;
}

export interface ImportProgress extends ImportTotals {
  /** The last committed line. */
  line: number;
}

export interface ImportSummary extends ImportTotals {
  start: ImportStart;
  /** This import's counts over every run since it started at the top. */
  totals: ImportTotals;
  /** The last line whose batch is committed. */
  line: number;
  /** The first bad lines of this run, at most `sampleSize`. */
  badLineSample: RejectedLeadRecord[];
  /** The bad-line report, when the import has any bad lines. */
  reportPath: string | undefined;
  /** True when the signal stopped the import before the end of the file. */
  stopped: boolean;
}

export { DEFAULT_IMPORT_BATCH };

export async function importLeads(options: ImportLeadsOptions): Promise<ImportSummary> {
  const { pipeline, source, signal } = options;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_IMPORT_BATCH);
  const sampleSize = options.sampleSize ?? 20;
  if (options.file === "-") {
    throw new ClaypipeError("input_unreadable", "import reads a file, not stdin", {
      hint: "save the leads to a file first: the import keeps its place in the file so it can resume",
    });
  }
  const input = await openLeadFile(options.file, options.format ? { format: options.format } : {});
  const file = await identifyFile(options.file);
  const start = await decideStart({
    checkpoints: options.checkpoints,
    file,
    source,
    restart: options.restart ?? false,
  });
  options.onStart?.(start);
  const run: ImportTotals = { ...EMPTY_TOTALS };
  const sample: RejectedLeadRecord[] = [];
  const reportPath = resolve(options.reportPath ?? `${options.file}.rejected.csv`);
  let position = start.position;
  const summary = (stopped: boolean): ImportSummary => ({
    ...run,
    start,
    totals: position.totals,
    line: position.line,
    badLineSample: sample,
    reportPath: position.reportBytes > 0 ? reportPath : undefined,
    stopped,
  });
  if (start.reason === "already_done") return summary(false);

  const report = await openRejectedReport(reportPath, position.reportBytes);
  const save = async (next: ImportPosition) => {
    await options.checkpoints?.write({ file, source, position: next, savedAt: Date.now() });
    position = next;
  };
  const commit = async (batch: ImportBatch) => {
    let outcome: BatchOutcome;
    try {
      outcome = await batch.submit(pipeline, source);
    } catch (thrown) {
      throw stoppedAt(batch, position, thrown);
    }
    await report.append(outcome.rejected);
    for (const bad of outcome.rejected) if (sample.length < sampleSize) sample.push(bad);
    const counts: ImportTotals = {
      read: batch.records,
      queued: outcome.queued,
      duplicates: outcome.duplicates,
      skipped: outcome.skipped,
      badLines: outcome.rejected.length,
    };
    addTo(run, counts);
    await save({
      line: batch.lastLine,
      reportBytes: report.bytes,
      totals: addTo({ ...position.totals }, counts),
      done: false,
    });
    options.onProgress?.({ ...run, line: position.line });
  };

  // The batch being committed; the next one waits for it, so commits go one at a time, in order.
  let committing: Promise<void> | undefined;
  /** Starts committing `batch` once the one before is in; false when stopped meanwhile. */
  const send = async (batch: ImportBatch): Promise<boolean> => {
    await committing;
    if (signal?.aborted) return false;
    committing = commit(batch);
    // Awaited before the next batch or at the end; a failure must not go unheard meanwhile.
    committing.catch(() => {});
    return true;
  };

  let stopped = false;
  try {
    let batch = new ImportBatch();
    for await (const record of input.records) {
      if (signal?.aborted) {
        stopped = true;
        break;
      }
      if (record.line <= start.position.line) continue;
      batch.add(record);
      if (!batch.isFull(batchSize)) continue;
      if (!(await send(batch))) {
        stopped = true;
        break;
      }
      batch = new ImportBatch();
    }
    // Stopped while reading the last, partial batch: it was never in flight, so it waits too.
    if (!stopped && batch.records > 0 && !(await send(batch))) stopped = true;
    // The batch in flight when the import stopped still commits, and its position is saved.
    await committing;
    if (!stopped) await save({ ...position, done: true });
  } finally {
    // A reading error leaves the batch in flight to finish before the report closes under it.
    await committing?.catch(() => {});
    await report.close();
  }
  return summary(stopped);
}

function addTo(totals: ImportTotals, counts: ImportTotals): ImportTotals {
  totals.read += counts.read;
  totals.queued += counts.queued;
  totals.duplicates += counts.duplicates;
  totals.skipped += counts.skipped;
  totals.badLines += counts.badLines;
  return totals;
}

/** A failed submit names the lines it held and where a new run resumes. */
function stoppedAt(batch: ImportBatch, position: ImportPosition, thrown: unknown): ClaypipeError {
  const error = coerceError(thrown);
  const hint = error instanceof ClaypipeError && error.hint ? `${error.hint}; then ` : "";
  return new ClaypipeError(
    error instanceof ClaypipeError ? error.code : "state_unavailable",
    `the import stopped at lines ${position.line + 1}–${batch.lastLine}: ${error.message}`,
    {
      hint: `${hint}run the same import again: it resumes after line ${position.line}`,
      cause: thrown,
    },
  );
}
