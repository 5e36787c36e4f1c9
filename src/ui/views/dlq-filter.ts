/**
 * The DLQ view's filter, as it travels: in the query of the page, in the
 * hidden fields of each action's form, and in the redirect after it. Times
 * are UTC, as a `datetime-local` input gives them ("2026-12-04T08:30") or in
 * milliseconds; a value that does not read is reported and left out.
 */
import type { ReplayFilter } from "../../pipeline/pipeline-api.js";
import { readFormTime } from "../form-time.js";
import { type Html, html } from "../html.js";

export type DlqKind = "leads" | "deliveries";

const FIELDS = ["reason", "source", "sink", "diedFrom", "diedTo"] as const;
type FieldName = (typeof FIELDS)[number];

/** The filter as typed: what goes back into the form and the links. */
export type DlqFilterText = { kind: DlqKind } & Partial<Record<FieldName, string>>;

export interface DlqFilter {
  text: DlqFilterText;
  /** What the pipeline is asked (sink only for deliveries). */
  query: Omit<ReplayFilter, "ids" | "createdAfter" | "createdBefore">;
  /** Values that did not read, said on the page. */
  issues: string[];
}

/** Reads the filter from a page's query or an action's form. */
export function readDlqFilter(fields: Record<string, unknown>): DlqFilter {
  const kind: DlqKind = first(fields.kind) === "deliveries" ? "deliveries" : "leads";
  const text: DlqFilterText = { kind };
  for (const name of FIELDS) {
    const value = first(fields[name])?.trim();
    if (value && (name !== "sink" || kind === "deliveries")) text[name] = value.slice(0, 200);
  }
  const issues: string[] = [];
  const diedAfter = readTime(text.diedFrom, "died from", issues);
  const diedBefore = readTime(text.diedTo, "died to", issues);
  return {
    text,
    query: {
      ...(text.reason === undefined ? {} : { reason: text.reason }),
      ...(text.source === undefined ? {} : { source: text.source }),
      ...(text.sink === undefined ? {} : { sink: text.sink }),
      ...(diedAfter === undefined ? {} : { diedAfter }),
      ...(diedBefore === undefined ? {} : { diedBefore }),
    },
    issues,
  };
}

/** The filter's query fields (kind included only when not the default). */
export function dlqFilterFields(text: DlqFilterText): Record<string, string> {
  const fields: Record<string, string> = text.kind === "deliveries" ? { kind: "deliveries" } : {};
  for (const name of FIELDS) {
    const value = text[name];
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/** A dashboard URL with the filter and any more fields in its query. */
export function dlqUrl(
  path: string,
  text: DlqFilterText,
  more: Record<string, string> = {},
): string {
  const query = new URLSearchParams({ ...dlqFilterFields(text), ...more }).toString();
  return query ? `${path}?${query}` : path;
}

/** The filter as hidden inputs, so an action's form acts on what the page shows. */
export function hiddenFilter(text: DlqFilterText): Html {
  return html`${Object.entries({ kind: text.kind, ...dlqFilterFields(text) }).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}`;
}

export function first(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

/** A time in UTC: milliseconds, or as the form's `datetime-local` input gives it (see form-time.ts). */
function readTime(value: string | undefined, label: string, issues: string[]): number | undefined {
  if (value === undefined) return undefined;
  const asNumber = Number(value);
  if (Number.isSafeInteger(asNumber) && asNumber >= 0) return asNumber;
  const ms = readFormTime(value);
  if (ms === undefined) {
    issues.push(`${label}: "${value}" is not a time; give one as 2026-12-04T08:30 (UTC)`);
  }
  return ms;
}
