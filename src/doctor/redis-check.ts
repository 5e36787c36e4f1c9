/**
 * The queue tier's Redis (BullMQ, shared rate limits and breakers), reached
 * once: its version from `INFO server`, and its eviction policy, since BullMQ
 * loses jobs when Redis may evict keys.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import { importBackend } from "../core/import-backend.js";
import { shownAddress } from "./addresses.js";
import { type DoctorCheck, error, ok, warning } from "./doctor-report.js";
import type { Probe } from "./probe.js";
import { unsetSecret } from "./unset-secret.js";

const KEY = "queue.redis.connectionString";

export function redisProbes(config: ClaypipeConfig, timeoutMs: number): Probe[] {
  if (!config.queue) return [];
  const { connectionString } = config.queue.redis;
  const address = shownAddress(connectionString);
  return [
    {
      group: "queue",
      name: "queue.redis",
      address,
      hint: `start Redis, or fix the host and port in ${KEY}`,
      async run(signal): Promise<DoctorCheck[]> {
        const unset = unsetSecret("queue", "queue.redis", connectionString, KEY);
        if (unset) return [unset];
        const { Redis } = await importBackend("ioredis", "the queue tier", () => import("ioredis"));
        const redis = new Redis(connectionString, {
          lazyConnect: true,
          connectTimeout: timeoutMs,
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          retryStrategy: () => null,
        });
        let lastError: string | undefined;
        redis.on("error", (thrown: Error) => {
          lastError = thrown.message;
        });
        signal.addEventListener("abort", () => redis.disconnect(), { once: true });
        try {
          await redis.connect();
          const server = parseInfo(await redis.info("server"));
          const memory = parseInfo(await redis.info("memory"));
          const found = `Redis ${server.redis_version ?? "(version unknown)"} at ${address}`;
          const policy = memory.maxmemory_policy;
          if (policy !== undefined && policy !== "noeviction") {
            return [
              warning(
                "queue",
                "queue.redis",
                `${found}; maxmemory-policy is ${policy}`,
                "set maxmemory-policy noeviction: BullMQ loses queued jobs when Redis evicts keys",
              ),
            ];
          }
          return [ok("queue", "queue.redis", found)];
        } catch (thrown) {
          return [
            error(
              "queue",
              "queue.redis",
              `cannot use Redis at ${address}: ${lastError ?? (thrown as Error).message}`,
              /NOAUTH|WRONGPASS|invalid password/i.test(lastError ?? (thrown as Error).message)
                ? `check the password in ${KEY}`
                : `start Redis, or fix the host and port in ${KEY}`,
            ),
          ];
        } finally {
          redis.disconnect();
        }
      },
    },
  ];
}

function parseInfo(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes(":") && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
  );
}
