/**
 * A short Redis lock, so one feeder at a time tops up a workspace's queue
 * (several would each see the same free places and overfill it). It expires by
 * itself if its holder dies; only the holder's token can release it.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { RedisScript } from "../../redis/redis-script.js";

const RELEASE = new RedisScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
`);

/** Runs `work` under the lock at `key`; resolves with undefined, without running it, when another holds it. */
export async function withFeedLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const token = randomUUID();
  if ((await redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") return undefined;
  try {
    return await work();
  } finally {
    await RELEASE.run(redis, [key], [token]).catch(() => undefined);
  }
}
