/**
 * How the file sink writes a record: one JSON object per line (JSONL), or one
 * CSV record under a fixed header (RFC 4180 quoting, CRLF). Text cells follow
 * OWASP's CSV injection guidance, so a value from a public form or from Clay
 * can never run in someone's spreadsheet: a cell a spreadsheet would read as a
 * formula (= + - @, in ASCII or fullwidth, first or after blanks; or a tab,
 * CR or LF first) gets a leading apostrophe, and a cell holding a quote or a
 * separator of any locale (, ; tab CR LF) is quoted, so no part of it can
 * start a cell of its own.
 */
import type { SinkRecord } from "./sink.js";
import { publicRow, recordFields } from "./sink-row.js";

export type FileFormat = "jsonl" | "csv";

export const CSV_COLUMNS = [
  "claypipe_id",
  "source",
  "route",
  "enriched_at",
  "email",
  "first_name",
  "last_name",
  "work_email",
  "title",
  "seniority",
  "company_name",
  "company_domain",
  "employee_count",
  "industry",
  "country",
  "linkedin_url",
  "icp_score",
] as const;

const CSV_NEWLINE = "\r\n";
export const CSV_HEADER = CSV_COLUMNS.join(",");

export function jsonlLine(record: SinkRecord): string {
  return `${JSON.stringify({ ...recordFields(record), ...publicRow(record.row) })}\n`;
}

export function csvHeaderLine(): string {
  return CSV_HEADER + CSV_NEWLINE;
}

export function csvLine(record: SinkRecord): string {
  const own: Record<string, unknown> = {
    claypipe_id: record.leadId,
    source: record.source,
    route: record.route,
    enriched_at: record.enrichedAt,
  };
  const cells = CSV_COLUMNS.map((column) => csvCell(own[column] ?? record.row[column]));
  return cells.join(",") + CSV_NEWLINE;
}

export function formatLine(format: FileFormat, record: SinkRecord): string {
  return format === "csv" ? csvLine(record) : jsonlLine(record);
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
