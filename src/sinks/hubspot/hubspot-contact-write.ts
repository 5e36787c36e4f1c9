/**
 * How both HubSpot sinks write contacts: a record that names the contact its
 * lead came from (`hubspot_contact_id`) updates that contact by id; the others,
 * and those whose contact HubSpot no longer has, are upserted by email. So an
 * enriched lead from a HubSpot webhook never adds a contact beside its own.
 */
import { crmRecordId } from "../crm-record-ids.js";
import type { SinkRecord, SinkResult } from "../sink.js";
import { createContactUpdate } from "./hubspot-contact-update.js";
import {
  type ContactUpsertOptions,
  createContactUpsert,
  type UpsertedRecords,
} from "./hubspot-contact-upsert.js";

type Write = (records: SinkRecord[], signal: AbortSignal) => Promise<UpsertedRecords>;

export function createContactWrite(options: ContactUpsertOptions): Write {
  const update = createContactUpdate(options);
  const upsert = createContactUpsert(options);

  return async (records, signal) => {
    const results: SinkResult[] = new Array(records.length);
    const contactIds: Array<string | undefined> = records.map(() => undefined);
    const byId: Array<{ record: SinkRecord; contactId: string; index: number }> = [];
    const byEmail: number[] = [];
    records.forEach((record, index) => {
      const contactId = crmRecordId(record, "hubspot");
      if (contactId === undefined) byEmail.push(index);
      else byId.push({ record, contactId, index });
    });
    if (byId.length > 0) {
      const answers = await update(byId, signal);
      byId.forEach(({ contactId, index }, position) => {
        const answer = answers[position]!;
        if (answer === "missing") byEmail.push(index);
        else {
          results[index] = answer;
          if (answer.ok) contactIds[index] = contactId;
        }
      });
    }
    if (byEmail.length > 0) {
      const upserted = await upsert(
        byEmail.map((index) => records[index]!),
        signal,
      );
      byEmail.forEach((index, position) => {
        results[index] = upserted.results[position]!;
        contactIds[index] = upserted.contactIds[position];
      });
    }
    return { results, contactIds };
  };
}
