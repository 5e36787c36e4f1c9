/**
 * How the file sink writes a record: one JSON object per line (JSONL), or one
 * CSV record under one header (RFC 4180 quoting, CRLF): the sink's `columns`,
 * or by default claypipe's, the first record's fields and `extra` for fields
 * later records bring. Text cells follow OWASP's CSV injection guidance, so a
 * value from a public form or from Clay can never run in someone's
 * spreadsheet: a cell a spreadsheet would read as a formula (= + - @, in ASCII
 * or fullwidth, first or after blanks; or a tab, CR or LF first) gets a
 * leading apostrophe, and a cell holding a quote or a separator of any locale
 * (, ; tab CR LF) is quoted, so no part of it can start a cell of its own.
 * Header cells (Clay's column names) are written the same way.
 */
import type { SinkRecord } from "../sink.js";
import { publicRow, recordFields } from "../sink-row.js";

export type FileFormat = "jsonl" | "csv";

/** claypipe's own columns, first in every CSV (claypipe_id first: a restart reads it back). */
export const CSV_OWN_COLUMNS = ["claypipe_id", "source", "route", "enriched_at"] as const;
/** With the default columns, the last one: what the header lacks, as a JSON object. */
export const CSV_EXTRA_COLUMN = "extra";

/**
 * A CSV file's columns, as its header cells (each name as csvCell writes it),
 * and whether the last one, `extra`, takes the fields the others lack.
 */
export interface CsvLayout {
  cells: readonly string[];
  extra: boolean;
}

const CSV_NEWLINE = "\r\n";

export function jsonlLine(record: SinkRecord): string {
  return `${JSON.stringify({ ...recordFields(record), ...publicRow(record.row) })}\n`;
}

/** The sink's `columns`: claypipe_id first, then them in their order; nothing else. */
export function chosenCsvLayout(columns: readonly string[]): CsvLayout {
  const names = ["claypipe_id", ...columns.filter((column) => column !== "claypipe_id")];
  return { cells: names.map(csvCell), extra: false };
}

/** By default: claypipe's columns, the first record's fields sorted, then `extra`. */
export function defaultCsvLayout(record: SinkRecord): CsvLayout {
  const own = new Set<string>(CSV_OWN_COLUMNS);
  const fields = Object.keys(publicRow(record.row))
    .filter((key) => !own.has(key) && key !== CSV_EXTRA_COLUMN)
    .sort();
  const names = [...CSV_OWN_COLUMNS, ...fields, CSV_EXTRA_COLUMN];
  return { cells: names.map(csvCell), extra: true };
}

/** The layout of a header claypipe wrote before, read back from its text. */
export function csvLayoutOf(header: string, extra: boolean): CsvLayout {
  return { cells: splitCsvRecord(header), extra };
}

export function csvHeaderLine(layout: CsvLayout): string {
  return layout.cells.join(",") + CSV_NEWLINE;
}

export function csvLine(record: SinkRecord, layout: CsvLayout): string {
  // Fields by their header cell, so a name the header quoted or defused still finds its column.
  const values = new Map<string, unknown>();
  for (const [key, value] of Object.entries(publicRow(record.row))) values.set(csvCell(key), value);
  for (const [key, value] of Object.entries(recordFields(record))) values.set(key, value);
  const last = layout.extra ? layout.cells.length - 1 : layout.cells.length;
  const cells = layout.cells.slice(0, last).map((cell) => {
    const value = values.get(cell);
    values.delete(cell);
    return csvCell(value);
  });
  if (layout.extra) cells.push(csvCell(extraCell(record, new Set(values.keys()))));
  return cells.join(",") + CSV_NEWLINE;
}

/** The row's fields whose cells the header lacks, sorted, as one JSON object ("" when none). */
function extraCell(record: SinkRecord, leftCells: Set<string>): string {
  const extra: Record<string, unknown> = {};
  const row = publicRow(record.row);
  for (const key of Object.keys(row).sort()) {
    if (leftCells.has(csvCell(key))) extra[key] = row[key];
  }
  return Object.keys(extra).length > 0 ? JSON.stringify(extra) : "";
}

/** A record's cells as written (quotes kept): commas outside quotes separate them. */
function splitCsvRecord(text: string): string[] {
  const cells: string[] = [];
  let inQuotes = false;
  let start = 0;
  for (let pos = 0; pos < text.length; pos++) {
    const char = text[pos];
    if (char === '"') inQuotes = !inQuotes;
    else if (char === "," && !inQuotes) {
      cells.push(text.slice(start, pos));
      start = pos + 1;
    }
  }
  cells.push(text.slice(start));
  return cells;
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (typeof value === "string") {
    // Numbers are never formulas; only text can be.
    text = startsLikeFormula(value) ? `'${value}` : value;
  } else if (typeof value === "object") {
    text = JSON.stringify(value);
  } else {
    text = String(value);
  }
  return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// Spreadsheets read fullwidth and small forms of these signs as the ASCII ones.
const FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b";
const LINE_STARTS = "\t\r\n";

/** A tab, CR or LF first, or a formula sign as the first character that is not blank. */
function startsLikeFormula(text: string): boolean {
  const first = text[0];
  if (first !== undefined && LINE_STARTS.includes(first)) return true;
  for (const char of text) {
    // One character at a time: spaces, NBSP, ideographic spaces, line breaks.
    if (/\s/.test(char)) continue;
    return FORMULA_SIGNS.includes(char);
  }
  return false;
}
