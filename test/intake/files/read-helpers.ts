/** Shared by the intake tests: byte sources shaped like files and pipes, and record collection. */
import { Readable } from "node:stream";
import type { LeadRecord } from "../../../src/intake/files/lead-record.js";

/** A stream that delivers `text` in the given pieces, as a pipe would. */
export function streamOf(...pieces: Array<string | Buffer>): Readable {
  return Readable.from(
    pieces.map((piece) => (typeof piece === "string" ? Buffer.from(piece) : piece)),
  );
}

/** The same bytes, one byte per chunk: every boundary case at once. */
export function byteByByte(text: string | Buffer): Readable {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  return Readable.from(Array.from(bytes, (byte) => Buffer.from([byte])));
}

export async function collect(records: AsyncIterable<LeadRecord>): Promise<LeadRecord[]> {
  const out: LeadRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** "2 ok ana@acme.com" or "3 bad <reason>": compact lines to compare whole files at a glance. */
export function summarize(records: LeadRecord[]): string[] {
  return records.map((record) =>
    record.ok
      ? `${record.line} ok ${String(record.lead.email ?? record.lead.full_name)}`
      : `${record.line} bad ${record.reason}`,
  );
}
