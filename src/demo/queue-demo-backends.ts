/**
 * What the queue-tier demo runs on: the PostgreSQL and Redis of this machine
 * (DATABASE_URL and REDIS_URL, or the local defaults), with a schema and a key
 * prefix of the demo's own that are removed when it ends.
 */
import { randomBytes } from "node:crypto";
import { ClaypipeError } from "../core/errors.js";

export interface QueueDemoBackends {
  databaseUrl: string;
  redisUrl: string;
  schema: string;
  prefix: string;
  /** Drops the demo's schema and Redis keys. */
  remove(): Promise<void>;
}

const HINT =
  "the queue demo needs PostgreSQL and Redis: start them, or set DATABASE_URL and REDIS_URL (`claypipe demo` alone runs the standard tier, which needs neither)";

export async function openQueueDemoBackends(
  env: NodeJS.ProcessEnv = process.env,
): Promise<QueueDemoBackends> {
  const databaseUrl = env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const redisUrl = env.REDIS_URL || "redis://127.0.0.1:6379";
  const tag = randomBytes(4).toString("hex");
  const schema = `claypipe_demo_${tag}`;
  const prefix = `claypipe-demo-${tag}`;
  const { default: pg } = await import("pg");
  const { Redis } = await import("ioredis");
  const database = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await database.connect();
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    await database.end().catch(() => undefined);
    throw new ClaypipeError(
      "state_unavailable",
      `cannot reach PostgreSQL at ${redact(databaseUrl)} or Redis at ${redact(redisUrl)}`,
      { hint: HINT, cause: error },
    );
  }
  return {
    databaseUrl,
    redisUrl,
    schema,
    prefix,
    async remove() {
      await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await database.end().catch(() => undefined);
      const keys = await redis.keys(`${prefix}*`).catch(() => []);
      if (keys.length > 0) await redis.del(...keys).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** A URL as it may be shown: without its password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparseable URL)";
  }
}
