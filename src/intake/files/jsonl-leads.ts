/**
 * Reads leads from JSON Lines (one JSON object per line), streaming: blank
 * lines are skipped, and a line that is too long, not UTF-8, not JSON or not a
 * valid lead becomes a rejected record while the other lines go on.
 */
import { isUtf8 } from "node:buffer";
import { ClaypipeError } from "../../core/errors.js";
import { type ByteSource, readInputBytes } from "./input-bytes.js";
import { type LeadRecord, rejectLine, toLeadRecord } from "./lead-record.js";
import { lineTooLong, NOT_UTF8 } from "./line-problems.js";
import { LineSplitter, type SplitLine } from "./line-splitter.js";

export interface JsonlLeadsOptions {
  /** Longer lines are skipped and reported, never held in memory. @defaultValue 1 MiB */
  maxLineBytes?: number;
  /** Stops reading; iteration rejects with the signal's reason. */
  signal?: AbortSignal;
}

const MAX_DETAIL = 100;

export async function* readJsonlLeads(
  input: ByteSource,
  options: JsonlLeadsOptions = {},
): AsyncGenerator<LeadRecord> {
  const maxLineBytes = options.maxLineBytes ?? 1 << 20;
  const splitter = new LineSplitter(maxLineBytes);
  const lines: SplitLine[] = [];
  let sawLead = false;
  function* drain(): Generator<LeadRecord> {
    for (const split of lines) {
      const record = readLine(split, maxLineBytes);
      if (record === undefined) continue;
      sawLead = true;
      // A chunk holds many lines: stop between them, not only between chunks.
      options.signal?.throwIfAborted();
      yield record;
    }
    lines.length = 0;
  }
  for await (const chunk of readInputBytes(
    input,
    options.signal ? { signal: options.signal } : {},
  )) {
    splitter.push(chunk, lines);
    yield* drain();
  }
  splitter.end(lines);
  yield* drain();
  if (!sawLead) {
    throw new ClaypipeError(
      "input_invalid",
      "the file is empty: expected one JSON object per line",
      {
        hint: 'write one lead per line, such as {"email":"ana@acme.com","first_name":"Ana"}',
      },
    );
  }
}

/** The record for one line, or undefined for a blank line. */
function readLine(split: SplitLine, maxLineBytes: number): LeadRecord | undefined {
  const { line } = split;
  if ("tooLong" in split) return rejectLine(line, lineTooLong(maxLineBytes));
  const text = split.bytes.toString("utf8");
  if (text.includes("\uFFFD") && !isUtf8(split.bytes)) return rejectLine(line, NOT_UTF8);
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? shorten(error.message) : "parse error";
    return rejectLine(line, `not valid JSON (${detail}) — write one JSON object per line`);
  }
  return toLeadRecord(line, value);
}

function shorten(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}
