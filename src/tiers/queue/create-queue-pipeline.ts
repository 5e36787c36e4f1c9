/**
 * The queue tier: the PostgreSQL store shared by an API process and any number
 * of workers on any machines, BullMQ on Redis between them, and the shared
 * rate limits and breakers in Redis (../shared/shared-store-parts.ts).
 */
import type { ClaypipeConfig } from "../../config/schema.js";
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../logging/create-logger.js";
import { assemblePipeline, type PipelineOptions } from "../../pipeline/assemble-pipeline.js";
import type { Pipeline } from "../../pipeline/pipeline-api.js";
import { createBullmqTransport } from "../../transport/bullmq/bullmq-transport.js";
import { dutiesOf, type PipelineRole } from "../pipeline-role.js";
import { openSharedStoreParts } from "../shared/shared-store-parts.js";

export async function createQueuePipeline(
  config: ClaypipeConfig,
  options: PipelineOptions & { role?: PipelineRole } = {},
): Promise<Pipeline> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const role = options.role ?? "all";
  const duties = dutiesOf(role);
  const shared = await openSharedStoreParts(config, { clock, logger });
  return assemblePipeline(config, options, {
    ...shared,
    role,
    createTransport: () =>
      createBullmqTransport(
        { config, store: shared.store, clock, logger },
        { feed: duties.feed, work: duties.send },
      ),
    runs: duties,
  });
}
