/**
 * Opening and closing a Redis connection from the config's connection string;
 * ioredis reconnects by itself after an outage. A blocking connection (a
 * BullMQ worker's) waits on Redis through a restart (`maxRetriesPerRequest:
 * null`, as BullMQ requires); any other fails its commands after a few tries,
 * so its caller logs the outage, backs off, and can always stop.
 */
import type { Redis } from "ioredis";
import { importBackend } from "../core/import-backend.js";
import type { Logger } from "../logging/create-logger.js";

export interface OpenRedisOptions {
  logger: Logger;
  /** What the connection is for, in logs ("worker", "feeder", "rate limit"). */
  purpose: string;
  /** Waits through outages instead of failing commands (BullMQ workers). @defaultValue false */
  blocking?: boolean;
}

export async function openRedis(
  connectionString: string,
  options: OpenRedisOptions,
): Promise<Redis> {
  const { logger, purpose } = options;
  const { Redis } = await importBackend("ioredis", "Redis", () => import("ioredis"));
  const redis = new Redis(connectionString, {
    maxRetriesPerRequest: options.blocking ? null : 2,
  });
  let down = false;
  // Said once per outage, not once per reconnect attempt.
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { purpose, err: error.message },
      "Redis is unreachable: the queue waits and reconnects by itself",
    );
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info({ purpose }, "Redis is back: the queue goes on");
  });
  return redis;
}

/** Closes a connection whether or not Redis is reachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
