/**
 * What the tiers whose processes share one store (queue, event) have in
 * common: the PostgreSQL store, and each workspace's rate limits (webhooks,
 * and the public API reconcile uses) and circuit breaker kept in Redis, so all
 * workers together keep them. Credit caps and webhook/table counters are exact
 * across workers through the store.
 */
import { RedisCircuitBreaker } from "../../clay/breaker/redis-circuit-breaker.js";
import { publicApiRateOptions } from "../../clay/public-api-client.js";
import { RedisRateLimiter } from "../../clay/rate-limit/redis-rate-limiter.js";
import type { ClaypipeConfig, PostgresStoreConfig, QueueConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../logging/create-logger.js";
import type { TierParts } from "../../pipeline/assemble-pipeline.js";
import { createPostgresStore } from "../../store/postgres/index.js";

export type SharedStoreParts = Pick<
  TierParts,
  "store" | "limiterFor" | "publicApiLimiterFor" | "breakerFor" | "closeParts"
>;

/** The shared rate limit of a workspace. */
export function rateKey(prefix: string, workspace: string): string {
  return `${prefix}:rate:${workspace}`;
}

/** The shared public-API rate of a workspace (reconcile in every worker). */
export function publicApiRateKey(prefix: string, workspace: string): string {
  return `${prefix}:public-api-rate:${workspace}`;
}

export async function openSharedStoreParts(
  config: ClaypipeConfig,
  deps: { clock: Clock; logger: Logger },
): Promise<SharedStoreParts> {
  const { clock, logger } = deps;
  // check-config has made sure both are there for the queue and event tiers.
  const postgres = config.store.postgres as PostgresStoreConfig;
  const queue = config.queue as QueueConfig;
  const redis = { url: queue.redis.connectionString };
  const store = await createPostgresStore({
    connectionString: postgres.connectionString,
    schema: postgres.schema,
    poolSize: postgres.poolSize,
    clock,
  });
  const limiters: RedisRateLimiter[] = [];
  const breakers: RedisCircuitBreaker[] = [];
  return {
    store,
    limiterFor(workspace) {
      const limiter = new RedisRateLimiter({
        redis,
        key: rateKey(queue.prefix, workspace.name),
        rateLimit: workspace.rateLimit,
        burstHeadroom: config.sender.burstHeadroom,
        clock,
      });
      limiters.push(limiter);
      return limiter;
    },
    publicApiLimiterFor(workspace) {
      const limiter = new RedisRateLimiter({
        redis,
        key: publicApiRateKey(queue.prefix, workspace.name),
        ...publicApiRateOptions(workspace.publicApi),
        clock,
      });
      limiters.push(limiter);
      return limiter;
    },
    breakerFor(workspace) {
      const breaker = new RedisCircuitBreaker({
        config: config.breaker,
        clock,
        workspace: workspace.name,
        redis,
        prefix: queue.prefix,
        logger,
      });
      breakers.push(breaker);
      return breaker;
    },
    async closeParts() {
      await Promise.all([...limiters, ...breakers].map((part) => part.close()));
    },
  };
}
