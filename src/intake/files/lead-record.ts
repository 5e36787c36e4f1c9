/**
 * What a lead file reader yields for each lead in the file: the validated lead,
 * or the reason its line was skipped. Readers never stop on a bad line; the
 * caller reports it and goes on.
 *
 * Glossary.
 * - line: the 1-based line number in the file where the record starts (for CSV
 *   the header is line 1; a quoted value spanning lines keeps its first line).
 * - reason: one plain sentence without the line number, e.g.
 *   `email: "x" is not a valid email address`.
 */
import { type Lead, type LeadIssue, validateLead } from "../../core/lead.js";

export type LeadRecord =
  | { line: number; ok: true; lead: Lead }
  | { line: number; ok: false; reason: string };

export type RejectedLeadRecord = Extract<LeadRecord, { ok: false }>;

/** Validates the fields read from one line and turns the outcome into a record. */
export function toLeadRecord(line: number, fields: unknown): LeadRecord {
  const result = validateLead(fields);
  if (result.ok) return { line, ok: true, lead: result.lead };
  return { line, ok: false, reason: result.issues.map(describeIssue).join("; ") };
}

export function rejectLine(line: number, reason: string): RejectedLeadRecord {
  return { line, ok: false, reason };
}

function describeIssue(issue: LeadIssue): string {
  return issue.path === "" ? issue.reason : `${issue.path}: ${issue.reason}`;
}
