/** WorkerRegistry on PostgreSQL: one row per process of any machine sharing the schema. */
import {
  FORGET_WORKERS_AFTER_MS,
  type WorkerBeat,
  type WorkerRegistry,
} from "../worker-registry.js";
import type { PostgresDatabase } from "./postgres-database.js";

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

export class PostgresWorkerRegistry implements WorkerRegistry {
  private readonly table: string;

  constructor(private readonly db: PostgresDatabase) {
    this.table = db.table("workers");
  }

  async beat(worker: WorkerBeat): Promise<void> {
    const { id, role, host, pid, tier, opsUrl, startedAt, seenAt } = worker;
    await this.db.query(
      `INSERT INTO ${this.table} (id, role, host, pid, tier, ops_url, started_at, seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET role = excluded.role, host = excluded.host,
         pid = excluded.pid, tier = excluded.tier, ops_url = excluded.ops_url,
         started_at = excluded.started_at, seen_at = excluded.seen_at`,
      [id, role, host, pid, tier, opsUrl ?? null, startedAt, seenAt],
    );
  }

  async leave(id: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.table} WHERE id = $1`, [id]);
  }

  async list(now: number, staleAfterMs: number): Promise<WorkerBeat[]> {
    await this.db.query(`DELETE FROM ${this.table} WHERE seen_at < $1`, [
      now - FORGET_WORKERS_AFTER_MS,
    ]);
    const { rows } = await this.db.query<WorkerRow>(
      `SELECT id, role, host, pid, tier, ops_url, started_at, seen_at FROM ${this.table}
       WHERE seen_at >= $1 ORDER BY started_at DESC, id`,
      [now - staleAfterMs],
    );
    return rows.map((row) => ({
      id: row.id,
      role: row.role,
      host: row.host,
      pid: row.pid,
      tier: row.tier,
      ...(row.ops_url !== null && { opsUrl: row.ops_url }),
      startedAt: row.started_at,
      seenAt: row.seen_at,
    }));
  }
}
