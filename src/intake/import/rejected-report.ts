/**
 * The bad-line report of an import: a CSV file `line,reason`, one row per line
 * that was not admitted, in file order. It is written batch by batch, and its
 * length after each committed batch goes into the checkpoint, so a resumed
 * import first cuts off what an interrupted batch wrote and never lists a line
 * twice. It is created at the first bad line; an import without any leaves no
 * report behind.
 */
import { type FileHandle, open, rm, stat, truncate } from "node:fs/promises";
import { ClaypipeError, coerceError } from "../../core/errors.js";
import type { RejectedLeadRecord } from "../files/lead-record.js";

const HEADER = "line,reason\n";

export interface RejectedReport {
  readonly path: string;
  /** Bytes in the report so far. */
  readonly bytes: number;
  /** Appends the rows of one batch. */
  append(rows: readonly RejectedLeadRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the report at `path`, keeping its first `keepBytes` (what committed
 * batches wrote). With 0 an earlier report of the same file is removed.
 */
export async function openRejectedReport(path: string, keepBytes: number): Promise<RejectedReport> {
  let bytes = 0;
  try {
    if (keepBytes === 0) await rm(path, { force: true });
    else {
      bytes = Math.min(keepBytes, await sizeOf(path));
      if (bytes > 0) await truncate(path, bytes);
    }
  } catch (thrown) {
    throw reportError(path, thrown);
  }
  let handle: FileHandle | undefined;
  return {
    path,
    get bytes() {
      return bytes;
    },
    async append(rows) {
      if (rows.length === 0) return;
      let text = bytes === 0 ? HEADER : "";
      for (const row of rows) text += `${row.line},${quote(row.reason)}\n`;
      try {
        handle ??= await open(path, "a");
        await handle.write(text);
      } catch (thrown) {
        throw reportError(path, thrown);
      }
      bytes += Buffer.byteLength(text);
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw thrown;
  }
}

/** RFC 4180: reasons hold commas and quotes (`"x" is not a valid email address`). */
function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function reportError(path: string, thrown: unknown): ClaypipeError {
  return new ClaypipeError(
    "input_unreadable",
    `could not write the bad-line report ${path}: ${coerceError(thrown).message}`,
    {
      hint: "check that the folder is writable, or choose another place for the report (--report <file>)",
      cause: thrown,
    },
  );
}
