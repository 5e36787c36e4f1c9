/**
 * The DeliveryStore port on SQLite: one row per (lead, sink). Only a pending
 * delivery changes on success or failure, so a late worker can never undo a
 * dead letter or count a delivered record twice.
 */
import { decodeDeliveryCursor, deliveryPage } from "../delivery-cursor.js";
import { DELIVERY_COLUMNS, type DeliveryRow, settledOf, toDelivery } from "../delivery-row.js";
import type {
  DeadDeliveryQuery,
  DeliveryState,
  DeliveryStore,
  SinkDelivery,
} from "../delivery-store.js";
import { rowLimit, type SqliteDatabase, writeTransaction } from "./open-database.js";

interface DeadPageParams {
  sink: string | null;
  error: string | null;
  source: string | null;
  after: number | null;
  before: number | null;
  afterAt: number | null;
  afterLead: string | null;
  afterSink: string | null;
  limit: number;
}

export class SqliteDeliveryStore implements DeliveryStore {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      deliveredTotal: db.prepare<[], { count: number }>(
        "SELECT count FROM activity_totals WHERE name = 'delivered'",
      ),
      countDelivered: db.prepare(
        "UPDATE activity_totals SET count = count + 1 WHERE name = 'delivered'",
      ),
      schedule: db.prepare<[string, string, string, number, number, number]>(
        `INSERT OR IGNORE INTO sink_deliveries
           (lead_id, sink, route, state, attempts, available_at, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
      ),
      leaseOne: db.prepare<[number, string, string]>(
        "UPDATE sink_deliveries SET available_at = ? WHERE lead_id = ? AND sink = ?",
      ),
      due: db.prepare<[string, number, number], DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM sink_deliveries
         WHERE sink = ? AND state = 'pending' AND available_at <= ?
         ORDER BY available_at, created_at, lead_id LIMIT ?`,
      ),
      renew: db.prepare<[number, string, string]>(
        `UPDATE sink_deliveries SET available_at = ?
         WHERE sink = ? AND state = 'pending' AND lead_id IN (SELECT value FROM json_each(?))`,
      ),
      delivered: db.prepare<[number, string, string]>(
        `UPDATE sink_deliveries SET state = 'delivered', attempts = attempts + 1, last_error = NULL,
           updated_at = ? WHERE lead_id = ? AND sink = ? AND state = 'pending'`,
      ),
      failed: db.prepare<[string, string, number | null, number, string, string]>(
        `UPDATE sink_deliveries SET state = ?, attempts = attempts + 1, last_error = ?,
           available_at = COALESCE(?, available_at), updated_at = ?
         WHERE lead_id = ? AND sink = ? AND state = 'pending'`,
      ),
      forLead: db.prepare<[string], DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM sink_deliveries WHERE lead_id = ? ORDER BY sink`,
      ),
      dead: db.prepare<{ sink: string | null; limit: number }, DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM sink_deliveries
         WHERE state = 'dead' AND (@sink IS NULL OR sink = @sink)
         ORDER BY updated_at, lead_id, sink LIMIT @limit`,
      ),
      listDead: db.prepare<DeadPageParams, DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM sink_deliveries AS d
         WHERE state = 'dead' AND (@sink IS NULL OR sink = @sink)
           AND (@error IS NULL OR instr(last_error, @error) > 0)
           AND (@source IS NULL OR EXISTS
             (SELECT 1 FROM leads WHERE leads.id = d.lead_id AND leads.source = @source))
           AND (@after IS NULL OR updated_at >= @after)
           AND (@before IS NULL OR updated_at < @before)
           AND (@afterAt IS NULL OR (updated_at, lead_id, sink) > (@afterAt, @afterLead, @afterSink))
         ORDER BY updated_at, lead_id, sink LIMIT @limit`,
      ),
      countDead: db.prepare<[], { count: number }>(
        "SELECT COUNT(*) AS count FROM sink_deliveries WHERE state = 'dead'",
      ),
      revive: db.prepare<{ now: number; sink: string | null; leadIds: string | null }>(
        `UPDATE sink_deliveries SET state = 'pending', attempts = 0, available_at = @now, updated_at = @now
         WHERE state = 'dead' AND (@sink IS NULL OR sink = @sink)
           AND (@leadIds IS NULL OR lead_id IN (SELECT value FROM json_each(@leadIds)))`,
      ),
      ofLeads: db.prepare<[string], DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM sink_deliveries
         WHERE lead_id IN (SELECT value FROM json_each(?)) ORDER BY lead_id, sink`,
      ),
    };
  }

  async schedule(
    deliveries: Array<{ leadId: string; sink: string; route: string }>,
    now: number,
  ): Promise<void> {
    if (deliveries.length === 0) return;
    const { schedule } = this.statements;
    writeTransaction(this.db, () => {
      for (const { leadId, sink, route } of deliveries)
        schedule.run(leadId, sink, route, now, now, now);
    });
  }

  async lease(sink: string, now: number, limit: number, until: number): Promise<SinkDelivery[]> {
    const s = this.statements;
    return writeTransaction(this.db, () =>
      s.due.all(sink, now, rowLimit(limit)).map((row) => {
        s.leaseOne.run(until, row.lead_id, row.sink);
        return toDelivery(row);
      }),
    );
  }

  async renewLease(sink: string, leadIds: string[], until: number): Promise<void> {
    if (leadIds.length === 0) return;
    writeTransaction(this.db, () =>
      this.statements.renew.run(until, sink, JSON.stringify(leadIds)),
    );
  }

  async markDelivered(
    leadIds: string | readonly string[],
    sink: string,
    now: number,
  ): Promise<void> {
    const { delivered, countDelivered } = this.statements;
    writeTransaction(this.db, () => {
      for (const leadId of typeof leadIds === "string" ? [leadIds] : leadIds) {
        if (delivered.run(now, leadId, sink).changes > 0) countDelivered.run();
      }
    });
  }

  async markFailed(
    leadId: string,
    sink: string,
    error: string,
    retryAt: number | null,
    now: number,
  ): Promise<void> {
    const state: DeliveryState = retryAt === null ? "dead" : "pending";
    writeTransaction(this.db, () =>
      this.statements.failed.run(state, error, retryAt, now, leadId, sink),
    );
  }

  async forLead(leadId: string): Promise<SinkDelivery[]> {
    return this.statements.forLead.all(leadId).map(toDelivery);
  }

  /** @param limit - how many at most; @defaultValue 100 */
  async dead(sink?: string, limit = 100): Promise<SinkDelivery[]> {
    return this.statements.dead.all({ sink: sink ?? null, limit: rowLimit(limit) }).map(toDelivery);
  }

  async listDead(
    query: DeadDeliveryQuery,
  ): Promise<{ deliveries: SinkDelivery[]; nextCursor: string | null }> {
    const limit = rowLimit(query.limit ?? 100);
    const after = query.cursor === undefined ? undefined : decodeDeliveryCursor(query.cursor);
    const rows = this.statements.listDead.all({
      sink: query.sink ?? null,
      error: query.errorContains ?? null,
      source: query.source ?? null,
      after: query.diedAfter ?? null,
      before: query.diedBefore ?? null,
      afterAt: after?.updatedAt ?? null,
      afterLead: after?.leadId ?? null,
      afterSink: after?.sink ?? null,
      limit,
    });
    return deliveryPage(rows.map(toDelivery), limit);
  }

  async countDead(): Promise<number> {
    return this.statements.countDead.get()?.count ?? 0;
  }

  async revive(filter: { sink?: string; leadIds?: string[] }, now: number): Promise<number> {
    if (filter.leadIds?.length === 0) return 0;
    const leadIds = filter.leadIds === undefined ? null : JSON.stringify(filter.leadIds);
    return writeTransaction(
      this.db,
      () => this.statements.revive.run({ now, sink: filter.sink ?? null, leadIds }).changes,
    );
  }

  async countDelivered(): Promise<number> {
    return this.statements.deliveredTotal.get()?.count ?? 0;
  }

  /** A lead with no deliveries at all is returned with none (finishSettled routes it again). */
  async settledLeads(leadIds: string[]): Promise<Map<string, SinkDelivery[]>> {
    if (leadIds.length === 0) return new Map();
    const rows = this.statements.ofLeads.all(JSON.stringify(leadIds));
    return settledOf(leadIds, rows.map(toDelivery));
  }
}
