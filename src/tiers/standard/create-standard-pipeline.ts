/**
 * The standard tier: one process, the SQLite store as the durable outbox and
 * inbox, the workspace rate limits and breakers in memory, and the embedded
 * transport claiming due leads from the store.
 */

import { CircuitBreaker } from "../../clay/breaker/circuit-breaker.js";
import { LocalRateLimiter } from "../../clay/rate-limit/local-rate-limiter.js";
import type { ClaypipeConfig } from "../../config/schema.js";
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../logging/create-logger.js";
import { assemblePipeline, type PipelineOptions } from "../../pipeline/assemble-pipeline.js";
import type { Pipeline } from "../../pipeline/pipeline-api.js";
import { createSqliteStore } from "../../store/sqlite/index.js";
import { createEmbeddedTransport } from "../../transport/embedded/embedded-transport.js";

export async function createStandardPipeline(
  config: ClaypipeConfig,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const store = await createSqliteStore({ path: config.store.sqlite.path, clock });
  return assemblePipeline(config, options, {
    store,
    role: "all",
    limiterFor: (workspace) =>
      new LocalRateLimiter({
        rateLimit: workspace.rateLimit,
        burstHeadroom: config.sender.burstHeadroom,
        clock,
      }),
    breakerFor: (workspace) =>
      new CircuitBreaker({ config: config.breaker, clock, workspace: workspace.name, logger }),
    createTransport: async () =>
      createEmbeddedTransport({
        leads: store.leads,
        clock,
        logger,
        concurrency: config.sender.concurrency,
      }),
    runs: { send: true, route: true },
    closeParts: async () => {},
  });
}
