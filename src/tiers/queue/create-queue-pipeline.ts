/**
 * The queue tier: the PostgreSQL store shared by an API process and any number
 * of workers on any machines, BullMQ on Redis between them, and each
 * workspace's rate limits (webhooks, and the public API reconcile uses) and
 * circuit breaker kept in Redis so all workers together keep them. Credit caps
 * and webhook/table counters are exact across workers through the store.
 */

import { RedisCircuitBreaker } from "../../clay/breaker/redis-circuit-breaker.js";
import { publicApiRateOptions } from "../../clay/public-api-client.js";
import { RedisRateLimiter } from "../../clay/rate-limit/redis-rate-limiter.js";
import type { ClaypipeConfig, PostgresStoreConfig, QueueConfig } from "../../config/schema.js";
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../logging/create-logger.js";
import { assemblePipeline, type PipelineOptions } from "../../pipeline/assemble-pipeline.js";
import type { Pipeline } from "../../pipeline/pipeline-api.js";
import { createPostgresStore } from "../../store/postgres/index.js";
import { createBullmqTransport } from "../../transport/bullmq/bullmq-transport.js";
import { publicApiRateKey, rateKey } from "../../transport/bullmq/queue-names.js";

/** What this process does: take leads in (api), send and process them (worker), or both (all). */
export type PipelineRole = "api" | "worker" | "all";

export async function createQueuePipeline(
  config: ClaypipeConfig,
  options: PipelineOptions & { role?: PipelineRole } = {},
): Promise<Pipeline> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const role = options.role ?? "all";
  // check-config has made sure both are there for tier: queue.
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
  return assemblePipeline(config, options, {
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
    createTransport: () =>
      createBullmqTransport({ config, store, clock, logger }, { feed: true, work: role !== "api" }),
    runsServices: role !== "api",
    async closeParts() {
      await Promise.all([...limiters, ...breakers].map((part) => part.close()));
    },
  });
}
