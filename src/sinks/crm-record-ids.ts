/**
 * The CRM record a lead came from: a lead read from a HubSpot webhook carries
 * `hubspot_contact_id`, a CRM event can map `salesforce_id` (or
 * `hubspot_contact_id`). The HubSpot and Salesforce sinks update that record by
 * id, so enrichment never adds a second record beside the one that triggered it.
 * The ids come from the lead as claypipe took it, not from Clay's row, which
 * holds only the columns its callback was set up to send.
 */
import type { SinkRecord } from "./sink.js";

export const CRM_RECORD_ID_FIELDS = {
  hubspot: "hubspot_contact_id",
  salesforce: "salesforce_id",
} as const;

export type CrmName = keyof typeof CRM_RECORD_ID_FIELDS;

/** The row with the lead's CRM record ids; the lead's own win over what the row says. */
export function withCrmRecordIds(
  row: Record<string, unknown>,
  leadFields: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  let result = row;
  for (const field of Object.values(CRM_RECORD_ID_FIELDS)) {
    const id = idValue(leadFields[field]);
    if (id !== undefined && row[field] !== id) result = { ...result, [field]: id };
  }
  return result;
}

/** The id of the record in `crm` this record should update, if it names one. */
export function crmRecordId(record: SinkRecord, crm: CrmName): string | undefined {
  return idValue(record.row[CRM_RECORD_ID_FIELDS[crm]]);
}

function idValue(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
