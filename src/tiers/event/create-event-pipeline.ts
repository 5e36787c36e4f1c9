/**
 * The event tier: the queue tier's shared PostgreSQL store and Redis limits,
 * with a message bus (NATS JetStream or Kafka) carrying leads from the
 * processes that take them in to any number of enrichers.
 */
import { openBus } from "../../bus/open-bus.js";
import type { ClaypipeConfig } from "../../config/schema.js";
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../logging/create-logger.js";
import { assemblePipeline, type PipelineOptions } from "../../pipeline/assemble-pipeline.js";
import type { Pipeline } from "../../pipeline/pipeline-api.js";
import { createBusTransport } from "../../transport/bus/bus-transport.js";
import { openSharedStoreParts, type PipelineRole } from "../shared/shared-store-parts.js";

export async function createEventPipeline(
  config: ClaypipeConfig,
  options: PipelineOptions & { role?: PipelineRole } = {},
): Promise<Pipeline> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const role = options.role ?? "all";
  const shared = await openSharedStoreParts(config, { clock, logger });
  return assemblePipeline(config, options, {
    ...shared,
    async createTransport() {
      // check-config has made sure the event tier has a bus.
      const bus = await openBus(config.bus as NonNullable<ClaypipeConfig["bus"]>, { logger });
      return createBusTransport({
        config,
        store: shared.store,
        clock,
        logger,
        bus,
        role: { feed: true, work: role !== "api" },
      });
    },
    runsServices: role !== "api",
  });
}
