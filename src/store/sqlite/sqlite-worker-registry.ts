/** WorkerRegistry on SQLite: one row per process (the standard tier has one). */
import {
  FORGET_WORKERS_AFTER_MS,
  type WorkerBeat,
  type WorkerRegistry,
} from "../worker-registry.js";
import { type SqliteDatabase, writeTransaction } from "./open-database.js";

interface WorkerRow {
  id: string;
  role: string;
  host: string;
  pid: number;
  tier: string;
  ops_url: string | null;
  started_at: number;
  seen_at: number;
}

export class SqliteWorkerRegistry implements WorkerRegistry {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      beat: db.prepare<[string, string, string, number, string, string | null, number, number]>(
        `INSERT INTO workers (id, role, host, pid, tier, ops_url, started_at, seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET role = excluded.role, host = excluded.host,
           pid = excluded.pid, tier = excluded.tier, ops_url = excluded.ops_url,
           started_at = excluded.started_at, seen_at = excluded.seen_at`,
      ),
      leave: db.prepare<[string]>("DELETE FROM workers WHERE id = ?"),
      forget: db.prepare<[number]>("DELETE FROM workers WHERE seen_at < ?"),
      live: db.prepare<[number], WorkerRow>(
        `SELECT id, role, host, pid, tier, ops_url, started_at, seen_at FROM workers
         WHERE seen_at >= ? ORDER BY started_at DESC, id`,
      ),
    };
  }

  async beat(worker: WorkerBeat): Promise<void> {
    const { id, role, host, pid, tier, opsUrl, startedAt, seenAt } = worker;
    writeTransaction(this.db, () =>
      this.statements.beat.run(id, role, host, pid, tier, opsUrl ?? null, startedAt, seenAt),
    );
  }

  async leave(id: string): Promise<void> {
    writeTransaction(this.db, () => this.statements.leave.run(id));
  }

  async list(now: number, staleAfterMs: number): Promise<WorkerBeat[]> {
    const rows = writeTransaction(this.db, () => {
      this.statements.forget.run(now - FORGET_WORKERS_AFTER_MS);
      return this.statements.live.all(now - staleAfterMs);
    });
    return rows.map(toBeat);
  }
}

function toBeat(row: WorkerRow): WorkerBeat {
  return {
    id: row.id,
    role: row.role,
    host: row.host,
    pid: row.pid,
    tier: row.tier,
    ...(row.ops_url !== null && { opsUrl: row.ops_url }),
    startedAt: row.started_at,
    seenAt: row.seen_at,
  };
}
