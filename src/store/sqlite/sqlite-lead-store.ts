/**
 * The LeadStore port on SQLite: leads, their state and history. Every change
 * runs in one write transaction, and a transition only applies while the lead
 * is still in the state the caller saw (compare-and-set). Which moves the
 * lifecycle allows is the core's business (core/lead-state.ts): the store
 * records any move it is asked for.
 */
import type { Clock } from "../../core/clock.js";
import { LEAD_STATES, type LeadState } from "../../core/lead-state.js";
import { causalTime } from "../causal-time.js";
import {
  LEAD_COLUMNS,
  type LeadEventRow,
  type LeadRow,
  toLeadEvent,
  toStoredLead,
} from "../lead-row.js";
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
import { rowLimit, type SqliteDatabase, writeTransaction } from "./open-database.js";
import { HISTORY_SQL, SqliteAdmission } from "./sqlite-admission.js";
import { SqliteLeadList } from "./sqlite-lead-list.js";

type DueState = Parameters<LeadStore["due"]>[0];

export class SqliteLeadStore implements LeadStore {
  private readonly statements;
  private readonly admission: SqliteAdmission;
  private readonly lists: SqliteLeadList;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {
    this.admission = new SqliteAdmission(db);
    this.lists = new SqliteLeadList(db);
    this.statements = {
      event: db.prepare<[string, number, string | null, string, string | null]>(
        "INSERT INTO lead_events (lead_id, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)",
      ),
      get: db.prepare<[string], LeadRow>(`SELECT ${LEAD_COLUMNS} FROM leads WHERE id = ?`),
      history: db.prepare<[string, string, string], LeadEventRow>(HISTORY_SQL),
      enrichedAt: db.prepare<[string], { lead_id: string; at: number }>(
        `SELECT lead_id, at FROM lead_events AS event
         WHERE lead_id IN (SELECT value FROM json_each(?)) AND to_state = 'enriched'
           AND id = (SELECT MIN(id) FROM lead_events
                     WHERE lead_id = event.lead_id AND to_state = 'enriched')`,
      ),
      stateOf: db.prepare<[string], { state: string; updated_at: number }>(
        "SELECT state, updated_at FROM leads WHERE id = ?",
      ),
      update: db.prepare(
        `UPDATE leads SET state = @to, reason = @reason,
           workspace = COALESCE(@workspace, workspace),
           table_name = COALESCE(@table, table_name),
           attempt = COALESCE(@attempt, attempt),
           available_at = COALESCE(@availableAt, available_at),
           callback_deadline = CASE WHEN @setDeadline THEN @callbackDeadline ELSE callback_deadline END,
           duplicate_of = CASE WHEN @setDuplicateOf THEN @duplicateOf ELSE duplicate_of END,
           result = CASE WHEN @setResult THEN @result ELSE result END,
           routes = COALESCE(@routes, routes),
           updated_at = @now
         WHERE id = @id AND state = @from`,
      ),
      // One state at a time, so the walk follows leads_claim_order instead of sorting the backlog.
      claimable: db.prepare<[string, number, number], LeadRow>(
        `SELECT ${LEAD_COLUMNS} FROM leads INDEXED BY leads_claim_order
         WHERE state = ? AND available_at <= ?
         ORDER BY priority, available_at, created_at, id LIMIT ?`,
      ),
      claim: db.prepare<[number, string]>(
        "UPDATE leads SET state = 'sending', reason = NULL, updated_at = ? WHERE id = ?",
      ),
      leasable: db.prepare<
        { workspace: string; priority: number | null; now: number; limit: number },
        { id: string }
      >(
        `SELECT id FROM leads
         WHERE state IN ('queued', 'retrying') AND workspace = @workspace
           AND (@priority IS NULL OR priority = @priority) AND available_at <= @now
         ORDER BY available_at, created_at, id LIMIT @limit`,
      ),
      lease: db.prepare<[number, string]>("UPDATE leads SET available_at = ? WHERE id = ?"),
      dueByAvailable: db.prepare<[string, number, number], LeadRow>(
        `SELECT ${LEAD_COLUMNS} FROM leads WHERE state = ? AND available_at <= ?
         ORDER BY available_at, created_at, id LIMIT ?`,
      ),
      dueByDeadline: db.prepare<[number, number], LeadRow>(
        `SELECT ${LEAD_COLUMNS} FROM leads
         WHERE state = 'awaiting_callback' AND callback_deadline <= ?
         ORDER BY callback_deadline, created_at, id LIMIT ?`,
      ),
      duplicatesOf: db.prepare<[string], LeadRow>(
        `SELECT ${LEAD_COLUMNS} FROM leads
         WHERE duplicate_of IN (SELECT value FROM json_each(?)) AND state = 'duplicate'
         ORDER BY created_at, id`,
      ),
      countByState: db.prepare<[], { state: string; count: number }>(
        "SELECT state, COUNT(*) AS count FROM leads GROUP BY state",
      ),
      // Skipped leads, the ones status counts, name the state as a literal so the planner reads
      // leads_skipped_workspace alone (migration 12).
      countSkippedByWorkspace: db.prepare<[], { workspace: string; count: number }>(
        "SELECT workspace, COUNT(*) AS count FROM leads WHERE state = 'skipped' GROUP BY workspace",
      ),
      countByWorkspace: db.prepare<[string], { workspace: string; count: number }>(
        "SELECT workspace, COUNT(*) AS count FROM leads WHERE state = ? GROUP BY workspace",
      ),
      countWaiting: db.prepare<[string, string, string], { availableAt: number; count: number }>(
        `SELECT available_at AS availableAt, COUNT(*) AS count FROM leads
         WHERE state = ? AND substr(reason, 1, length(?)) = ?
         GROUP BY available_at ORDER BY available_at`,
      ),
      // The state as a literal, so the planner reads leads_deferred_waiting alone (see migration 11).
      countDeferred: db.prepare<[string, string], { availableAt: number; count: number }>(
        `SELECT available_at AS availableAt, COUNT(*) AS count FROM leads
         WHERE state = 'deferred' AND substr(reason, 1, length(?)) = ?
         GROUP BY available_at ORDER BY available_at`,
      ),
      purge: db.prepare<[string]>("DELETE FROM leads WHERE id = ? AND state = 'dead'"),
    };
  }

  async admit(leads: NewLead[], options: AdmitOptions): Promise<Admission[]> {
    if (leads.length === 0) return [];
    return writeTransaction(this.db, () => this.admission.admit(leads, options));
  }

  async get(id: string): Promise<StoredLead | undefined> {
    const row = this.statements.get.get(id);
    return row ? toStoredLead(row) : undefined;
  }

  async history(id: string): Promise<LeadEvent[]> {
    return this.statements.history.all(id, id, id).map(toLeadEvent);
  }

  async enrichedAt(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = this.statements.enrichedAt.all(JSON.stringify(ids));
    return new Map(rows.map((row) => [row.lead_id, row.at]));
  }

  async transition(
    id: string,
    from: LeadState | readonly LeadState[],
    to: LeadState,
    patch: LeadPatch = {},
    now: number = this.clock.now(),
  ): Promise<boolean> {
    return writeTransaction(this.db, () => this.move(id, from, to, patch, now));
  }

  async transitionAndRead(
    id: string,
    from: LeadState | readonly LeadState[],
    to: LeadState,
    patch: LeadPatch = {},
    now: number = this.clock.now(),
  ): Promise<StoredLead | undefined> {
    return writeTransaction(this.db, () => {
      if (!this.move(id, from, to, patch, now)) return undefined;
      const row = this.statements.get.get(id);
      return row ? toStoredLead(row) : undefined;
    });
  }

  async transitionMany(
    moves: readonly LeadMove[],
    now: number = this.clock.now(),
  ): Promise<Set<string>> {
    return writeTransaction(this.db, () => {
      const moved = new Set<string>();
      for (const { id, from, to, patch } of moves) {
        if (this.move(id, from, to, patch ?? {}, now)) moved.add(id);
      }
      return moved;
    });
  }

  /** A transition's writes; run inside a write transaction. */
  private move(
    id: string,
    from: LeadState | readonly LeadState[],
    to: LeadState,
    patch: LeadPatch,
    now: number,
  ): boolean {
    const allowed: readonly LeadState[] = typeof from === "string" ? [from] : from;
    const s = this.statements;
    const row = s.stateOf.get(id);
    const current = row?.state as LeadState | undefined;
    if (row === undefined || current === undefined || !allowed.includes(current)) return false;
    // A new state drops the old state's reason unless the patch gives one.
    const reason = patch.reason ?? null;
    const at = causalTime(now, row.updated_at);
    s.update.run({
      id,
      from: current,
      to,
      reason,
      workspace: patch.workspace ?? null,
      table: patch.table ?? null,
      attempt: patch.attempt ?? null,
      availableAt: patch.availableAt ?? null,
      setDeadline: patch.callbackDeadline === undefined ? 0 : 1,
      callbackDeadline: patch.callbackDeadline ?? null,
      setDuplicateOf: patch.duplicateOf === undefined ? 0 : 1,
      duplicateOf: patch.duplicateOf ?? null,
      setResult: patch.result === undefined ? 0 : 1,
      result: patch.result == null ? null : JSON.stringify(patch.result),
      routes: patch.routes === undefined ? null : JSON.stringify(patch.routes),
      now: at,
    });
    s.event.run(id, at, current, to, reason);
    return true;
  }

  async claimDue(limit: number, now: number): Promise<StoredLead[]> {
    const s = this.statements;
    const count = rowLimit(limit);
    return writeTransaction(this.db, () =>
      [...s.claimable.all("queued", now, count), ...s.claimable.all("retrying", now, count)]
        .sort(claimOrder)
        .slice(0, count)
        .map((row) => {
          const at = causalTime(now, row.updated_at);
          s.claim.run(at, row.id);
          s.event.run(row.id, at, row.state, "sending", null);
          return { ...toStoredLead(row), state: "sending", reason: null, updatedAt: at };
        }),
    );
  }

  async leaseDue(query: LeaseQuery): Promise<string[]> {
    const s = this.statements;
    return writeTransaction(this.db, () =>
      s.leasable
        .all({
          workspace: query.workspace,
          priority: query.priority ?? null,
          now: query.now,
          limit: rowLimit(query.limit),
        })
        .map(({ id }) => {
          s.lease.run(query.until, id);
          return id;
        }),
    );
  }

  async leaseEnriched(now: number, limit: number, until: number): Promise<StoredLead[]> {
    const s = this.statements;
    // One process owns a SQLite store: the write transaction is the whole lease.
    return writeTransaction(this.db, () =>
      s.dueByAvailable.all("enriched", now, rowLimit(limit)).map((row) => {
        s.lease.run(until, row.id);
        return toStoredLead({ ...row, available_at: until });
      }),
    );
  }

  async due(state: DueState, now: number, limit: number): Promise<StoredLead[]> {
    const rows =
      state === "awaiting_callback"
        ? this.statements.dueByDeadline.all(now, rowLimit(limit))
        : this.statements.dueByAvailable.all(state, now, rowLimit(limit));
    return rows.map(toStoredLead);
  }

  async duplicatesOf(originalIds: string | readonly string[]): Promise<StoredLead[]> {
    const ids = typeof originalIds === "string" ? [originalIds] : originalIds;
    if (ids.length === 0) return [];
    return this.statements.duplicatesOf.all(JSON.stringify(ids)).map(toStoredLead);
  }

  async list(query: LeadListQuery): Promise<{ leads: StoredLead[]; nextCursor: string | null }> {
    return this.lists.list(query);
  }

  async countByState(): Promise<Record<LeadState, number>> {
    const counts = Object.fromEntries(LEAD_STATES.map((state) => [state, 0])) as Record<
      LeadState,
      number
    >;
    for (const { state, count } of this.statements.countByState.all()) {
      counts[state as LeadState] = count;
    }
    return counts;
  }

  async countByWorkspace(state: LeadState): Promise<Record<string, number>> {
    return Object.fromEntries(
      (state === "skipped"
        ? this.statements.countSkippedByWorkspace.all()
        : this.statements.countByWorkspace.all(state)
      ).map(({ workspace, count }) => [workspace, count]),
    );
  }

  async countWaiting(state: LeadState, reasonPrefix: string): Promise<WaitingCount[]> {
    if (state === "deferred") return this.statements.countDeferred.all(reasonPrefix, reasonPrefix);
    return this.statements.countWaiting.all(state, reasonPrefix, reasonPrefix);
  }

  async purge(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { purge } = this.statements;
    return writeTransaction(this.db, () =>
      ids.reduce((removed, id) => removed + purge.run(id).changes, 0),
    );
  }
}

function claimOrder(a: LeadRow, b: LeadRow): number {
  return (
    a.priority - b.priority ||
    a.available_at - b.available_at ||
    a.created_at - b.created_at ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
