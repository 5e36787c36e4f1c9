/**
 * The partial match of `leads.list` (LeadMatch), shared by the adapters: the
 * checks on what a caller asks, and how a bounded scan becomes a page. An
 * adapter reads the scanned window as (createdAt, id, hit) in cursor order,
 * then the full rows of the hits this page keeps.
 */
import { ClaypipeError } from "../core/errors.js";
import { encodeLeadCursor } from "./lead-cursor.js";
import { type LeadMatch, MATCH_SCAN_ROWS } from "./lead-store.js";

/** Longest text a match looks for: a search box, not a document. */
export const MAX_MATCH_TEXT = 200;

export interface CheckedMatch {
  field: string;
  /** The text with ASCII letters lowered, as the adapters lower the values. */
  text: string;
  column: "fields" | "result";
  scan: number;
}

export interface ScannedRow {
  createdAt: number;
  id: string;
  hit: boolean;
}

export function checkLeadMatch(match: LeadMatch): CheckedMatch {
  if (!isFieldName(match.field)) {
    throw new ClaypipeError("input_invalid", `"${match.field.slice(0, 64)}" is not a field name`, {
      hint: "name one field as leads store it: lower case letters, digits and _, like company_name",
    });
  }
  if (match.text.length === 0 || match.text.length > MAX_MATCH_TEXT) {
    throw new ClaypipeError(
      "input_invalid",
      `the text to match is ${match.text.length} characters long: it takes 1 to ${MAX_MATCH_TEXT}`,
      { hint: "search for a shorter part of the value" },
    );
  }
  const scan = Math.floor(match.scan ?? MATCH_SCAN_ROWS);
  return {
    field: match.field,
    text: asciiLower(match.text),
    column: match.in ?? "fields",
    scan: Math.min(Math.max(1, scan), MATCH_SCAN_ROWS),
  };
}

/**
 * The ids of the hits a page shows (in cursor order) and where the next page
 * starts: after its last hit when more hits follow in the window, else after
 * the window when the scan stopped at its bound, else nowhere (the end).
 */
export function matchPage(
  scanned: readonly ScannedRow[],
  limit: number,
  scan: number,
): { ids: string[]; nextCursor: string | null } {
  const hits = scanned.filter((row) => row.hit);
  if (hits.length > limit) {
    const page = hits.slice(0, limit);
    return { ids: page.map((row) => row.id), nextCursor: encodeLeadCursor(page.at(-1)!) };
  }
  const last = scanned.at(-1);
  const more = scanned.length >= scan && last !== undefined;
  return { ids: hits.map((row) => row.id), nextCursor: more ? encodeLeadCursor(last) : null };
}

/** Lowers A-Z only: SQLite's lower() does no more, and PostgreSQL is told to do the same. */
export function asciiLower(text: string): string {
  let out = "";
  for (const char of text) {
    out += char >= "A" && char <= "Z" ? char.toLowerCase() : char;
  }
  return out;
}

function isFieldName(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  for (const char of name) {
    const ok = (char >= "a" && char <= "z") || (char >= "0" && char <= "9") || char === "_";
    if (!ok) return false;
  }
  return true;
}
