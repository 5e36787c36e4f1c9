/**
 * The DeliveryStore port on PostgreSQL: one row per (lead, sink). Only a
 * pending delivery changes on success or failure, so a late worker can never
 * undo a dead letter or count a delivered record twice.
 */
import { decodeDeliveryCursor, deliveryPage } from "../delivery-cursor.js";
import { DELIVERY_COLUMNS, type DeliveryRow, settledOf, toDelivery } from "../delivery-row.js";
import type {
  DeadDeliveryQuery,
  DeliveryState,
  DeliveryStore,
  SinkDelivery,
} from "../delivery-store.js";
import { type PostgresDatabase, rowLimit } from "./postgres-database.js";

export class PostgresDeliveryStore implements DeliveryStore {
  private readonly deliveries: string;
  private readonly leads: string;
  /** The sequence that counts deliveries as they become delivered. */
  private readonly deliveredTotal: string;

  constructor(private readonly db: PostgresDatabase) {
    this.deliveries = db.table("sink_deliveries");
    this.leads = db.table("leads");
    this.deliveredTotal = db.table("sink_deliveries_delivered_total");
  }

  async schedule(
    deliveries: Array<{ leadId: string; sink: string; route: string }>,
    now: number,
  ): Promise<void> {
    if (deliveries.length === 0) return;
    await this.db.prepared(
      `INSERT INTO ${this.deliveries}
         (lead_id, sink, route, state, attempts, available_at, created_at, updated_at)
       SELECT lead_id, sink, route, 'pending', 0, $4, $4, $4
       FROM unnest($1::text[], $2::text[], $3::text[]) AS batch (lead_id, sink, route)
       ORDER BY lead_id, sink
       ON CONFLICT (lead_id, sink) DO NOTHING`,
      [
        deliveries.map((delivery) => delivery.leadId),
        deliveries.map((delivery) => delivery.sink),
        deliveries.map((delivery) => delivery.route),
        now,
      ],
    );
  }

  async lease(sink: string, now: number, limit: number, until: number): Promise<SinkDelivery[]> {
    // SKIP LOCKED: two workers lease disjoint deliveries instead of waiting for each other.
    const { rows } = await this.db.prepared<DeliveryRow>(
      `WITH picked AS (
         SELECT ${DELIVERY_COLUMNS}, created_at FROM ${this.deliveries}
         WHERE sink = $1 AND state = 'pending' AND available_at <= $2
         ORDER BY available_at, created_at, lead_id LIMIT $3 FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE ${this.deliveries} AS delivery SET available_at = $4
         FROM picked WHERE delivery.lead_id = picked.lead_id AND delivery.sink = picked.sink
       )
       SELECT ${DELIVERY_COLUMNS} FROM picked ORDER BY available_at, created_at, lead_id`,
      [sink, now, rowLimit(limit), until],
    );
    return rows.map(toDelivery);
  }

  async renewLease(sink: string, leadIds: string[], until: number): Promise<void> {
    if (leadIds.length === 0) return;
    await this.db.query(
      `UPDATE ${this.deliveries} SET available_at = $3
       WHERE sink = $1 AND lead_id = ANY($2::text[]) AND state = 'pending'`,
      [sink, leadIds, until],
    );
  }

  async markDelivered(
    leadIds: string | readonly string[],
    sink: string,
    now: number,
  ): Promise<void> {
    const ids = typeof leadIds === "string" ? [leadIds] : [...leadIds];
    if (ids.length === 0) return;
    await this.db.prepared(
      `UPDATE ${this.deliveries} SET state = 'delivered', attempts = attempts + 1,
         last_error = NULL, updated_at = $1
       WHERE lead_id = ANY($2::text[]) AND sink = $3 AND state = 'pending'
       RETURNING nextval('${this.deliveredTotal}')`,
      [now, ids, sink],
    );
  }

  async markFailed(
    leadId: string,
    sink: string,
    error: string,
    retryAt: number | null,
    now: number,
  ): Promise<void> {
    const state: DeliveryState = retryAt === null ? "dead" : "pending";
    await this.db.query(
      `UPDATE ${this.deliveries} SET state = $1, attempts = attempts + 1, last_error = $2,
         available_at = COALESCE($3::bigint, available_at), updated_at = $4
       WHERE lead_id = $5 AND sink = $6 AND state = 'pending'`,
      [state, error, retryAt, now, leadId, sink],
    );
  }

  async forLead(leadId: string): Promise<SinkDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM ${this.deliveries} WHERE lead_id = $1 ORDER BY sink`,
      [leadId],
    );
    return rows.map(toDelivery);
  }

  /** @param limit - how many at most; @defaultValue 100 */
  async dead(sink?: string, limit = 100): Promise<SinkDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM ${this.deliveries}
       WHERE state = 'dead' AND ($1::text IS NULL OR sink = $1::text)
       ORDER BY updated_at, lead_id, sink LIMIT $2`,
      [sink ?? null, rowLimit(limit)],
    );
    return rows.map(toDelivery);
  }

  async listDead(
    query: DeadDeliveryQuery,
  ): Promise<{ deliveries: SinkDelivery[]; nextCursor: string | null }> {
    const limit = rowLimit(query.limit ?? 100);
    const after = query.cursor === undefined ? undefined : decodeDeliveryCursor(query.cursor);
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM ${this.deliveries} AS d
       WHERE state = 'dead' AND ($1::text IS NULL OR sink = $1::text)
         AND ($2::text IS NULL OR strpos(last_error, $2::text) > 0)
         AND ($3::text IS NULL OR EXISTS
           (SELECT 1 FROM ${this.leads} AS l WHERE l.id = d.lead_id AND l.source = $3::text))
         AND ($4::bigint IS NULL OR updated_at >= $4::bigint)
         AND ($5::bigint IS NULL OR updated_at < $5::bigint)
         AND ($6::bigint IS NULL OR (updated_at, lead_id, sink) > ($6::bigint, $7::text, $8::text))
       ORDER BY updated_at, lead_id, sink LIMIT $9`,
      [
        query.sink ?? null,
        query.errorContains ?? null,
        query.source ?? null,
        query.diedAfter ?? null,
        query.diedBefore ?? null,
        after?.updatedAt ?? null,
        after?.leadId ?? null,
        after?.sink ?? null,
        limit,
      ],
    );
    return deliveryPage(rows.map(toDelivery), limit);
  }

  async countDead(): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `SELECT COUNT(*)::int AS count FROM ${this.deliveries} WHERE state = 'dead'`,
    );
    return rows[0]?.count ?? 0;
  }

  async revive(filter: { sink?: string; leadIds?: string[] }, now: number): Promise<number> {
    if (filter.leadIds?.length === 0) return 0;
    const { rowCount } = await this.db.query(
      `UPDATE ${this.deliveries} SET state = 'pending', attempts = 0, available_at = $1,
         updated_at = $1
       WHERE state = 'dead' AND ($2::text IS NULL OR sink = $2::text)
         AND ($3::text[] IS NULL OR lead_id = ANY($3::text[]))`,
      [now, filter.sink ?? null, filter.leadIds ?? null],
    );
    return rowCount ?? 0;
  }

  /** The sequence's last value, or one less while it has not been drawn from since it was set. */
  async countDelivered(): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS count
       FROM ${this.deliveredTotal}`,
    );
    return rows[0]?.count ?? 0;
  }

  async settledLeads(leadIds: string[]): Promise<Map<string, SinkDelivery[]>> {
    if (leadIds.length === 0) return new Map();
    const { rows } = await this.db.prepared<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM ${this.deliveries} WHERE lead_id = ANY($1::text[])
       ORDER BY lead_id, sink`,
      [leadIds],
    );
    return settledOf(leadIds, rows.map(toDelivery));
  }
}
