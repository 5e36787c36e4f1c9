/**
 * LeadVersions on PostgreSQL. A person's leads come from leads_identity; the
 * stale scan walks leads_created, probing leads_identity per candidate for a
 * later lead of its person (insertion order, seq: workers' clocks differ).
 */
import { decodeLeadCursor, leadPage } from "../lead-cursor.js";
import { type LeadRow, toStoredLead } from "../lead-row.js";
import type { StoredLead } from "../lead-store.js";
import type { LeadVersions, PreviousVersion, StaleQuery } from "../lead-versions.js";
import { type PostgresDatabase, rowLimit } from "./postgres-database.js";
import { leadColumns } from "./postgres-lead-columns.js";

const NO_CURSOR = { createdAt: -1, id: "" };

export class PostgresLeadVersions implements LeadVersions {
  private readonly leads: string;

  constructor(private readonly db: PostgresDatabase) {
    this.leads = db.table("leads");
  }

  async previous(
    lead: Pick<StoredLead, "id" | "workspace" | "identityKey" | "createdAt">,
  ): Promise<PreviousVersion | undefined> {
    const { rows } = await this.db.prepared<{ id: string; result: string; created_at: string }>(
      `SELECT id, result::text AS result, created_at FROM ${this.leads}
       WHERE workspace = $1 AND identity_key = $2 AND created_at <= $3 AND id <> $4
         AND result IS NOT NULL
       ORDER BY seq DESC LIMIT 1`,
      [lead.workspace, lead.identityKey, lead.createdAt, lead.id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { leadId: row.id, result: JSON.parse(row.result), createdAt: Number(row.created_at) };
  }

  async previousOf(
    leads: ReadonlyArray<Pick<StoredLead, "id" | "workspace" | "identityKey" | "createdAt">>,
  ): Promise<Map<string, PreviousVersion>> {
    if (leads.length === 0) return new Map();
    const { rows } = await this.db.prepared<{
      lead_id: string;
      id: string;
      result: string;
      created_at: string;
    }>(
      `SELECT lead.id AS lead_id, earlier.id, earlier.result, earlier.created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         AS lead (id, workspace, identity_key, created_at)
       CROSS JOIN LATERAL (
         SELECT id, result::text AS result, created_at FROM ${this.leads} AS version
         WHERE version.workspace = lead.workspace AND version.identity_key = lead.identity_key
           AND version.created_at <= lead.created_at AND version.id <> lead.id
           AND version.result IS NOT NULL
         ORDER BY version.seq DESC LIMIT 1
       ) AS earlier`,
      [
        leads.map((lead) => lead.id),
        leads.map((lead) => lead.workspace),
        leads.map((lead) => lead.identityKey),
        leads.map((lead) => lead.createdAt),
      ],
    );
    return new Map(
      rows.map((row) => [
        row.lead_id,
        { leadId: row.id, result: JSON.parse(row.result), createdAt: Number(row.created_at) },
      ]),
    );
  }

  async stale(query: StaleQuery): Promise<{ leads: StoredLead[]; nextCursor: string | null }> {
    const after = query.cursor ? decodeLeadCursor(query.cursor) : NO_CURSOR;
    const limit = rowLimit(query.limit);
    const { rows } = await this.db.query<LeadRow>(
      `SELECT ${leadColumns("l")} FROM ${this.leads} AS l
       WHERE l.created_at < $1 AND (l.created_at, l.id) > ($2, $3)
         AND l.state IN ('enriched', 'delivered') AND l.result IS NOT NULL
         AND NOT EXISTS (
           SELECT 1 FROM ${this.leads} AS later
           WHERE later.workspace = l.workspace AND later.identity_key = l.identity_key
             AND later.seq > l.seq AND later.state <> 'dead')
       ORDER BY l.created_at, l.id LIMIT $4`,
      [query.createdBefore, after.createdAt, after.id, limit],
    );
    return leadPage(rows.map(toStoredLead), limit);
  }
}
