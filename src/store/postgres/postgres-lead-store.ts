/**
 * The LeadStore port on PostgreSQL, for many workers at once. Admission takes
 * advisory locks on the people it admits before it looks for an original, so
 * two processes admitting the same person agree on one (postgres-admission.ts). A
 * transition is one compare-and-set statement that also records the event;
 * claiming skips rows another worker has locked, so no lead is claimed twice.
 * Which moves the lifecycle allows is the core's business (core/lead-state.ts).
 */
import type { Clock } from "../../core/clock.js";
import { LEAD_STATES, type LeadState } from "../../core/lead-state.js";
import { type LeadEventRow, type LeadRow, toLeadEvent, toStoredLead } from "../lead-row.js";
import type {
  Admission,
  AdmitOptions,
  LeadEvent,
  LeadListQuery,
  LeadMove,
  LeadPatch,
  LeadStore,
  LeaseQuery,
  NewLead,
  StoredLead,
  WaitingCount,
} from "../lead-store.js";
import { historySql, PostgresAdmission } from "./postgres-admission.js";
import { type PostgresDatabase, rowLimit } from "./postgres-database.js";
import { leadColumns } from "./postgres-lead-columns.js";
import { listLeads } from "./postgres-lead-list.js";

type DueState = Parameters<LeadStore["due"]>[0];

export class PostgresLeadStore implements LeadStore {
  private readonly leads: string;
  private readonly events: string;
  private readonly admission: PostgresAdmission;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly clock: Clock,
  ) {
    this.leads = db.table("leads");
    this.events = db.table("lead_events");
    this.admission = new PostgresAdmission(db);
  }

  async admit(leads: NewLead[], options: AdmitOptions): Promise<Admission[]> {
    if (leads.length === 0) return [];
    return this.admission.admit(leads, options);
  }

  async get(id: string): Promise<StoredLead | undefined> {
    const { rows } = await this.db.prepared<LeadRow>(
      `SELECT ${leadColumns()} FROM ${this.leads} WHERE id = $1`,
      [id],
    );
    return rows[0] ? toStoredLead(rows[0]) : undefined;
  }

  async history(id: string): Promise<LeadEvent[]> {
    const { rows } = await this.db.query<LeadEventRow>(historySql(this.db), [id]);
    return rows.map(toLeadEvent);
  }

  async enrichedAt(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.prepared<{ lead_id: string; at: number }>(
      `SELECT DISTINCT ON (lead_id) lead_id, at FROM ${this.events}
       WHERE lead_id = ANY($1::text[]) AND to_state = 'enriched' ORDER BY lead_id, id`,
      [ids],
    );
    return new Map(rows.map((row) => [row.lead_id, row.at]));
  }

  async transition(
    id: string,
    from: LeadState | readonly LeadState[],
    to: LeadState,
    patch: LeadPatch = {},
    now: number = this.clock.now(),
  ): Promise<boolean> {
    const { rowCount } = await this.db.prepared(
      `${this.moveSql()}
       INSERT INTO ${this.events} (lead_id, at, from_state, to_state, reason)
       SELECT id, at, from_state, $3::text, $4::text FROM moved`,
      moveParams(id, from, to, patch, now),
    );
    return rowCount === 1;
  }

  async transitionAndRead(
    id: string,
    from: LeadState | readonly LeadState[],
    to: LeadState,
    patch: LeadPatch = {},
    now: number = this.clock.now(),
  ): Promise<StoredLead | undefined> {
    const { rows } = await this.db.prepared<LeadRow>(
      // Every column but the id, which `moved` returns already.
      `${this.moveSql(`, ${leadColumns("lead").slice("lead.id, ".length)}`)}, recorded AS (
         INSERT INTO ${this.events} (lead_id, at, from_state, to_state, reason)
         SELECT id, at, from_state, $3::text, $4::text FROM moved
       )
       SELECT ${leadColumns()} FROM moved`,
      moveParams(id, from, to, patch, now),
    );
    return rows[0] ? toStoredLead(rows[0]) : undefined;
  }

  async transitionMany(
    moves: readonly LeadMove[],
    now: number = this.clock.now(),
  ): Promise<Set<string>> {
    if (moves.length === 0) return new Set();
    const column = <T>(value: (move: LeadMove, patch: LeadPatch) => T) =>
      moves.map((move) => value(move, move.patch ?? {}));
    // The same statement as `transition`, over a table of moves; rows are locked in id order,
    // so two batches never deadlock.
    const { rows } = await this.db.prepared<{ lead_id: string }>(
      `WITH move AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[],
           $6::bigint[], $7::boolean[], $8::bigint[], $9::boolean[], $10::text[], $11::boolean[],
           $12::text[], $13::text[], $14::text[], $15::text[])
           AS m (id, from_states, to_state, reason, attempt, available_at, set_deadline,
             callback_deadline, set_duplicate_of, duplicate_of, set_result, result, routes,
             workspace, table_name)
       ), current AS (
         SELECT lead.id, lead.state, GREATEST($16::bigint, lead.updated_at) AS at
         FROM ${this.leads} AS lead JOIN move ON move.id = lead.id
         ORDER BY lead.id FOR UPDATE OF lead
       ), moved AS (
         UPDATE ${this.leads} AS lead SET state = move.to_state, reason = move.reason,
           workspace = COALESCE(move.workspace, lead.workspace),
           table_name = COALESCE(move.table_name, lead.table_name),
           attempt = COALESCE(move.attempt, lead.attempt),
           available_at = COALESCE(move.available_at, lead.available_at),
           callback_deadline = CASE WHEN move.set_deadline THEN move.callback_deadline
             ELSE lead.callback_deadline END,
           duplicate_of = CASE WHEN move.set_duplicate_of THEN move.duplicate_of
             ELSE lead.duplicate_of END,
           result = CASE WHEN move.set_result THEN move.result::json ELSE lead.result END,
           routes = COALESCE(move.routes::json, lead.routes),
           updated_at = current.at
         FROM current JOIN move ON move.id = current.id
         WHERE lead.id = current.id
           AND current.state = ANY(string_to_array(move.from_states, ','))
         RETURNING lead.id, current.state AS from_state, current.at, move.to_state, move.reason
       )
       INSERT INTO ${this.events} (lead_id, at, from_state, to_state, reason)
       SELECT id, at, from_state, to_state, reason FROM moved
       RETURNING lead_id`,
      [
        column((move) => move.id),
        column((move) => (typeof move.from === "string" ? [move.from] : move.from).join(",")),
        column((move) => move.to),
        column((_, patch) => patch.reason ?? null),
        column((_, patch) => patch.attempt ?? null),
        column((_, patch) => patch.availableAt ?? null),
        column((_, patch) => patch.callbackDeadline !== undefined),
        column((_, patch) => patch.callbackDeadline ?? null),
        column((_, patch) => patch.duplicateOf !== undefined),
        column((_, patch) => patch.duplicateOf ?? null),
        column((_, patch) => patch.result !== undefined),
        column((_, patch) => (patch.result == null ? null : JSON.stringify(patch.result))),
        column((_, patch) => (patch.routes === undefined ? null : JSON.stringify(patch.routes))),
        column((_, patch) => patch.workspace ?? null),
        column((_, patch) => patch.table ?? null),
        now,
      ],
    );
    return new Set(rows.map((row) => row.lead_id));
  }

  /**
   * The `current` and `moved` steps of a transition; `moved` returns the id,
   * the state left and the time, and `returning`. The row lock in `current`
   * makes a racing transition wait and then see the state it left.
   */
  private moveSql(returning = ""): string {
    return `WITH current AS (
         SELECT id, state, GREATEST($14::bigint, updated_at) AS at
         FROM ${this.leads} WHERE id = $1 FOR UPDATE
       ), moved AS (
         UPDATE ${this.leads} AS lead SET state = $3::text, reason = $4::text,
           workspace = COALESCE($15::text, lead.workspace),
           table_name = COALESCE($16::text, lead.table_name),
           attempt = COALESCE($5::integer, lead.attempt),
           available_at = COALESCE($6::bigint, lead.available_at),
           callback_deadline = CASE WHEN $7::boolean THEN $8::bigint ELSE lead.callback_deadline END,
           duplicate_of = CASE WHEN $9::boolean THEN $10::text ELSE lead.duplicate_of END,
           result = CASE WHEN $11::boolean THEN $12::json ELSE lead.result END,
           routes = COALESCE($13::json, lead.routes),
           updated_at = current.at
         FROM current WHERE lead.id = current.id AND current.state = ANY($2::text[])
         RETURNING lead.id, current.state AS from_state, current.at${returning}
       )`;
  }

  async claimDue(limit: number, now: number): Promise<StoredLead[]> {
    // SKIP LOCKED: a worker passes over leads another one is claiming instead of waiting for them.
    const { rows } = await this.db.query<LeadRow>(
      `WITH picked AS (
         SELECT id, state, GREATEST($1, updated_at) AS at FROM ${this.leads}
         WHERE state IN ('queued', 'retrying') AND available_at <= $1
         ORDER BY priority, available_at, created_at, id
         LIMIT $2 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE ${this.leads} AS lead SET state = 'sending', reason = NULL, updated_at = picked.at
         FROM picked WHERE lead.id = picked.id
         RETURNING ${leadColumns("lead")}, picked.state AS from_state
       ), recorded AS (
         INSERT INTO ${this.events} (lead_id, at, from_state, to_state, reason)
         SELECT id, updated_at, from_state, 'sending', NULL FROM claimed
       )
       SELECT ${leadColumns()} FROM claimed ORDER BY priority, available_at, created_at, id`,
      [now, rowLimit(limit)],
    );
    return rows.map(toStoredLead);
  }

  async leaseDue(query: LeaseQuery): Promise<string[]> {
    // SKIP LOCKED: two feeders lease disjoint leads instead of waiting for each other.
    const { rows } = await this.db.prepared<{ id: string }>(
      `WITH picked AS (
         SELECT id, available_at, created_at FROM ${this.leads}
         WHERE state IN ('queued', 'retrying') AND workspace = $1
           AND ($2::integer IS NULL OR priority = $2::integer) AND available_at <= $3
         ORDER BY available_at, created_at, id
         LIMIT $4 FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE ${this.leads} AS lead SET available_at = $5 FROM picked WHERE lead.id = picked.id
       )
       SELECT id FROM picked ORDER BY available_at, created_at, id`,
      [query.workspace, query.priority ?? null, query.now, rowLimit(query.limit), query.until],
    );
    return rows.map((row) => row.id);
  }

  async leaseEnriched(now: number, limit: number, until: number): Promise<StoredLead[]> {
    // SKIP LOCKED: a pass passes over leads another one is leasing instead of waiting for them.
    const { rows } = await this.db.prepared<LeadRow>(
      `WITH picked AS (
         SELECT id FROM ${this.leads} WHERE state = 'enriched' AND available_at <= $1
         ORDER BY available_at, created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE ${this.leads} AS lead SET available_at = $3 FROM picked WHERE lead.id = picked.id
         RETURNING ${leadColumns("lead")}
       )
       SELECT ${leadColumns()} FROM leased ORDER BY created_at, id`,
      [now, rowLimit(limit), until],
    );
    return rows.map(toStoredLead);
  }

  async due(state: DueState, now: number, limit: number): Promise<StoredLead[]> {
    const { rows } =
      state === "awaiting_callback"
        ? await this.db.query<LeadRow>(
            `SELECT ${leadColumns()} FROM ${this.leads}
             WHERE state = 'awaiting_callback' AND callback_deadline <= $1
             ORDER BY callback_deadline, created_at, id LIMIT $2`,
            [now, rowLimit(limit)],
          )
        : await this.db.query<LeadRow>(
            `SELECT ${leadColumns()} FROM ${this.leads} WHERE state = $1 AND available_at <= $2
             ORDER BY available_at, created_at, id LIMIT $3`,
            [state, now, rowLimit(limit)],
          );
    return rows.map(toStoredLead);
  }

  async duplicatesOf(originalIds: string | readonly string[]): Promise<StoredLead[]> {
    const ids = typeof originalIds === "string" ? [originalIds] : [...originalIds];
    if (ids.length === 0) return [];
    const { rows } = await this.db.prepared<LeadRow>(
      `SELECT ${leadColumns()} FROM ${this.leads}
       WHERE duplicate_of = ANY($1::text[]) AND state = 'duplicate'
       ORDER BY created_at, id`,
      [ids],
    );
    return rows.map(toStoredLead);
  }

  async list(query: LeadListQuery): Promise<{ leads: StoredLead[]; nextCursor: string | null }> {
    return listLeads(this.db, query);
  }

  async countByState(): Promise<Record<LeadState, number>> {
    const counts = Object.fromEntries(LEAD_STATES.map((state) => [state, 0])) as Record<
      LeadState,
      number
    >;
    const { rows } = await this.db.query<{ state: string; count: number }>(
      `SELECT state, COUNT(*) AS count FROM ${this.leads} GROUP BY state`,
    );
    for (const { state, count } of rows) counts[state as LeadState] = count;
    return counts;
  }

  async countByWorkspace(state: LeadState): Promise<Record<string, number>> {
    // Skipped leads, the ones status counts, name the state as a literal so the planner reads
    // leads_skipped_workspace alone (migration 11).
    const { rows } =
      state === "skipped"
        ? await this.db.query<{ workspace: string; count: string }>(
            `SELECT workspace, COUNT(*) AS count FROM ${this.leads} WHERE state = 'skipped' GROUP BY workspace`,
          )
        : await this.db.query<{ workspace: string; count: string }>(
            `SELECT workspace, COUNT(*) AS count FROM ${this.leads} WHERE state = $1 GROUP BY workspace`,
            [state],
          );
    return Object.fromEntries(rows.map((row) => [row.workspace, Number(row.count)]));
  }

  async countWaiting(state: LeadState, reasonPrefix: string): Promise<WaitingCount[]> {
    // Deferred leads, the only ones asked for in practice, name the state as a literal so the
    // planner can read leads_deferred_waiting alone (migration 10).
    const { rows } =
      state === "deferred"
        ? await this.db.query<{ available_at: string; count: string }>(
            `SELECT available_at, COUNT(*) AS count FROM ${this.leads}
             WHERE state = 'deferred' AND left(reason, length($1::text)) = $1::text
             GROUP BY available_at ORDER BY available_at`,
            [reasonPrefix],
          )
        : await this.db.query<{ available_at: string; count: string }>(
            `SELECT available_at, COUNT(*) AS count FROM ${this.leads}
             WHERE state = $1 AND left(reason, length($2::text)) = $2::text
             GROUP BY available_at ORDER BY available_at`,
            [state, reasonPrefix],
          );
    return rows.map((row) => ({ availableAt: Number(row.available_at), count: Number(row.count) }));
  }

  async purge(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await this.db.query(
      `DELETE FROM ${this.leads} WHERE id = ANY($1::text[]) AND state = 'dead'`,
      [ids],
    );
    return rowCount ?? 0;
  }
}

/** A transition's parameters, as moveSql numbers them. */
function moveParams(
  id: string,
  from: LeadState | readonly LeadState[],
  to: LeadState,
  patch: LeadPatch,
  now: number,
): unknown[] {
  return [
    id,
    typeof from === "string" ? [from] : [...from],
    to,
    // A new state drops the old state's reason unless the patch gives one.
    patch.reason ?? null,
    patch.attempt ?? null,
    patch.availableAt ?? null,
    patch.callbackDeadline !== undefined,
    patch.callbackDeadline ?? null,
    patch.duplicateOf !== undefined,
    patch.duplicateOf ?? null,
    patch.result !== undefined,
    patch.result == null ? null : JSON.stringify(patch.result),
    patch.routes === undefined ? null : JSON.stringify(patch.routes),
    now,
    patch.workspace ?? null,
    patch.table ?? null,
  ];
}
