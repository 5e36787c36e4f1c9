/**
 * Reads what the file sink wrote before, streaming, so a restart skips the
 * records already there. Every record claypipe writes ends with a line break
 * (outside quotes, for CSV); bytes after the last one are a write torn by a
 * crash, which the sink cuts off before appending again.
 */
import { createReadStream } from "node:fs";
import type { FileFormat } from "./file-sink-format.js";

export interface ExistingFile {
  /** claypipe_ids of the complete records. */
  ids: Set<string>;
  /** Bytes up to the end of the last complete record. */
  completeBytes: number;
  /** The first complete record's text (the CSV header), if any. */
  firstRecord: string | undefined;
  /** Complete records without a readable claypipe_id (damaged, or not written by claypipe). */
  unreadable: number;
}

const LF = 0x0a;
const QUOTE = 0x22;

export async function scanExistingFile(
  path: string,
  format: FileFormat,
  size: number,
  signal: AbortSignal,
): Promise<ExistingFile> {
  const result: ExistingFile = {
    ids: new Set(),
    completeBytes: 0,
    firstRecord: undefined,
    unreadable: 0,
  };
  if (size === 0) return result;
  let parts: Buffer[] = [];
  let offset = 0;
  let inQuotes = false;
  let first = true;

  const finishRecord = (text: string) => {
    if (first) {
      first = false;
      result.firstRecord = text;
      if (format === "csv") return;
    }
    if (text === "") return;
    const id = format === "csv" ? firstCsvField(text) : jsonlId(text);
    if (id) result.ids.add(id);
    else result.unreadable += 1;
  };

  // Only what was there at open: the sink appends after this size.
  const stream = createReadStream(path, { start: 0, end: size - 1, signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let pos = 0; pos < chunk.length; pos++) {
      const byte = chunk[pos]!;
      if (byte === QUOTE && format === "csv") inQuotes = !inQuotes;
      else if (byte === LF && !inQuotes) {
        parts.push(chunk.subarray(start, pos));
        finishRecord(Buffer.concat(parts).toString("utf8").replace(/\r$/, ""));
        parts = [];
        start = pos + 1;
        result.completeBytes = offset + start;
      }
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
    offset += chunk.length;
  }
  return result;
}

function jsonlId(line: string): string | undefined {
  try {
    const value: unknown = JSON.parse(line);
    const id = (value as { claypipe_id?: unknown } | null)?.claypipe_id;
    return typeof id === "string" && id !== "" ? id : undefined;
  } catch {
    return undefined;
  }
}

function firstCsvField(record: string): string | undefined {
  if (!record.startsWith('"')) return record.split(",", 1)[0] || undefined;
  const match = /^"((?:[^"]|"")*)"/.exec(record);
  return match?.[1] ? match[1].replaceAll('""', '"') : undefined;
}
