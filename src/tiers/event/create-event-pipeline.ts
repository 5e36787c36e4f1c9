/**
 * The event tier: the queue tier's shared PostgreSQL store and Redis limits,
 * with a message bus (NATS JetStream or Kafka) between its services, each a
 * role of `claypipe start` (pipeline-role.ts): intake feeds leads to the
 * incoming topic, enrichers consume it and send to Clay, the receiver puts
 * Clay's callbacks on the results topic, routers consume that and deliver.
 */
import { openBus } from "../../bus/open-bus.js";
import type { BusConfig } from "../../config/bus-schema.js";
import type { ClaypipeConfig } from "../../config/schema.js";
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../logging/create-logger.js";
import { assemblePipeline, type PipelineOptions } from "../../pipeline/assemble-pipeline.js";
import type { Pipeline } from "../../pipeline/pipeline-api.js";
import { createBusTransport } from "../../transport/bus/bus-transport.js";
import { dutiesOf, type PipelineRole } from "../pipeline-role.js";
import { openSharedStoreParts } from "../shared/shared-store-parts.js";
import { publishLeadEvents } from "./lead-events-topic.js";
import { announceResults, followResults } from "./results-topic.js";

export async function createEventPipeline(
  config: ClaypipeConfig,
  options: PipelineOptions & { role?: PipelineRole } = {},
): Promise<Pipeline> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const role = options.role ?? "all";
  const duties = dutiesOf(role);
  // check-config has made sure the event tier has a bus.
  const busConfig = config.bus as BusConfig;
  const shared = await openSharedStoreParts(config, { clock, logger });
  let bus: Awaited<ReturnType<typeof openBus>>;
  try {
    bus = await openBus(busConfig, { logger });
  } catch (error) {
    await shared.closeParts();
    await shared.store.close();
    throw error;
  }
  const topicsOfRole = [
    ...(duties.callbacks || duties.route ? [busConfig.topics.enriched] : []),
    ...(duties.route ? [busConfig.topics.leadEvents] : []),
    busConfig.topics.deadLetters,
  ];
  // PostgreSQL, the event tier's store, keeps the feed; routers publish it, one at a time.
  const feed = shared.store.transitionFeed?.(busConfig.topics.leadEvents);
  return assemblePipeline(config, options, {
    ...shared,
    role,
    async createTransport() {
      await bus.ensureTopics(topicsOfRole);
      // The transport closes the bus, after the services that publish through it have stopped.
      return createBusTransport({
        config,
        store: shared.store,
        clock,
        logger,
        bus,
        role: { feed: duties.feed, work: duties.send },
      });
    },
    runs: duties,
    ...(duties.callbacks ? { announceResults: announceResults(bus, busConfig) } : {}),
    ...(duties.route ? { followResults: followResults(bus, busConfig, clock) } : {}),
    loops: feed ? [publishLeadEvents(bus, busConfig, feed)] : [],
    busLag: () => bus.lag(busConfig.topics.enriched, busConfig.routerGroup),
  });
}
