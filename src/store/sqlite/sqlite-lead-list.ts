/**
 * `leads.list` on SQLite. The statement names only the filters a query uses:
 * a prepared statement is planned once, so `(@x IS NULL OR …)` terms would keep
 * SQLite from walking the index that fits (leads_state_created,
 * leads_source_created, leads_identity, leads_awaiting_deadline). One
 * statement per shape of query, kept for reuse.
 */
import { decodeLeadCursor, encodeLeadCursor } from "../lead-cursor.js";
import { checkLeadMatch, matchPage } from "../lead-match.js";
import { LEAD_COLUMNS, type LeadRow, toStoredLead } from "../lead-row.js";
import type { LeadListQuery, StoredLead } from "../lead-store.js";
import type { SqliteDatabase } from "./open-database.js";
import type { SqliteStatement } from "./sqlite-driver.js";

type Params = Record<string, string | number | null>;
type Page = { leads: StoredLead[]; nextCursor: string | null };

export class SqliteLeadList {
  private readonly statements = new Map<string, SqliteStatement<Params, unknown>>();

  constructor(private readonly db: SqliteDatabase) {}

  list(query: LeadListQuery): Page {
    if (query.states?.length === 0 || query.ids?.length === 0)
      return { leads: [], nextCursor: null };
    const limit = Math.max(1, Math.floor(query.limit ?? 100));
    const { where, params } = filters(query);
    if (query.match) return this.matched(query, where, params, limit);
    const rows = this.all<LeadRow>(
      `SELECT ${LEAD_COLUMNS} FROM leads WHERE ${where} ORDER BY created_at, id LIMIT @limit`,
      { ...params, limit: limit + 1 },
    );
    const page = rows.slice(0, limit).map(toStoredLead);
    const last = page.at(-1);
    return { leads: page, nextCursor: rows.length > limit && last ? encodeLeadCursor(last) : null };
  }

  private matched(query: LeadListQuery, where: string, params: Params, limit: number): Page {
    const match = checkLeadMatch(query.match!);
    const value = `CAST(json_extract(${match.column}, @path) AS TEXT)`;
    const scanned = this.all<{ created_at: number; id: string; hit: number | null }>(
      `SELECT created_at, id, instr(lower(${value}), @text) > 0 AS hit FROM leads
       WHERE ${where} ORDER BY created_at, id LIMIT @scan`,
      { ...params, path: `$.${match.field}`, text: match.text, scan: match.scan },
    );
    const { ids, nextCursor } = matchPage(
      scanned.map((row) => ({ createdAt: row.created_at, id: row.id, hit: row.hit === 1 })),
      limit,
      match.scan,
    );
    if (ids.length === 0) return { leads: [], nextCursor };
    const rows = this.all<LeadRow>(
      `SELECT ${LEAD_COLUMNS} FROM leads WHERE id IN (SELECT value FROM json_each(@ids))
       ORDER BY created_at, id`,
      { ids: JSON.stringify(ids) },
    );
    return { leads: rows.map(toStoredLead), nextCursor };
  }

  private all<R>(sql: string, params: Params): R[] {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<Params, unknown>(sql);
      this.statements.set(sql, statement);
    }
    return statement.all(params) as R[];
  }
}

/** The WHERE clause of the filters present, with their named parameters. */
function filters(query: LeadListQuery): { where: string; params: Params } {
  const terms: string[] = [];
  const params: Params = {};
  const add = (term: string, name: string, value: string | number) => {
    terms.push(term);
    params[name] = value;
  };
  const { states } = query;
  if (states?.length === 1) add("state = @state", "state", states[0]!);
  else if (states)
    add("state IN (SELECT value FROM json_each(@states))", "states", JSON.stringify(states));
  if (query.ids) add("id IN (SELECT value FROM json_each(@ids))", "ids", JSON.stringify(query.ids));
  if (query.identityKey !== undefined)
    add("identity_key = @identityKey", "identityKey", query.identityKey);
  if (query.callbackDeadlineBefore !== undefined) {
    // The literal state lets the planner use the partial index leads_awaiting_deadline.
    add(
      "state = 'awaiting_callback' AND callback_deadline < @deadlineBefore",
      "deadlineBefore",
      query.callbackDeadlineBefore,
    );
  }
  if (query.reason !== undefined) add("reason = @reason", "reason", query.reason);
  if (query.reasonPrefix !== undefined) {
    add("substr(reason, 1, length(@prefix)) = @prefix", "prefix", query.reasonPrefix);
  }
  if (query.source !== undefined) add("source = @source", "source", query.source);
  if (query.table !== undefined) add("table_name = @table", "table", query.table);
  if (query.createdAfter !== undefined)
    add("created_at >= @createdAfter", "createdAfter", query.createdAfter);
  if (query.createdBefore !== undefined)
    add("created_at < @createdBefore", "createdBefore", query.createdBefore);
  if (query.updatedAfter !== undefined)
    add("updated_at >= @updatedAfter", "updatedAfter", query.updatedAfter);
  if (query.updatedBefore !== undefined)
    add("updated_at < @updatedBefore", "updatedBefore", query.updatedBefore);
  if (query.cursor !== undefined) {
    const cursor = decodeLeadCursor(query.cursor);
    terms.push("(created_at, id) > (@cursorAt, @cursorId)");
    params.cursorAt = cursor.createdAt;
    params.cursorId = cursor.id;
  }
  return { where: terms.length > 0 ? terms.join(" AND ") : "1", params };
}
