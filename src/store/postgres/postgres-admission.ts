/**
 * Admission on PostgreSQL: the dedupe decision and the write of a batch of
 * new leads, in one transaction. Advisory locks on the people it admits
 * (admission-locks.ts) come first, so two processes admitting the same person
 * agree on one original; then one query finds the stored originals and one
 * INSERT writes the batch. A lead's admission — received, then queued,
 * duplicate or skipped — is recorded on its row (admitted_state, admitted_reason) and
 * read back as the first two steps of its history, so a lead costs one row.
 *
 * The batch travels column by column, each column one JSON array the server
 * unpacks with json_array_elements: pg took a dozen microseconds a lead to
 * build PostgreSQL array literals, json_to_recordset as long on the server,
 * and JSON arrays cost both sides a few. The fields stay JSON all the way
 * (json keeps \u0000 escapes as they came; turned into text they would fail).
 */
import { admissionReason, decideAdmissions, personOf } from "../decide-admissions.js";
import { type LeadRow, toStoredLead } from "../lead-row.js";
import type { Admission, AdmitOptions, NewLead, StoredLead } from "../lead-store.js";
import { lockAdmission } from "./admission-locks.js";
import type { PostgresDatabase, Queryable } from "./postgres-database.js";
import { leadColumns } from "./postgres-lead-columns.js";

/** A lead's history as LeadEventRows: the admission steps its row records, then every later move. */
export function historySql(db: PostgresDatabase): string {
  return `SELECT lead_id, at, from_state, to_state, reason FROM (
      SELECT id AS lead_id, created_at AS at, NULL::text AS from_state, 'received' AS to_state,
        NULL::text AS reason, -2::bigint AS step
      FROM ${db.table("leads")} WHERE id = $1 AND admitted_state IS NOT NULL
      UNION ALL
      SELECT id, created_at, 'received', admitted_state, admitted_reason, -1
      FROM ${db.table("leads")} WHERE id = $1 AND admitted_state IS NOT NULL
      UNION ALL
      SELECT lead_id, at, from_state, to_state, reason, id FROM ${db.table("lead_events")}
      WHERE lead_id = $1
    ) AS history ORDER BY step`;
}

export class PostgresAdmission {
  private readonly leads: string;

  constructor(private readonly db: PostgresDatabase) {
    this.leads = db.table("leads");
  }

  async admit(leads: NewLead[], options: AdmitOptions): Promise<Admission[]> {
    return this.db.transaction(async (tx) => {
      // Held to commit: whoever admits the same person next sees this batch's leads.
      await lockAdmission(tx, this.db.schema, leads);
      const originals = await this.originals(tx, leads, options.dedupeSince);
      const admissions = decideAdmissions(leads, originals, options);
      await this.insert(tx, leads, admissions, options.now);
      return admissions;
    });
  }

  /**
   * The earliest live lead of each person created since `dedupeSince`, as it
   * is now; a skipped lead is no one's original (it will never have a result).
   */
  private async originals(
    tx: Queryable,
    leads: NewLead[],
    dedupeSince: number,
  ): Promise<Map<string, StoredLead>> {
    const people = new Map(leads.map((lead) => [personOf(lead), lead]));
    const workspaces = [...people.values()].map((lead) => lead.workspace);
    const identities = [...people.values()].map((lead) => lead.identityKey);
    // The first admitted wins, by insertion order (seq; the identity lock makes it admission
    // order), not by created_at: workers' clocks differ, and a repeat admitted later by a worker
    // whose clock is behind would look older than the original and become the original of the next.
    // One probe of leads_identity per person (LATERAL … LIMIT 1): the planner, which takes a JSON
    // array for 100 rows, otherwise joins them by hash against a scan of the whole table
    // (13 ms per admit at 10,000 leads, growing with the table; 0.25 ms this way). COLLATE "C"
    // is the columns' own, so the index applies.
    const { rows } = await tx.query<LeadRow>(
      `SELECT ${leadColumns("original")} FROM ROWS FROM (
           json_array_elements_text($1::json), json_array_elements_text($2::json)) AS person (workspace, identity_key)
       CROSS JOIN LATERAL (
         SELECT * FROM ${this.leads}
         WHERE workspace = person.workspace COLLATE "C"
           AND identity_key = person.identity_key COLLATE "C"
           AND state NOT IN ('dead', 'skipped') AND created_at >= $3
         ORDER BY seq LIMIT 1) AS original`,
      [JSON.stringify(workspaces), JSON.stringify(identities), dedupeSince],
    );
    return new Map(
      rows.map((row) => {
        const lead = toStoredLead(row);
        return [personOf(lead), lead];
      }),
    );
  }

  /** Writes the batch with its decided states, which the rows also keep as their admission. */
  private async insert(
    tx: Queryable,
    leads: NewLead[],
    admissions: Admission[],
    now: number,
  ): Promise<void> {
    const column = (value: (lead: NewLead, index: number) => string | number | null) =>
      JSON.stringify(leads.map(value));
    await tx.query(
      `INSERT INTO ${this.leads} (id, source, workspace, table_name, identity_key, fields, state,
         reason, admitted_state, admitted_reason, priority, duplicate_of, available_at,
         created_at, updated_at)
       SELECT id, source, workspace, table_name, identity_key, fields, state, reason, state,
         reason, priority::integer, duplicate_of, $11, $11, $11
       FROM ROWS FROM (
           json_array_elements_text($1::json), json_array_elements_text($2::json),
           json_array_elements_text($3::json), json_array_elements_text($4::json),
           json_array_elements_text($5::json), json_array_elements($6::json),
           json_array_elements_text($7::json), json_array_elements_text($8::json),
           json_array_elements_text($9::json), json_array_elements_text($10::json))
         WITH ORDINALITY AS batch (id, source, workspace, table_name, identity_key, fields, state,
           reason, priority, duplicate_of, position)
       -- seq follows the batch's order: the original of a person precedes its repeats.
       ORDER BY position`,
      [
        column((lead) => lead.id),
        column((lead) => lead.source),
        column((lead) => lead.workspace),
        column((lead) => lead.table),
        column((lead) => lead.identityKey),
        JSON.stringify(leads.map((lead) => lead.fields)),
        column((_, index) => admissions[index]!.state),
        column((lead, index) => admissionReason(lead, admissions[index]!)),
        column((lead) => lead.priority),
        column((_, index) => duplicateOf(admissions[index]!)),
        now,
      ],
    );
  }
}

function duplicateOf(admission: Admission): string | null {
  return admission.state === "duplicate" ? admission.duplicateOf : null;
}
