/**
 * From an enriched lead to one HubSpot contact upsert input: the email it is
 * matched by, and its properties as HubSpot stores them (strings).
 *
 * The default mapping names only properties every portal has, plus claypipe's
 * two custom ones, because one unknown property makes HubSpot refuse the whole
 * batch. Employee counts are left out: the contact property (`numemployees`) is
 * a dropdown of ranges, and `numberofemployees` exists on companies only.
 */

import { normalizeEmail } from "../../core/lead.js";
import { rowValue } from "../row-value.js";
import type { SinkRecord } from "../sink.js";
import { mappedRow } from "../sink-row.js";

/** HubSpot contact property ← the row fields it is read from; the first with a value wins. */
export type HubspotPropertyMapping = Readonly<Record<string, readonly string[]>>;

export const DEFAULT_HUBSPOT_PROPERTIES: HubspotPropertyMapping = {
  email: ["work_email", "email"],
  firstname: ["first_name"],
  lastname: ["last_name"],
  jobtitle: ["job_title", "title"],
  company: ["company", "company_name"],
  website: ["website", "domain"],
  industry: ["industry"],
  country: ["country"],
  // Custom contact properties: create them in the portal, or map without them.
  claypipe_icp_score: ["icp_score"],
  claypipe_id: ["claypipe_id"],
};

export interface ContactInput {
  /** Lowercase, as HubSpot stores it: the upsert's id. */
  email: string;
  properties: Record<string, string>;
}

/** The mapping in use: the configured one (one field per property) replaces the default. */
export function hubspotPropertyMapping(
  configured: Record<string, string> | undefined,
): HubspotPropertyMapping {
  if (configured === undefined) return DEFAULT_HUBSPOT_PROPERTIES;
  const mapping: Record<string, readonly string[]> = { email: DEFAULT_HUBSPOT_PROPERTIES.email! };
  for (const [property, field] of Object.entries(configured)) mapping[property] = [field];
  return mapping;
}

/** The contact for a record, or undefined when the row has no email to match it by. */
export function toContactInput(
  record: SinkRecord,
  mapping: HubspotPropertyMapping,
): ContactInput | undefined {
  const properties = contactProperties(record, mapping);
  if (properties.email === undefined) return undefined;
  const email = normalizeEmail(properties.email);
  properties.email = email;
  return { email, properties };
}

/** The mapped properties of a record, as HubSpot stores them (strings); email as the row has it. */
export function contactProperties(
  record: SinkRecord,
  mapping: HubspotPropertyMapping,
): Record<string, string> {
  // claypipe's own fields (the lead id) win over whatever the row carries under their names.
  const row = mappedRow(record);
  const properties: Record<string, string> = {};
  for (const [property, fields] of Object.entries(mapping)) {
    const value = firstValue(row, fields);
    if (value !== undefined) properties[property] = value;
  }
  return properties;
}

// Empty values are left out: an empty string would clear what the contact already has.
function firstValue(row: Record<string, unknown>, fields: readonly string[]): string | undefined {
  for (const field of fields) {
    const value = rowValue(row, field);
    if (typeof value === "string" && value.trim() !== "") return value.trim();
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value === "boolean") return String(value);
  }
  return undefined;
}
