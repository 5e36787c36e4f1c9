/**
 * LeadVersions on SQLite. Both queries walk an index: a person's leads by
 * leads_identity, the stale scan by leads_created with one identity probe per
 * candidate to see whether a later lead of its person exists.
 */
import { decodeLeadCursor, leadPage } from "../lead-cursor.js";
import { LEAD_COLUMNS, type LeadRow, toStoredLead } from "../lead-row.js";
import type { StoredLead } from "../lead-store.js";
import type { LeadVersions, PreviousVersion, StaleQuery } from "../lead-versions.js";
import { rowLimit, type SqliteDatabase } from "./open-database.js";

const NO_CURSOR = { createdAt: -1, id: "" };

export class SqliteLeadVersions implements LeadVersions {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    this.statements = {
      previous: db.prepare<
        [string, string, number, string],
        { id: string; result: string; created_at: number }
      >(
        `SELECT id, result, created_at FROM leads
         WHERE identity_key = ? AND workspace = ? AND created_at <= ? AND id != ?
           AND result IS NOT NULL
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      ),
      stale: db.prepare<
        { before: number; afterCreated: number; afterId: string; limit: number },
        LeadRow
      >(
        `SELECT ${LEAD_COLUMNS} FROM leads AS l
         WHERE l.created_at < @before
           AND (l.created_at > @afterCreated OR (l.created_at = @afterCreated AND l.id > @afterId))
           AND l.state IN ('enriched', 'delivered') AND l.result IS NOT NULL
           AND NOT EXISTS (
             SELECT 1 FROM leads AS later
             WHERE later.identity_key = l.identity_key AND later.workspace = l.workspace
               AND later.state != 'dead'
               AND (later.created_at > l.created_at
                 OR (later.created_at = l.created_at AND later.id > l.id)))
         ORDER BY l.created_at, l.id LIMIT @limit`,
      ),
    };
  }

  async previous(
    lead: Pick<StoredLead, "id" | "workspace" | "identityKey" | "createdAt">,
  ): Promise<PreviousVersion | undefined> {
    const row = this.statements.previous.get(
      lead.identityKey,
      lead.workspace,
      lead.createdAt,
      lead.id,
    );
    if (!row) return undefined;
    return { leadId: row.id, result: JSON.parse(row.result), createdAt: row.created_at };
  }

  async previousOf(
    leads: ReadonlyArray<Pick<StoredLead, "id" | "workspace" | "identityKey" | "createdAt">>,
  ): Promise<Map<string, PreviousVersion>> {
    const found = new Map<string, PreviousVersion>();
    // In-process reads: one prepared statement per lead costs no round trip.
    for (const lead of leads) {
      const previous = await this.previous(lead);
      if (previous) found.set(lead.id, previous);
    }
    return found;
  }

  async stale(query: StaleQuery): Promise<{ leads: StoredLead[]; nextCursor: string | null }> {
    const after = query.cursor ? decodeLeadCursor(query.cursor) : NO_CURSOR;
    const limit = rowLimit(query.limit);
    const rows = this.statements.stale.all({
      before: query.createdBefore,
      afterCreated: after.createdAt,
      afterId: after.id,
      limit,
    });
    return leadPage(rows.map(toStoredLead), limit);
  }
}
