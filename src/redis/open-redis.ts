/**
 * Redis connections for BullMQ, opened from the config's connection string;
 * ioredis reconnects by itself after an outage. A worker's connection blocks
 * on Redis and waits through a restart (`maxRetriesPerRequest: null`, as
 * BullMQ requires); the feeder's commands fail after a few tries instead, so
 * its loop logs the outage, backs off, and can always stop.
 */
import type { Redis } from "ioredis";
import { importBackend } from "../core/import-backend.js";
import type { Logger } from "../logging/create-logger.js";

export async function openQueueConnection(
  connectionString: string,
  options: { logger: Logger; purpose: "worker" | "feeder" },
): Promise<Redis> {
  const { logger, purpose } = options;
  const { Redis } = await importBackend("ioredis", "the queue tier", () => import("ioredis"));
  const redis = new Redis(connectionString, {
    maxRetriesPerRequest: purpose === "worker" ? null : 2,
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
export async function closeQueueConnection(redis: Redis): Promise<void> {
  if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
