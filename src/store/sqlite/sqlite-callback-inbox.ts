/**
 * The CallbackInbox port on SQLite: verified callbacks are appended in one
 * transaction per batch (the receiver's group commit), claimed oldest first and processed.
 * Processed entries are kept, marked with the time, as the record of what Clay sent.
 */
import type { Clock } from "../../core/clock.js";
import type { CallbackInbox, CallbackLead, InboxEntry, NewCallback } from "../callback-inbox.js";
import type { OffLoopCommit } from "./off-loop-commit.js";
import { rowLimit, type SqliteDatabase, writeTransaction } from "./open-database.js";

interface InboxRow {
  id: number;
  lead_id: string;
  attempt: number;
  body: string;
  received_at: number;
}

export class SqliteCallbackInbox implements CallbackInbox {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
    /** Commits appends with the fsync off the event loop (the receiver's group commit); else at FULL. */
    private readonly appends?: OffLoopCommit,
  ) {
    this.statements = {
      lead: db.prepare<
        [string],
        { identity_key: string; workspace: string; table_name: string; had_result: number }
      >(
        `SELECT identity_key, workspace, table_name, result IS NOT NULL AS had_result
         FROM leads WHERE id = ?`,
      ),
      append: db.prepare<[string, number, string, number]>(
        "INSERT INTO callback_inbox (lead_id, attempt, body, received_at) VALUES (?, ?, ?, ?)",
      ),
      claimable: db.prepare<[number, number], InboxRow>(
        `SELECT id, lead_id, attempt, body, received_at FROM callback_inbox
         WHERE processed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)
         ORDER BY id LIMIT ?`,
      ),
      claimUntil: db.prepare<[number | null, string]>(
        `UPDATE callback_inbox SET claimed_until = ?
         WHERE processed_at IS NULL AND id IN (SELECT value FROM json_each(?))`,
      ),
      // The rowid's B-tree answers MAX from its last page.
      totalReceived: db.prepare<[], { total: number | null }>(
        "SELECT MAX(id) AS total FROM callback_inbox",
      ),
      markProcessed: db.prepare<[number, string]>(
        `UPDATE callback_inbox SET processed_at = ?
         WHERE processed_at IS NULL AND id IN (SELECT value FROM json_each(?))`,
      ),
    };
  }

  async append(callbacks: NewCallback[]): Promise<void> {
    if (callbacks.length === 0) return;
    await this.commit(() => {
      for (const callback of callbacks) this.insert(callback);
    });
  }

  async appendAwaited(callbacks: NewCallback[]): Promise<Array<CallbackLead | undefined>> {
    if (callbacks.length === 0) return [];
    const { lead } = this.statements;
    const found: Array<CallbackLead | undefined> = [];
    const write = () => {
      found.length = 0;
      for (const callback of callbacks) {
        const row = lead.get(callback.leadId);
        found.push(
          row && {
            identityKey: row.identity_key,
            workspace: row.workspace,
            table: row.table_name,
            hadResult: row.had_result === 1,
          },
        );
        if (row && row.had_result === 0) this.insert(callback);
      }
    };
    await this.commit(write);
    return [...found];
  }

  private insert(callback: NewCallback): void {
    this.statements.append.run(
      callback.leadId,
      callback.attempt,
      JSON.stringify(callback.body),
      callback.receivedAt,
    );
  }

  /** An append's transaction: its fsync off the event loop where the receiver asked for it. */
  private async commit(write: () => void): Promise<void> {
    if (this.appends) await this.appends.commit(write);
    else writeTransaction(this.db, write);
  }

  async claim(limit: number, leaseMs: number, now: number): Promise<InboxEntry[]> {
    const { claimable, claimUntil } = this.statements;
    const rows = writeTransaction(this.db, () => {
      const found = claimable.all(now, rowLimit(limit));
      claimUntil.run(now + leaseMs, JSON.stringify(found.map((row) => row.id)));
      return found;
    });
    return rows.map((row) => ({
      id: row.id,
      leadId: row.lead_id,
      attempt: row.attempt,
      body: JSON.parse(row.body) as Record<string, unknown>,
      receivedAt: row.received_at,
    }));
  }

  async release(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    writeTransaction(this.db, () => this.statements.claimUntil.run(null, JSON.stringify(ids)));
  }

  async markProcessed(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const now = this.clock.now();
    writeTransaction(this.db, () => this.statements.markProcessed.run(now, JSON.stringify(ids)));
  }

  async totalReceived(): Promise<number> {
    return this.statements.totalReceived.get()?.total ?? 0;
  }
}
