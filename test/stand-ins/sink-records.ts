/** Enriched leads as a sink receives them, for the CRM sink tests. */

import { newLeadId } from "../../src/core/ids.js";
import { identityKey, type Lead } from "../../src/core/lead.js";
import type { SinkRecord } from "../../src/sinks/sink.js";

/** A record for `row`, with a fresh lead id and the identity claypipe would give the row. */
export function sinkRecord(row: Record<string, unknown>, leadId = newLeadId()): SinkRecord {
  return {
    leadId,
    identityKey: identityKey(row as Lead) ?? `lead:${leadId}`,
    row,
    source: "api",
    route: "crm",
    enrichedAt: new Date().toISOString(),
  };
}

/** `count` different people at acme.com, enriched the way a Clay table would. */
export function people(count: number, from = 0): SinkRecord[] {
  return Array.from({ length: count }, (_, offset) => {
    const n = from + offset;
    return sinkRecord({
      email: `person${n}@acme.com`,
      first_name: `Ada${n}`,
      last_name: `Lovelace${n}`,
      company: "Acme",
      domain: "acme.com",
      job_title: "Engineer",
      industry: "Software",
      employee_count: 250,
      country: "GB",
      icp_score: 80,
    });
  });
}
