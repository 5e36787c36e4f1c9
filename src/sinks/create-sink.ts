/**
 * Builds a sink from its config. Each adapter is imported only when a config
 * names it, so a pipeline that writes files never loads a database client.
 */

import type { SinkConfig } from "../config/sink-schema.js";
import type { Sink } from "./sink.js";
import type { SinkDeps } from "./sink-deps.js";

export async function createSink(config: SinkConfig, deps: SinkDeps = {}): Promise<Sink> {
  switch (config.type) {
    case "webhook":
      return (await import("./webhook/webhook-sink.js")).createWebhookSink(config, deps);
    case "file":
      return (await import("./file/file-sink.js")).createFileSink(config, deps);
    case "postgres":
      return (await import("./postgres/postgres-sink.js")).createPostgresSink(config, deps);
    case "hubspot":
      return (await import("./hubspot/hubspot-sink.js")).createHubspotSink(config, deps);
    case "salesforce":
      return (await import("./salesforce/salesforce-sink.js")).createSalesforceSink(config, deps);
    case "bus":
      return (await import("./bus/bus-sink.js")).createBusSink(config, deps);
    case "instantly":
      return (await import("./instantly/instantly-sink.js")).createInstantlySink(config, deps);
    case "smartlead":
      return (await import("./smartlead/smartlead-sink.js")).createSmartleadSink(config, deps);
    case "hubspot-list":
      return (await import("./hubspot-list/hubspot-list-sink.js")).createHubspotListSink(
        config,
        deps,
      );
    case "slack":
      return (await import("./slack/slack-sink.js")).createSlackSink(config, deps);
  }
}
