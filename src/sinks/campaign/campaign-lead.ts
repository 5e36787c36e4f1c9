/**
 * From an enriched lead to one lead of an outreach campaign (Instantly,
 * Smartlead): the email the tool keys it on, its standard fields, and the
 * custom variables a sequence can quote ({{job_title}}). Values go as text:
 * both tools accept strings for every field.
 */

import { normalizeEmail } from "../../core/lead.js";
import { rowValue } from "../row-value.js";
import type { SinkRecord } from "../sink.js";
import { mappedRow } from "../sink-row.js";

/** A lead field ← the row fields it is read from; the first with a value wins. */
export type LeadFieldMapping = Readonly<Record<string, readonly string[]>>;

export interface CampaignLeadMapping {
  /** The tool's own lead fields; `email` is always among them. */
  fields: LeadFieldMapping;
  /** Custom variables (Instantly) or custom fields (Smartlead). */
  custom: LeadFieldMapping;
}

export interface CampaignLead {
  /** Lowercase: the lead's identity in the campaign. */
  email: string;
  fields: Record<string, string>;
  custom: Record<string, string>;
}

/** Where the email is read from, whatever else the mapping says. */
export const EMAIL_SOURCES = ["work_email", "email"] as const;

/**
 * The mapping in use: a configured `fields` or `custom` (one row field each)
 * replaces that half of the default; `email` is kept either way.
 */
export function campaignLeadMapping(
  defaults: CampaignLeadMapping,
  configured: { fields?: Record<string, string>; custom?: Record<string, string> },
): CampaignLeadMapping {
  const single = (mapping: Record<string, string>) =>
    Object.fromEntries(Object.entries(mapping).map(([name, field]) => [name, [field]]));
  return {
    fields: {
      ...(configured.fields ? single(configured.fields) : defaults.fields),
      email: EMAIL_SOURCES,
    },
    custom: configured.custom ? single(configured.custom) : defaults.custom,
  };
}

/** The campaign lead for a record, or undefined when the row has no email to key it on. */
export function toCampaignLead(
  record: SinkRecord,
  mapping: CampaignLeadMapping,
): CampaignLead | undefined {
  // claypipe's own fields (the lead id) win over whatever the row carries under their names.
  const row = mappedRow(record);
  const fields = readAll(row, mapping.fields);
  if (fields.email === undefined) return undefined;
  const email = normalizeEmail(fields.email);
  fields.email = email;
  return { email, fields, custom: readAll(row, mapping.custom) };
}

function readAll(row: Record<string, unknown>, mapping: LeadFieldMapping): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, sources] of Object.entries(mapping)) {
    const value = firstValue(row, sources);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

// Empty values are left out: an empty string would clear what the tool already holds.
function firstValue(row: Record<string, unknown>, sources: readonly string[]): string | undefined {
  for (const source of sources) {
    const value = rowValue(row, source);
    if (typeof value === "string" && value.trim() !== "") return value.trim();
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value === "boolean") return String(value);
  }
  return undefined;
}
