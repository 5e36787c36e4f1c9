/**
 * The CapacityCounters port on PostgreSQL: one row per counter. A reservation
 * locks the rows it claims (in key order, so two reservations never deadlock),
 * checks them and raises them in one statement, so the counts stay exact
 * across every worker process and a reservation is all of its claims or none.
 */
import type { CapacityClaim, CapacityCounters, ReserveResult } from "../capacity-counters.js";
import type { PostgresDatabase } from "./postgres-database.js";

export class PostgresCapacityCounters implements CapacityCounters {
  private readonly counters: string;

  constructor(private readonly db: PostgresDatabase) {
    this.counters = db.table("capacity_counters");
  }

  async tryReserve(claims: readonly CapacityClaim[]): Promise<ReserveResult> {
    const wanted = new Map<string, { increment: number; cap: number }>();
    for (const { key, limit } of claims) {
      const seen = wanted.get(key);
      wanted.set(key, {
        increment: (seen?.increment ?? 0) + 1,
        cap: Math.min(seen?.cap ?? limit, limit),
      });
    }
    if (wanted.size === 0) return { ok: true };
    const keys = [...wanted.keys()].sort();
    const params = [
      keys,
      keys.map((key) => wanted.get(key)!.increment),
      keys.map((key) => wanted.get(key)!.cap),
    ];
    let rows = await this.lockCheckRaise(params);
    if (rows[0]!.missing) {
      // A counter never used gets its row first, so there is a row to lock; then again.
      await this.db.query(
        `INSERT INTO ${this.counters} (key, count)
         SELECT key, 0 FROM unnest($1::text[]) AS key ORDER BY key COLLATE "C"
         ON CONFLICT (key) DO NOTHING`,
        [keys],
      );
      rows = await this.lockCheckRaise(params);
    }
    const { fits, counts } = rows[0]!;
    if (fits) return { ok: true };
    // The first claimed counter that would pass its cap, as the other adapters name it.
    const full = claims.find(({ key }) => {
      const { increment, cap } = wanted.get(key)!;
      return Number(counts[key] ?? 0) + increment > cap;
    });
    return { ok: false, exhaustedKey: (full ?? claims[0]!).key };
  }

  /**
   * One statement: lock the rows (in key order, so two reservations never deadlock),
   * check every claim, raise them all or none. The locks last only as long as it runs,
   * not across round trips, so every worker of a workspace can reserve at once. With a
   * counter's row missing it raises nothing and says so.
   */
  private async lockCheckRaise(
    params: unknown[],
  ): Promise<Array<{ fits: boolean; missing: boolean; counts: Record<string, number> }>> {
    const { rows } = await this.db.prepared<{
      fits: boolean;
      missing: boolean;
      counts: Record<string, number>;
    }>(
      `WITH claimed AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS c (key, increment, cap)
       ), locked AS (
         SELECT counter.key, counter.count FROM ${this.counters} AS counter
         WHERE counter.key = ANY($1::text[]) ORDER BY counter.key FOR UPDATE
       ), verdict AS (
         SELECT count(*) < cardinality($1::text[]) AS missing,
           bool_and(locked.count + claimed.increment <= claimed.cap) AS fits
         FROM locked JOIN claimed USING (key)
       ), raised AS (
         UPDATE ${this.counters} AS counter SET count = counter.count + claimed.increment
         FROM claimed, verdict WHERE counter.key = claimed.key AND verdict.fits AND NOT verdict.missing
       )
       SELECT verdict.fits AND NOT verdict.missing AS fits, verdict.missing,
         (SELECT json_object_agg(key, count) FROM locked) AS counts FROM verdict`,
      params,
    );
    return rows;
  }

  async release(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const times = new Map<string, number>();
    for (const key of keys) times.set(key, (times.get(key) ?? 0) + 1);
    await this.db.query(
      `UPDATE ${this.counters} AS counter SET count = GREATEST(counter.count - given.n, 0)
       FROM unnest($1::text[], $2::bigint[]) AS given (key, n) WHERE counter.key = given.key`,
      [[...times.keys()], [...times.values()]],
    );
  }

  async get(key: string): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `SELECT count FROM ${this.counters} WHERE key = $1`,
      [key],
    );
    return rows[0]?.count ?? 0;
  }
}
