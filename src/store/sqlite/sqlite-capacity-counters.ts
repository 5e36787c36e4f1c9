/**
 * The CapacityCounters port on SQLite: one row per counter, checked and
 * raised in one write transaction, so every process sharing the file sees
 * the same counts and a reservation is all of its claims or none.
 */
import {
  type CapacityClaim,
  type CapacityCounters,
  planReservation,
  type ReserveResult,
} from "../capacity-counters.js";
import { type SqliteDatabase, writeTransaction } from "./open-database.js";

export class SqliteCapacityCounters implements CapacityCounters {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      get: db.prepare<[string], { count: number }>(
        "SELECT count FROM capacity_counters WHERE key = ?",
      ),
      add: db.prepare<[string, number]>(
        `INSERT INTO capacity_counters (key, count) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET count = count + excluded.count`,
      ),
      lower: db.prepare<[string]>(
        "UPDATE capacity_counters SET count = MAX(count - 1, 0) WHERE key = ?",
      ),
    };
  }

  async tryReserve(claims: readonly CapacityClaim[]): Promise<ReserveResult> {
    return writeTransaction(this.db, () => {
      const plan = planReservation(claims, (key) => this.current(key));
      if (!plan.ok) return plan;
      for (const [key, increment] of plan.increments) this.statements.add.run(key, increment);
      return { ok: true };
    });
  }

  async get(key: string): Promise<number> {
    return this.current(key);
  }

  async release(keys: readonly string[]): Promise<void> {
    writeTransaction(this.db, () => {
      for (const key of keys) this.statements.lower.run(key);
    });
  }

  private current(key: string): number {
    return this.statements.get.get(key)?.count ?? 0;
  }
}
