/**
 * The CallbackInbox port on PostgreSQL: a batch of verified callbacks (the
 * receiver's group commit) is one multi-row INSERT, so one commit. Processed
 * entries are kept, marked with the time, as the record of what Clay sent.
 */
import type { Clock } from "../../core/clock.js";
import type { CallbackInbox, CallbackLead, InboxEntry, NewCallback } from "../callback-inbox.js";
import { type PostgresDatabase, rowLimit } from "./postgres-database.js";
import { notifyChannel, PostgresNotifications } from "./postgres-notifications.js";

interface AwaitedRow {
  identity_key: string | null;
  workspace: string | null;
  table_name: string | null;
  had_result: boolean;
}

interface InboxRow {
  id: number;
  lead_id: string;
  attempt: number;
  body: Record<string, unknown>;
  received_at: number;
}

export class PostgresCallbackInbox implements CallbackInbox {
  private readonly inbox: string;
  private readonly leads: string;
  /** NOTIFY on it with every append, in the appending statement: delivered at its commit. */
  private readonly channel: string;
  private readonly appended: PostgresNotifications;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly clock: Clock,
  ) {
    this.inbox = db.table("callback_inbox");
    this.leads = db.table("leads");
    this.channel = notifyChannel(db.schema, "inbox");
    this.appended = new PostgresNotifications(this.channel, db.openClient);
  }

  onAppended(listener: () => void): () => void {
    return this.appended.subscribe(listener);
  }

  close(): Promise<void> {
    return this.appended.close();
  }

  async appendAwaited(callbacks: NewCallback[]): Promise<Array<CallbackLead | undefined>> {
    if (callbacks.length === 0) return [];
    // One statement, so one transaction: the leads read and the rows written agree.
    const { rows } = await this.db.prepared<AwaitedRow>(
      `WITH batch AS (
         SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::bigint[])
           WITH ORDINALITY AS batch (lead_id, attempt, body, received_at, n)
       ), found AS (
         SELECT batch.*, lead.identity_key, lead.workspace, lead.table_name,
           lead.result IS NOT NULL AS had_result, lead.id IS NOT NULL AS known
         FROM batch LEFT JOIN ${this.leads} lead ON lead.id = batch.lead_id
       ), written AS (
         INSERT INTO ${this.inbox} (lead_id, attempt, body, received_at)
         SELECT lead_id, attempt, body::json, received_at FROM found
         WHERE known AND NOT had_result
         RETURNING 1
       ), notified AS (
         SELECT pg_notify($5, '') FROM (SELECT 1 FROM written LIMIT 1) AS any_written
       )
       SELECT identity_key, workspace, table_name, had_result
       FROM found CROSS JOIN (SELECT count(*) FROM notified) AS notifying ORDER BY n`,
      [...columnsOf(callbacks), this.channel],
    );
    return rows.map((row) =>
      row.identity_key === null
        ? undefined
        : {
            identityKey: row.identity_key,
            workspace: row.workspace!,
            table: row.table_name!,
            hadResult: row.had_result,
          },
    );
  }

  async append(callbacks: NewCallback[]): Promise<void> {
    if (callbacks.length === 0) return;
    await this.db.prepared(
      `WITH written AS (
         INSERT INTO ${this.inbox} (lead_id, attempt, body, received_at)
         SELECT lead_id, attempt, body::json, received_at
         FROM unnest($1::text[], $2::integer[], $3::text[], $4::bigint[])
           AS batch (lead_id, attempt, body, received_at)
         RETURNING 1
       )
       SELECT pg_notify($5, '') FROM (SELECT 1 FROM written LIMIT 1) AS any_written`,
      [...columnsOf(callbacks), this.channel],
    );
  }

  /**
   * Entries of transactions still committing get lower ids than some already
   * visible, so "oldest first" is by id among what is committed; a late one
   * stays unclaimed, and the next claim takes it.
   */
  async claim(limit: number, leaseMs: number, now: number): Promise<InboxEntry[]> {
    // SKIP LOCKED: two processes claim disjoint entries instead of waiting for each other.
    // An entry claimed meanwhile is read again after its lock and no longer matches.
    const { rows } = await this.db.prepared<InboxRow>(
      `WITH claimed AS (
         UPDATE ${this.inbox} SET claimed_until = $1
         WHERE id IN (
           SELECT id FROM ${this.inbox}
           WHERE processed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
         )
         RETURNING id, lead_id, attempt, body, received_at
       )
       SELECT id, lead_id, attempt, body, received_at FROM claimed ORDER BY id`,
      [now + leaseMs, now, rowLimit(limit)],
    );
    return rows.map((row) => ({
      id: row.id,
      leadId: row.lead_id,
      attempt: row.attempt,
      body: row.body,
      receivedAt: row.received_at,
    }));
  }

  async release(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE ${this.inbox} SET claimed_until = NULL
       WHERE processed_at IS NULL AND id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async markProcessed(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.prepared(
      `UPDATE ${this.inbox} SET processed_at = $1
       WHERE processed_at IS NULL AND id = ANY($2::bigint[])`,
      [this.clock.now(), ids],
    );
  }

  /** MAX over the primary key: one probe of its index's last page. */
  async totalReceived(): Promise<number> {
    const { rows } = await this.db.query<{ total: number | null }>(
      `SELECT MAX(id) AS total FROM ${this.inbox}`,
    );
    return rows[0]?.total ?? 0;
  }
}

/** A batch of callbacks as the four arrays `unnest` reads: lead ids, attempts, bodies, times. */
function columnsOf(callbacks: NewCallback[]): unknown[] {
  return [
    callbacks.map((callback) => callback.leadId),
    callbacks.map((callback) => callback.attempt),
    callbacks.map((callback) => JSON.stringify(callback.body)),
    callbacks.map((callback) => callback.receivedAt),
  ];
}
