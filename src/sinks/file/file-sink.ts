/**
 * The file sink: appends each enriched lead to a JSONL or CSV file, once.
 * On first use it reads the claypipe_ids already in the file (so a restart or
 * a replay never writes a lead twice) and cuts off a record torn by a crash;
 * every deliver() is fsynced before it reports ok, because the pipeline marks
 * a lead delivered on that answer. One process writes one file: its sinks on
 * the same path share one writer (file-writers.ts).
 */

import type { FileHandle } from "node:fs/promises";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { z } from "zod";
import type { fileSinkSchema } from "../../config/sink-schema.js";
import { coerceError } from "../../core/errors.js";
import { type Logger, silentLogger } from "../../logging/create-logger.js";
import type { Sink, SinkRecord, SinkResult } from "../sink.js";
import type { SinkDeps } from "../sink-deps.js";
import { SinkLifecycle } from "../sink-lifecycle.js";
import {
  CSV_EXTRA_COLUMN,
  type CsvLayout,
  chosenCsvLayout,
  csvHeaderLine,
  csvLayoutOf,
  csvLine,
  defaultCsvLayout,
  type FileFormat,
  jsonlLine,
} from "./file-sink-format.js";
import { scanExistingFile } from "./file-sink-scan.js";
import { acquireFileWriter, releaseFileWriter } from "./file-writers.js";

export type FileSinkConfig = z.output<typeof fileSinkSchema>;

interface OpenFile {
  handle: FileHandle;
  /** claypipe_ids in the file. */
  ids: Set<string>;
  /** A CSV's columns; until its header is written, the `columns` chosen, if any. */
  layout: CsvLayout | undefined;
  /** Whether the CSV header is in the file yet (it goes in with the first records). */
  headerWritten: boolean;
}

/** A problem no retry can fix (the file belongs to something else). */
class FileSinkRefusal extends Error {}

/** Nothing is opened until the first deliver(). */
export function createFileSink(config: FileSinkConfig, deps: SinkDeps = {}): Sink {
  const logger = deps.logger ?? silentLogger();
  const format: FileFormat = config.format;
  const lifecycle = new SinkLifecycle();
  const writer = acquireFileWriter<OpenFile>(config.path);
  let released = false;

  async function write(records: SinkRecord[], signal: AbortSignal): Promise<SinkResult[]> {
    try {
      signal.throwIfAborted();
      writer.file ??= openFile(config, signal, logger);
      const opened = await writer.file;
      const { handle, ids } = opened;
      signal.throwIfAborted();
      const fresh = new Map<string, SinkRecord>();
      for (const record of records) {
        if (!ids.has(record.leadId)) fresh.set(record.leadId, record);
      }
      if (fresh.size > 0) {
        let text = "";
        if (format === "csv") {
          const [first] = fresh.values();
          const layout = opened.layout ?? defaultCsvLayout(first!);
          if (!opened.headerWritten) text += csvHeaderLine(layout);
          for (const record of fresh.values()) text += csvLine(record, layout);
          opened.layout = layout;
        } else {
          for (const record of fresh.values()) text += jsonlLine(record);
        }
        await handle.appendFile(text);
        await handle.datasync();
        opened.headerWritten = true;
        for (const id of fresh.keys()) ids.add(id);
      }
      return records.map(() => ({ ok: true }));
    } catch (thrown) {
      // A failed append may have left part of a record: reopen, which cuts it off.
      const failed = writer.file;
      writer.file = undefined;
      await failed?.then((open) => open.handle.close()).catch(() => undefined);
      if (signal.aborted) throw thrown;
      const result = describeFailure(thrown, config.path);
      logger.warn({ sink: config.name, reason: result.reason }, "file sink: write failed");
      return records.map(() => result);
    }
  }

  return {
    name: config.name,
    maxBatch: 500,
    deliver(records, signal) {
      return lifecycle.run(records, signal, (combined) => {
        const next = writer.queue.then(() => write(records, combined));
        writer.queue = next.catch(() => undefined);
        return next;
      });
    },
    async close() {
      await lifecycle.close();
      await writer.queue;
      if (released) return;
      released = true;
      if (!releaseFileWriter(config.path)) return;
      const open = writer.file;
      writer.file = undefined;
      await open?.then((opened) => opened.handle.close()).catch(() => undefined);
    },
  };
}

async function openFile(
  config: FileSinkConfig,
  signal: AbortSignal,
  logger: Logger,
): Promise<OpenFile> {
  const { path, format } = config;
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, "a+");
  try {
    const { size } = await handle.stat();
    if (size === 0) await syncDirectory(dirname(path));
    const existing = await scanExistingFile(path, format, size, signal);
    const layout = format === "csv" ? csvLayoutIn(config, existing.firstRecord) : undefined;
    if (existing.unreadable > 0) {
      logger.warn(
        { path, records: existing.unreadable },
        "file sink: some records in the file have no readable claypipe_id; they are left as they are",
      );
    }
    if (existing.completeBytes < size) {
      logger.warn(
        { path, bytes: size - existing.completeBytes },
        "file sink: cutting off a record torn by an earlier crash; it is written again",
      );
      await handle.truncate(existing.completeBytes);
    }
    // What was read (or cut) must survive a power cut before it counts as written.
    if (size > 0) await handle.datasync();
    return { handle, ids: existing.ids, layout, headerWritten: existing.firstRecord !== undefined };
  } catch (thrown) {
    await handle.close().catch(() => undefined);
    throw thrown;
  }
}

/**
 * The columns to append under: the file's header when claypipe wrote it with
 * these settings (a restart keeps appending to it), else a refusal. Undefined
 * when the file has no header yet and the first record will choose.
 */
function csvLayoutIn(config: FileSinkConfig, header: string | undefined): CsvLayout | undefined {
  const chosen = config.columns ? chosenCsvLayout(config.columns) : undefined;
  if (header === undefined) return chosen;
  const found = csvLayoutOf(header, chosen === undefined);
  const fits = chosen
    ? found.cells.join(",") === chosen.cells.join(",")
    : found.cells[0] === "claypipe_id" && found.cells.at(-1) === CSV_EXTRA_COLUMN;
  if (!fits) {
    throw new FileSinkRefusal(
      `${config.path} already holds a CSV with other columns than this sink writes: point the sink at a new file, move this one away, or set the sink's columns to the file's header`,
    );
  }
  return found;
}

// A new file's name lives in its directory: sync that too, or a power cut can lose the whole file.
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r").catch(() => undefined);
  if (!directory) return;
  // Some platforms and file systems cannot sync a directory; the file's own sync still holds.
  await directory.sync().catch(() => undefined);
  await directory.close();
}

const FILE_ERRORS: Record<string, string> = {
  ENOSPC: "the disk is full: free some space",
  EDQUOT: "the disk quota is used up: free some space or raise the quota",
  EACCES: "permission denied: let the user running claypipe write there",
  EPERM: "permission denied: let the user running claypipe write there",
  EROFS: "the file system is read-only: point the sink at a writable place",
  ENOTDIR: "a part of the path is a file, not a directory: fix the sink's path",
  // mkdir's answer when a part of the path is a file.
  EEXIST: "a part of the path is a file, not a directory: fix the sink's path",
  EISDIR: "the path is a directory: give the sink a file name",
  EMFILE: "too many open files: raise the open file limit (ulimit -n)",
  EIO: "an I/O error on the disk: check the disk",
};

function describeFailure(thrown: unknown, path: string): SinkResult & { ok: false } {
  if (thrown instanceof FileSinkRefusal) {
    return { ok: false, retryable: false, reason: thrown.message };
  }
  const error = coerceError(thrown);
  const code = (error as { code?: unknown }).code;
  const what = (typeof code === "string" && FILE_ERRORS[code]) || error.message;
  return { ok: false, retryable: true, reason: `could not write ${path}: ${what}` };
}
