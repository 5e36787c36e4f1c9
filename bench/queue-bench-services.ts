/**
 * What the queue-tier benchmarks share: PostgreSQL and Redis (DATABASE_URL and
 * REDIS_URL, defaults on 127.0.0.1), a schema and a key prefix of the run's own
 * that `cleanup()` drops at the end (and a table name for a PostgreSQL sink),
 * leads that are all different people, and a way to push them through in
 * batches, several at once.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";

export const DATABASE_URL =
  process.env.DATABASE_URL || `postgres://${process.env.PGUSER || "postgres"}@127.0.0.1:5432/test`;
export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

export interface BenchServices {
  /** A PostgreSQL schema no one else uses; claypipe creates it on first start. */
  schema: string;
  /** A Redis key prefix (also a valid BullMQ and `queue.prefix` value) no one else uses. */
  prefix: string;
  /** A table in the public schema no one else uses, for a PostgreSQL sink (lowercase, as the sink wants). */
  sinkTable: string;
  /** Leads per state in the schema's outbox. */
  leadStates(): Promise<Record<string, number>>;
  /**
   * When each person (by email) was last written to `sinkTable`: PostgreSQL's
   * clock at the upsert, in milliseconds since the epoch.
   */
  sinkArrivals(): Promise<Map<string, number>>;
  /** Drops the schema, the sink's table and every key under the prefix. */
  cleanup(): Promise<void>;
}

/** Checks both servers answer, with a message that says which one to start when one does not. */
export async function openBenchServices(purpose: string): Promise<BenchServices> {
  const suffix = randomBytes(4).toString("hex");
  const schema = `claypipe_bench_${purpose}_${suffix}`;
  const prefix = `claypipe-bench-${purpose}-${suffix}`;
  const db = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await db.connect();
  } catch (error) {
    throw new Error(
      `the queue benchmarks need PostgreSQL at ${DATABASE_URL} (${(error as Error).message}); start it, or set DATABASE_URL`,
    );
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    await db.end();
    throw new Error(
      `the queue benchmarks need Redis at ${REDIS_URL} (${(error as Error).message}); start it, or set REDIS_URL`,
    );
  }
  const sinkTable = `${schema}_sink`.toLowerCase();
  return {
    schema,
    prefix,
    sinkTable,
    async leadStates() {
      const { rows } = await db.query<{ state: string; count: string }>(
        `SELECT state, count(*) FROM "${schema}".leads GROUP BY state`,
      );
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
    },
    async sinkArrivals() {
      const { rows } = await db.query<{ email: string; at: number }>(
        `SELECT email, extract(epoch FROM updated_at) * 1000 AS at FROM "${sinkTable}"`,
      );
      return new Map(rows.map((row) => [row.email, Number(row.at)]));
    },
    async cleanup() {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.query(`DROP TABLE IF EXISTS "${sinkTable}"`);
      await db.end();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** `count` leads that are all different people; `tag` keeps runs apart. */
export function benchLeads(count: number, tag: string): Array<Record<string, string>> {
  return Array.from({ length: count }, (_, i) => ({
    email: `bench-${tag}-${i}@example.com`,
    first_name: "Ada",
    last_name: `Lovelace${i}`,
    company: "Acme Analytics",
    domain: "acme-analytics.example",
  }));
}

/** Calls `send` with batches of `size` items, `parallel` of them in flight at a time. */
export async function inBatches<T>(
  items: readonly T[],
  size: number,
  parallel: number,
  send: (batch: T[]) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const batch = items.slice(next, next + size);
        next += size;
        await send(batch);
      }
    }),
  );
}

/** `promise`, or an error saying `what` when it takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether Redis keeps an append-only file: what raw BullMQ's jobs survive. */
export async function redisPersistence(): Promise<string> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const [, appendonly] = (await redis.config("GET", "appendonly")) as string[];
    const [, fsync] = (await redis.config("GET", "appendfsync")) as string[];
    return appendonly === "yes" ? `Redis AOF on, fsync ${fsync}` : "Redis without AOF";
  } catch {
    return "Redis persistence unknown (CONFIG GET refused)";
  } finally {
    redis.disconnect();
  }
}
