/**
 * From an enriched lead to one sObject record for a Collections upsert. The
 * external id value is the lead's identity, not its lead id, so every lead of
 * the same person lands on the same Salesforce record.
 */

import { rowValue } from "../row-value.js";
import type { SinkRecord } from "../sink.js";
import { mappedRow } from "../sink-row.js";

/** Salesforce field ← the row fields it is read from; the first with a value wins. */
export type SalesforceFieldMapping = Readonly<Record<string, readonly string[]>>;

export const DEFAULT_LEAD_FIELDS: SalesforceFieldMapping = {
  Email: ["work_email", "email"],
  FirstName: ["first_name"],
  LastName: ["last_name"],
  Title: ["job_title", "title"],
  Company: ["company", "company_name"],
  Website: ["website", "domain"],
  Industry: ["industry"],
  NumberOfEmployees: ["employee_count", "employees", "number_of_employees"],
  Country: ["country"],
};

/** Lead cannot be saved without a Company; a lead Clay found none for still gets in. */
const UNKNOWN_COMPANY = "Unknown";

export type SalesforceRecord = Record<string, unknown> & { attributes: { type: string } };

/** The mapping in use: the configured one (one field per Salesforce field) replaces the default. */
export function salesforceFieldMapping(
  configured: Record<string, string> | undefined,
): SalesforceFieldMapping | undefined {
  if (configured === undefined) return undefined;
  return Object.fromEntries(Object.entries(configured).map(([field, source]) => [field, [source]]));
}

export function toSalesforceRecord(
  record: SinkRecord,
  target: { object: string; externalIdField: string; mapping: SalesforceFieldMapping },
): SalesforceRecord {
  const fields = mappedFields(record, target.mapping);
  if (target.object === "Lead" && fields.Company === undefined) fields.Company = UNKNOWN_COMPANY;
  return {
    attributes: { type: target.object },
    ...fields,
    [target.externalIdField]: record.identityKey,
  };
}

/**
 * The update of the record a lead came from, by its Salesforce id: the mapped fields only, so
 * the record keeps its Company and its external id when Clay found none.
 */
export function toSalesforceUpdate(
  record: SinkRecord,
  target: { object: string; mapping: SalesforceFieldMapping },
  id: string,
): SalesforceRecord {
  return { attributes: { type: target.object }, id, ...mappedFields(record, target.mapping) };
}

function mappedFields(
  record: SinkRecord,
  mapping: SalesforceFieldMapping,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const row = mappedRow(record);
  for (const [field, sources] of Object.entries(mapping)) {
    const value = firstValue(row, sources, field === "NumberOfEmployees");
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

// Empty values are left out: they would clear what the record already has.
function firstValue(
  row: Record<string, unknown>,
  sources: readonly string[],
  integer: boolean,
): string | number | boolean | undefined {
  for (const source of sources) {
    const value = rowValue(row, source);
    // An integer field refuses "51-200" and fails the whole request, so only whole numbers go.
    if (integer) {
      const count = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof count === "number" && Number.isInteger(count)) return count;
      continue;
    }
    if (typeof value === "string" && value.trim() !== "") return value.trim();
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "boolean") return value;
  }
  return undefined;
}
