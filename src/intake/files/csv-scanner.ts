/**
 * A streaming CSV tokenizer (RFC 4180: "," between values, a value in double
 * quotes may hold commas, line breaks and "" for a quote) that turns a broken
 * record into a reported row and carries on with the next one.
 *
 * csv-parse cannot do that: after an invalid closing quote it stays inside the
 * quotes to the end of the file, and after `max_record_size` it drops every
 * later chunk. So this scanner keeps its own state, one byte at a time:
 * - a record longer than the cap is not held: from the byte that crosses the
 *   cap its bytes are dropped as they arrive, and only its line number comes out;
 * - a quoted value that spans lines and then never closes, closes in the wrong
 *   place, or crosses the cap is almost always a stray quote, not a long value:
 *   the record is reported at its first line and scanning resumes on the line
 *   after the quote opened (those bytes are still held, within the cap).
 *   Decisions are made at the byte, so chunk boundaries never change a result;
 * - a quote inside an unquoted value (`5" screen`) is kept as a character.
 */
import { isUtf8 } from "node:buffer";
import { lineTooLong, NOT_UTF8 } from "./line-problems.js";

/** One record: its values, or why it was skipped; `line` is where it starts. */
export type CsvRow = { line: number; fields: string[] } | { line: number; problem: string };

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

const EMPTY = Buffer.alloc(0);

export class CsvScanner {
  private readonly maxRecordBytes: number;
  /** Unscanned and still-needed bytes: from the current value's start on. */
  private buffer: Buffer = EMPTY;
  /** Where `buffer[0]` is in the input. */
  private bufferOffset = 0;
  private inputBytes = 0;
  private state = FIELD_START;
  private afterCR = false;
  private line = 1;
  private recordLine = 1;
  private recordStart = 0;
  /** Where in the input the current record crosses the cap. */
  private recordLimit: number;
  private fields: string[] = [];
  private fieldStart = 0;
  private fieldEscaped = false;
  private problem: string | undefined;
  /** The record is over the cap: its bytes are dropped as they arrive. */
  private discarding = false;
  private quoteLine = 0;
  /** Index in the buffer of the first line break inside the open quoted value, or -1. */
  private quoteNewline = -1;

  constructor(maxRecordBytes: number) {
    this.maxRecordBytes = maxRecordBytes;
    this.recordLimit = maxRecordBytes;
  }

  /** Adds the records that `chunk` completes to `out`. */
  push(chunk: Buffer, out: CsvRow[]): void {
    const carried = this.buffer.length;
    if (carried === 0) this.bufferOffset = this.inputBytes;
    this.inputBytes += chunk.length;
    const buffer = carried === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.scan(buffer, carried, out);
    if (this.discarding) {
      this.buffer = EMPTY;
      return;
    }
    this.buffer = buffer.subarray(this.fieldStart);
    this.bufferOffset += this.fieldStart;
    if (this.quoteNewline >= 0) this.quoteNewline -= this.fieldStart;
    this.fieldStart = 0;
  }

  /** Adds the last record, when the input does not end with a line break. */
  end(out: CsvRow[]): void {
    const buffer = this.buffer;
    const length = buffer.length;
    while (this.state === QUOTED && this.quoteNewline >= 0) {
      this.scan(buffer, this.rewind(out) + 1, out);
    }
    if (!this.discarding && this.recordStart === this.inputBytes && this.fields.length === 0)
      return;
    if (this.state === QUOTED) {
      this.problem ??= this.discarding ? lineTooLong(this.maxRecordBytes) : this.unclosedQuote();
    } else if (this.state === QUOTE_IN_QUOTED) {
      this.endField(buffer, length - 1, true);
    } else {
      this.endField(buffer, length, false);
    }
    this.endRecord(length, out, LF);
  }

  private scan(buffer: Buffer, from: number, out: CsvRow[]): void {
    const length = buffer.length;
    const offset = this.bufferOffset;
    for (let pos = from; pos < length; pos++) {
      const byte = buffer[pos]!;
      if (this.afterCR) {
        this.afterCR = false;
        if (byte === LF) {
          this.startRecord(pos + 1, this.line);
          continue;
        }
      }
      switch (this.state) {
        case FIELD_START:
          if (byte === QUOTE) {
            this.state = QUOTED;
            this.fieldStart = pos + 1;
            this.fieldEscaped = false;
            this.quoteLine = this.line;
            this.quoteNewline = -1;
          } else if (byte === COMMA) {
            this.endField(buffer, pos, false);
            this.fieldStart = pos + 1;
          } else if (byte === LF || byte === CR) {
            this.endField(buffer, pos, false);
            this.endRecord(pos, out, byte);
          } else {
            this.state = UNQUOTED;
          }
          break;
        case UNQUOTED:
          if (byte === COMMA) {
            this.endField(buffer, pos, false);
            this.state = FIELD_START;
            this.fieldStart = pos + 1;
          } else if (byte === LF || byte === CR) {
            this.endField(buffer, pos, false);
            this.endRecord(pos, out, byte);
          }
          break;
        case QUOTED:
          if (byte === QUOTE) {
            this.state = QUOTE_IN_QUOTED;
          } else if (byte === LF) {
            this.line++;
            if (this.quoteNewline < 0 && !this.discarding) this.quoteNewline = pos;
          }
          break;
        default:
          if (byte === QUOTE) {
            this.fieldEscaped = true;
            this.state = QUOTED;
          } else if (byte === COMMA) {
            this.endField(buffer, pos - 1, true);
            this.state = FIELD_START;
            this.fieldStart = pos + 1;
          } else if (byte === LF || byte === CR) {
            this.endField(buffer, pos - 1, true);
            this.endRecord(pos, out, byte);
          } else if (this.quoteNewline >= 0) {
            pos = this.rewind(out);
          } else {
            this.problem ??= misplacedClosingQuote(byte);
            // The record is lost either way; reading on unquoted finds its end.
            this.state = UNQUOTED;
          }
      }
      if (offset + pos >= this.recordLimit && !this.discarding) pos = this.crossCap(pos, out);
    }
  }

  /** The record has just grown past the cap at `pos`; returns the index to continue scanning after. */
  private crossCap(pos: number, out: CsvRow[]): number {
    if (this.state !== UNQUOTED && this.state !== FIELD_START && this.quoteNewline >= 0)
      return this.rewind(out);
    this.problem ??= lineTooLong(this.maxRecordBytes);
    this.discarding = true;
    this.quoteNewline = -1;
    return pos;
  }

  private endField(buffer: Buffer, end: number, quoted: boolean): void {
    if (this.problem !== undefined) return;
    let value = buffer.toString("utf8", this.fieldStart, end);
    if (value.includes("\uFFFD") && !isUtf8(buffer.subarray(this.fieldStart, end))) {
      this.problem = NOT_UTF8;
      return;
    }
    if (quoted && this.fieldEscaped) value = value.replaceAll('""', '"');
    this.fields.push(value);
  }

  /** Ends the record whose line break is at `pos`; a "\r" there may be followed by a "\n". */
  private endRecord(pos: number, out: CsvRow[], byte: number): void {
    const line = this.recordLine;
    out.push(
      this.problem === undefined ? { line, fields: this.fields } : { line, problem: this.problem },
    );
    this.afterCR = byte === CR;
    this.startRecord(pos + 1, this.line + 1);
  }

  /**
   * Reports the record as a stray quote and starts over on the line after the
   * one where the quote opened. Returns the index to continue scanning after.
   */
  private rewind(out: CsvRow[]): number {
    const restart = this.quoteNewline;
    out.push({ line: this.recordLine, problem: this.problem ?? this.unclosedQuote() });
    this.startRecord(restart + 1, this.quoteLine + 1);
    return restart;
  }

  private startRecord(fieldStart: number, line: number): void {
    this.state = FIELD_START;
    this.fields = [];
    this.problem = undefined;
    this.discarding = false;
    this.quoteNewline = -1;
    this.line = line;
    this.recordLine = line;
    this.fieldStart = fieldStart;
    this.recordStart = this.bufferOffset + fieldStart;
    this.recordLimit = this.recordStart + this.maxRecordBytes;
  }

  private unclosedQuote(): string {
    const where = this.quoteLine === this.recordLine ? "" : ` starting on line ${this.quoteLine}`;
    return `a quoted value${where} is never closed — close it, and write a quote inside a value as two quotes ("")`;
  }
}

function misplacedClosingQuote(byte: number): string {
  const next =
    byte >= 0x20 && byte < 0x7f ? `"${String.fromCharCode(byte)}"` : `byte 0x${byte.toString(16)}`;
  return `a closing quote is followed by ${next} — put the whole value in quotes and write a quote inside it as two quotes ("")`;
}
