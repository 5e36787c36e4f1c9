/**
 * The Redis circuit breaker (queue tier) against the breaker contract, and
 * shared: two breakers on one key (two workers) see one state and one probe.
 */
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisCircuitBreaker } from "../../../src/clay/breaker/redis-circuit-breaker.js";
import { configSchema } from "../../../src/config/schema.js";
import { connectRedis, deleteKeys, uniquePrefix } from "../fixtures/redis-server.js";
import { ManualClock } from "../manual-clock.js";
import { breakerContract } from "./breaker-contract.js";

const prefix = uniquePrefix("breaker");
let redis: Redis;
let workspaces = 0;

beforeAll(async () => {
  redis = await connectRedis();
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

breakerContract("RedisCircuitBreaker", async ({ config, clock, logger }) => {
  workspaces += 1;
  return new RedisCircuitBreaker({
    config,
    clock,
    logger,
    workspace: `ws${workspaces}`,
    redis,
    prefix,
  });
});

describe("RedisCircuitBreaker shared by workers", () => {
  it("opens for every worker on their joint failures and lets one probe out of all of them", async () => {
    const config = configSchema.parse({
      clay: {
        workspaces: [
          { name: "ws", tables: [{ name: "t", webhooks: [{ url: "https://x.test/h" }] }] },
        ],
      },
      breaker: { failureRate: 0.5, minRequests: 4, openFor: "30s" },
    }).breaker;
    const clock = new ManualClock();
    const workers = [1, 2, 3].map(
      () => new RedisCircuitBreaker({ config, clock, workspace: "shared", redis, prefix }),
    );
    // Two failures each from two workers: four in the window between them.
    for (const worker of [workers[0]!, workers[1]!, workers[0]!, workers[1]!]) {
      await worker.record(false);
    }
    for (const worker of workers) expect(await worker.state()).toBe("open");
    await clock.advance(30_000);
    const gates = await Promise.all(workers.map((worker) => worker.allow()));
    expect(gates.filter((gate) => gate.allowed)).toHaveLength(1);
    await workers[2]!.record(true);
    for (const worker of workers) expect(await worker.state()).toBe("closed");
  });
});
