/**
 * `leads.list` on PostgreSQL. The statement names only the filters a query
 * uses, so each shape plans onto the index that fits (leads_state_created,
 * leads_source_created, leads_identity, leads_deadline) whatever the
 * driver does with parameters.
 */
import { decodeLeadCursor, encodeLeadCursor } from "../lead-cursor.js";
import { checkLeadMatch, matchPage } from "../lead-match.js";
import { type LeadRow, toStoredLead } from "../lead-row.js";
import type { LeadListQuery, StoredLead } from "../lead-store.js";
import type { PostgresDatabase } from "./postgres-database.js";
import { leadColumns } from "./postgres-lead-columns.js";

type Page = { leads: StoredLead[]; nextCursor: string | null };

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

export async function listLeads(db: PostgresDatabase, query: LeadListQuery): Promise<Page> {
  if (query.states?.length === 0 || query.ids?.length === 0) return { leads: [], nextCursor: null };
  const leads = db.table("leads");
  const limit = Math.max(1, Math.floor(query.limit ?? 100));
  const params: unknown[] = [];
  const where = filters(query, params);
  if (query.match) {
    const match = checkLeadMatch(query.match);
    // translate lowers A-Z only, as SQLite's lower() does: both stores match the same leads.
    const value = `translate(${match.column} ->> ${bind(params, match.field)}::text, '${UPPER}', '${LOWER}')`;
    const hit = `position(${bind(params, match.text)}::text in ${value}) > 0`;
    const scanned = await db.query<{ created_at: string; id: string; hit: boolean | null }>(
      `SELECT created_at, id, ${hit} AS hit FROM ${leads} WHERE ${where}
       ORDER BY created_at, id LIMIT ${bind(params, match.scan)}::integer`,
      params,
    );
    const { ids, nextCursor } = matchPage(
      scanned.rows.map((row) => ({
        createdAt: Number(row.created_at),
        id: row.id,
        hit: row.hit === true,
      })),
      limit,
      match.scan,
    );
    if (ids.length === 0) return { leads: [], nextCursor };
    const { rows } = await db.query<LeadRow>(
      `SELECT ${leadColumns()} FROM ${leads} WHERE id = ANY($1::text[]) ORDER BY created_at, id`,
      [ids],
    );
    return { leads: rows.map(toStoredLead), nextCursor };
  }
  const { rows } = await db.query<LeadRow>(
    `SELECT ${leadColumns()} FROM ${leads} WHERE ${where}
     ORDER BY created_at, id LIMIT ${bind(params, limit + 1)}::integer`,
    params,
  );
  const page = rows.slice(0, limit).map(toStoredLead);
  const last = page.at(-1);
  return { leads: page, nextCursor: rows.length > limit && last ? encodeLeadCursor(last) : null };
}

/** Adds a parameter; returns its placeholder. */
function bind(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/** The WHERE clause of the filters present; their values go into `params`. */
function filters(query: LeadListQuery, params: unknown[]): string {
  const terms: string[] = [];
  const $ = (value: unknown) => bind(params, value);
  const { states } = query;
  // Dead leads name the state as a literal, so a filter by reason can read leads_dead_reason.
  if (states?.length === 1 && states[0] === "dead") terms.push("state = 'dead'");
  else if (states?.length === 1) terms.push(`state = ${$(states[0])}::text`);
  else if (states) terms.push(`state = ANY(${$(states)}::text[])`);
  if (query.ids) terms.push(`id = ANY(${$(query.ids)}::text[])`);
  if (query.identityKey !== undefined) terms.push(`identity_key = ${$(query.identityKey)}::text`);
  if (query.callbackDeadlineBefore !== undefined) {
    // The literal state lets the planner use the partial index leads_deadline.
    terms.push(
      `state = 'awaiting_callback' AND callback_deadline < ${$(query.callbackDeadlineBefore)}::bigint`,
    );
  }
  if (query.reason !== undefined) terms.push(`reason = ${$(query.reason)}::text`);
  if (query.reasonPrefix !== undefined) {
    const prefix = $(query.reasonPrefix);
    terms.push(`left(reason, length(${prefix}::text)) = ${prefix}::text`);
  }
  if (query.source !== undefined) terms.push(`source = ${$(query.source)}::text`);
  if (query.table !== undefined) terms.push(`table_name = ${$(query.table)}::text`);
  if (query.createdAfter !== undefined)
    terms.push(`created_at >= ${$(query.createdAfter)}::bigint`);
  if (query.createdBefore !== undefined)
    terms.push(`created_at < ${$(query.createdBefore)}::bigint`);
  if (query.updatedAfter !== undefined)
    terms.push(`updated_at >= ${$(query.updatedAfter)}::bigint`);
  if (query.updatedBefore !== undefined)
    terms.push(`updated_at < ${$(query.updatedBefore)}::bigint`);
  if (query.cursor !== undefined) {
    const cursor = decodeLeadCursor(query.cursor);
    terms.push(`(created_at, id) > (${$(cursor.createdAt)}::bigint, ${$(cursor.id)}::text)`);
  }
  return terms.length > 0 ? terms.join(" AND ") : "true";
}
