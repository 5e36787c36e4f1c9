/** RefreshSchedules on SQLite: one row per schedule. */
import type {
  RefreshFigures,
  RefreshScheduleState,
  RefreshSchedules,
} from "../refresh-schedules.js";
import type { SqliteDatabase } from "./open-database.js";

interface ScheduleRow {
  name: string;
  spec: string;
  next_run_at: number;
  last_run: string | null;
}

export class SqliteRefreshSchedules implements RefreshSchedules {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    this.statements = {
      ensure: db.prepare<[string, string, number]>(
        `INSERT INTO refresh_schedules (name, spec, next_run_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, next_run_at = excluded.next_run_at
         WHERE refresh_schedules.spec != excluded.spec`,
      ),
      get: db.prepare<[string], ScheduleRow>(
        "SELECT name, spec, next_run_at, last_run FROM refresh_schedules WHERE name = ?",
      ),
      claim: db.prepare<[number, string, number]>(
        "UPDATE refresh_schedules SET next_run_at = ? WHERE name = ? AND next_run_at = ?",
      ),
      recordRun: db.prepare<[string, string]>(
        "UPDATE refresh_schedules SET last_run = ? WHERE name = ?",
      ),
      list: db.prepare<[], ScheduleRow>(
        "SELECT name, spec, next_run_at, last_run FROM refresh_schedules ORDER BY name",
      ),
    };
  }

  async ensure(name: string, spec: string, nextRunAt: number): Promise<RefreshScheduleState> {
    this.statements.ensure.run(name, spec, nextRunAt);
    return toState(this.statements.get.get(name)!);
  }

  async claim(name: string, dueAt: number, nextRunAt: number): Promise<boolean> {
    return this.statements.claim.run(nextRunAt, name, dueAt).changes === 1;
  }

  async recordRun(name: string, figures: RefreshFigures): Promise<void> {
    this.statements.recordRun.run(JSON.stringify(figures), name);
  }

  async list(): Promise<RefreshScheduleState[]> {
    return this.statements.list.all().map(toState);
  }
}

function toState(row: ScheduleRow): RefreshScheduleState {
  return {
    name: row.name,
    spec: row.spec,
    nextRunAt: row.next_run_at,
    lastRun: row.last_run === null ? null : (JSON.parse(row.last_run) as RefreshFigures),
  };
}
