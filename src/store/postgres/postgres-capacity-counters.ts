/**
 * The CapacityCounters port on PostgreSQL: one row per counter. A reservation
 * locks the rows it claims (in key order, so two reservations never deadlock),
 * checks them and raises them in one transaction, so the counts stay exact
 * across every worker process and a reservation is all of its claims or none.
 */
import {
  type CapacityClaim,
  type CapacityCounters,
  planReservation,
  type ReserveResult,
} from "../../clay/capacity-counters.js";
import type { PostgresDatabase } from "./postgres-database.js";

export class PostgresCapacityCounters implements CapacityCounters {
  private readonly counters: string;

  constructor(private readonly db: PostgresDatabase) {
    this.counters = db.table("capacity_counters");
  }

  async tryReserve(claims: readonly CapacityClaim[]): Promise<ReserveResult> {
    const keys = [...new Set(claims.map((claim) => claim.key))].sort();
    if (keys.length === 0) return { ok: true };
    return this.db.transaction<ReserveResult>(async (tx, refuse) => {
      // A counter never used gets its row first, so there is a row to lock.
      await tx.query(
        `INSERT INTO ${this.counters} (key, count)
         SELECT key, 0 FROM unnest($1::text[]) AS key ORDER BY key COLLATE "C"
         ON CONFLICT (key) DO NOTHING`,
        [keys],
      );
      const { rows } = await tx.query<{ key: string; count: number }>(
        `SELECT key, count FROM ${this.counters} WHERE key = ANY($1::text[])
         ORDER BY key FOR UPDATE`,
        [keys],
      );
      const counts = new Map(rows.map((row) => [row.key, row.count]));
      const plan = planReservation(claims, (key) => counts.get(key) ?? 0);
      if (!plan.ok) return refuse(plan);
      const increments = [...plan.increments];
      await tx.query(
        `UPDATE ${this.counters} AS counter SET count = counter.count + claimed.increment
         FROM unnest($1::text[], $2::bigint[]) AS claimed (key, increment)
         WHERE counter.key = claimed.key`,
        [increments.map(([key]) => key), increments.map(([, increment]) => increment)],
      );
      return { ok: true };
    });
  }

  async get(key: string): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `SELECT count FROM ${this.counters} WHERE key = $1`,
      [key],
    );
    return rows[0]?.count ?? 0;
  }
}
