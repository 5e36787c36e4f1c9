/**
 * The Leads view's GET form, read from the query string into a lead search:
 * one box for an email (it has an @) or a lead id, state, source, a creation
 * time range, and a partial match on one field. What cannot be searched for
 * comes back as a message for the person, never as a failed request.
 */
import { normalizeFieldName } from "../core/lead.js";
import { LEAD_STATES, type LeadState } from "../core/lead-state.js";
import type { LeadSearchQuery } from "../pipeline/pipeline-api.js";
import { MAX_MATCH_TEXT } from "../store/lead-match.js";
import { readFormTime } from "./form-time.js";

/** The form's fields as the query string gave them (first value of each, trimmed). */
export interface LeadSearchForm {
  q: string;
  state: string;
  source: string;
  from: string;
  to: string;
  field: string;
  contains: string;
  in: string;
  cursor: string;
  /** Leads a page, 1 to MAX_PAGE; the view's default when empty. */
  limit: string;
}

export type ParsedSearch =
  | { ok: true; query: LeadSearchQuery }
  | { ok: false; form: LeadSearchForm; errors: string[] };

const FORM_KEYS = [
  "q",
  "state",
  "source",
  "from",
  "to",
  "field",
  "contains",
  "in",
  "cursor",
  "limit",
] as const;
const MAX_BOX = 320;
const MAX_PAGE = 500;
const MAX_NAME = 100;
const MAX_CURSOR = 1000;

export function readSearchForm(query: unknown): LeadSearchForm {
  const raw = (typeof query === "object" && query !== null ? query : {}) as Record<string, unknown>;
  const form = {} as LeadSearchForm;
  for (const key of FORM_KEYS) {
    const value = Array.isArray(raw[key]) ? raw[key][0] : raw[key];
    form[key] = typeof value === "string" ? value.trim() : "";
  }
  return form;
}

export function parseSearchForm(form: LeadSearchForm, pageSize: number): ParsedSearch {
  const errors: string[] = [];
  const limit = form.limit ? Number(form.limit) : pageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    errors.push(
      `${form.limit.slice(0, 20)} leads a page cannot be shown: ask for 1 to ${MAX_PAGE}.`,
    );
  }
  const query: LeadSearchQuery = { limit };
  const tooLong = (label: string, value: string, max: number) => {
    if (value.length <= max) return false;
    errors.push(`${label} is ${value.length} characters long: it takes at most ${max}.`);
    return true;
  };
  if (form.q && !tooLong("The email or lead id", form.q, MAX_BOX)) {
    if (form.q.includes("@")) query.email = form.q;
    else query.ids = [form.q];
  }
  if (form.state) {
    if ((LEAD_STATES as readonly string[]).includes(form.state)) {
      query.states = [form.state as LeadState];
    } else {
      errors.push(
        `"${form.state.slice(0, 40)}" is not a lead state: pick one of ${LEAD_STATES.join(", ")}.`,
      );
    }
  }
  if (form.source && !tooLong("The source", form.source, MAX_NAME)) query.source = form.source;
  const from = readTime("From", form.from, errors);
  const to = readTime("To", form.to, errors);
  if (from !== undefined) query.createdAfter = from;
  if (to !== undefined) query.createdBefore = to;
  if (from !== undefined && to !== undefined && from >= to) {
    errors.push("From is not before To: no lead can have been created in between.");
  }
  if (form.field || form.contains) readMatch(form, query, errors);
  if (form.cursor && !tooLong("The page cursor", form.cursor, MAX_CURSOR)) {
    query.cursor = form.cursor;
  }
  return errors.length > 0 ? { ok: false, form, errors } : { ok: true, query };
}

function readMatch(form: LeadSearchForm, query: LeadSearchQuery, errors: string[]): void {
  if (!form.field || !form.contains) {
    errors.push("A partial match needs both a field and the text it contains.");
    return;
  }
  const field = normalizeFieldName(form.field.slice(0, MAX_NAME));
  if (field === "" || form.field.length > MAX_NAME) {
    errors.push(
      `"${form.field.slice(0, 40)}" is not a field name: name one like company or job_title.`,
    );
    return;
  }
  if (form.contains.length > MAX_MATCH_TEXT) {
    errors.push(
      `The text to match is ${form.contains.length} characters long: it takes at most ${MAX_MATCH_TEXT}.`,
    );
    return;
  }
  query.match = { field, text: form.contains, in: form.in === "result" ? "result" : "fields" };
}

function readTime(label: string, text: string, errors: string[]): number | undefined {
  if (!text) return undefined;
  const ms = readFormTime(text);
  if (ms === undefined) {
    errors.push(
      `${label} "${text.slice(0, 40)}" is not a date: write it as 2026-12-04 or 2026-12-04T08:30 (UTC).`,
    );
  }
  return ms;
}
