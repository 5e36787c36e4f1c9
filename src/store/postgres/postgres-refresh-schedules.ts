/** RefreshSchedules on PostgreSQL: one row per schedule, taken by compare-and-set. */
import type {
  RefreshFigures,
  RefreshScheduleState,
  RefreshSchedules,
} from "../refresh-schedules.js";
import type { PostgresDatabase } from "./postgres-database.js";

interface ScheduleRow {
  name: string;
  spec: string;
  next_run_at: string;
  last_run: RefreshFigures | null;
}

export class PostgresRefreshSchedules implements RefreshSchedules {
  private readonly table: string;

  constructor(private readonly db: PostgresDatabase) {
    this.table = db.table("refresh_schedules");
  }

  async ensure(name: string, spec: string, nextRunAt: number): Promise<RefreshScheduleState> {
    await this.db.query(
      `INSERT INTO ${this.table} AS schedule (name, spec, next_run_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, next_run_at = excluded.next_run_at
       WHERE schedule.spec <> excluded.spec`,
      [name, spec, nextRunAt],
    );
    const { rows } = await this.db.query<ScheduleRow>(
      `SELECT name, spec, next_run_at, last_run FROM ${this.table} WHERE name = $1`,
      [name],
    );
    return toState(rows[0]!);
  }

  async claim(name: string, dueAt: number, nextRunAt: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${this.table} SET next_run_at = $1 WHERE name = $2 AND next_run_at = $3`,
      [nextRunAt, name, dueAt],
    );
    return rowCount === 1;
  }

  async recordRun(name: string, figures: RefreshFigures): Promise<void> {
    await this.db.query(`UPDATE ${this.table} SET last_run = $1 WHERE name = $2`, [
      JSON.stringify(figures),
      name,
    ]);
  }

  async list(): Promise<RefreshScheduleState[]> {
    const { rows } = await this.db.query<ScheduleRow>(
      `SELECT name, spec, next_run_at, last_run FROM ${this.table} ORDER BY name`,
    );
    return rows.map(toState);
  }
}

function toState(row: ScheduleRow): RefreshScheduleState {
  return {
    name: row.name,
    spec: row.spec,
    nextRunAt: Number(row.next_run_at),
    lastRun: row.last_run,
  };
}
