/**
 * Reads leads from a CSV file with a header line, streaming: each row becomes a
 * validated lead or a rejected record naming its line, and the good rows around
 * a bad one go on. Problems with the file as a whole (empty, UTF-16, a header
 * that cannot work) throw one ClaypipeError instead.
 */
import { ClaypipeError } from "../../core/errors.js";
import { EXAMPLE_HEADER, readCsvHeader } from "./csv-header.js";
import { type CsvRow, CsvScanner } from "./csv-scanner.js";
import { type ByteSource, readInputBytes } from "./input-bytes.js";
import { type LeadRecord, rejectLine, toLeadRecord } from "./lead-record.js";

export interface CsvLeadsOptions {
  /**
   * Longer records are skipped and reported, never held in memory. A quoted
   * value that spans lines counts as one record. @defaultValue 1 MiB
   */
  maxLineBytes?: number;
  /** Stops reading; iteration rejects with the signal's reason. */
  signal?: AbortSignal;
}

export async function* readCsvLeads(
  input: ByteSource,
  options: CsvLeadsOptions = {},
): AsyncGenerator<LeadRecord> {
  const scanner = new CsvScanner(options.maxLineBytes ?? 1 << 20);
  const rows: CsvRow[] = [];
  let columns: string[] | undefined;
  let headerLine = 0;
  let sawRow = false;
  function* drain(): Generator<LeadRecord> {
    for (const row of rows) {
      if ("fields" in row && isBlank(row.fields)) continue;
      if (columns === undefined) {
        headerLine = row.line;
        columns = readHeader(row);
        continue;
      }
      sawRow = true;
      // A chunk holds many rows: stop between them, not only between chunks.
      options.signal?.throwIfAborted();
      yield "fields" in row
        ? toRecord(row.line, row.fields, columns)
        : rejectLine(row.line, row.problem);
    }
    rows.length = 0;
  }
  for await (const chunk of readInputBytes(input, { signal: options.signal })) {
    scanner.push(chunk, rows);
    yield* drain();
  }
  scanner.end(rows);
  yield* drain();
  if (columns === undefined) {
    throw new ClaypipeError(
      "input_invalid",
      `the file is empty: expected a header line such as ${EXAMPLE_HEADER}`,
      {
        hint: "write the column names on the first line and one lead per line below it",
      },
    );
  }
  if (!sawRow) {
    throw new ClaypipeError(
      "input_invalid",
      `the file has a header (line ${headerLine}) but no leads below it`,
      {
        hint: "add one lead per line below the header",
      },
    );
  }
}

function readHeader(row: CsvRow): string[] {
  if ("problem" in row) {
    throw new ClaypipeError(
      "input_invalid",
      `line ${row.line}: the header line cannot be read: ${row.problem}`,
      {
        hint: `the first line must name the columns, such as ${EXAMPLE_HEADER}`,
      },
    );
  }
  return readCsvHeader(row.fields, row.line);
}

function toRecord(line: number, values: string[], columns: string[]): LeadRecord {
  if (values.length !== columns.length)
    return rejectLine(line, columnCountProblem(values.length, columns.length));
  const fields: Record<string, string> = {};
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index]!;
    if (column !== "") fields[column] = values[index]!;
  }
  return toLeadRecord(line, fields);
}

function columnCountProblem(values: number, columns: number): string {
  const counts = `${plural(values, "value")} but the header has ${plural(columns, "column")}`;
  return values > columns
    ? `${counts} — put values that contain a comma in double quotes`
    : `${counts} — give every column a value (empty is fine: a,,c)`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Empty lines and lines of only commas (spreadsheets leave them at the end) are not leads. */
function isBlank(values: string[]): boolean {
  for (const value of values) if (value.trim() !== "") return false;
  return true;
}
