/**
 * The library's entry: one pipeline definition, the tier picked by config. Each
 * tier's module is loaded when its config names it, so a standard-tier user
 * never loads the queue tier's code, nor the reverse.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import { ClaypipeError } from "../core/errors.js";
import type { PipelineOptions } from "../pipeline/assemble-pipeline.js";
import type { Pipeline } from "../pipeline/pipeline-api.js";
import { type PipelineRole, parseRole } from "./pipeline-role.js";

export interface CreatePipelineOptions extends PipelineOptions {
  /**
   * The queue and event tiers' process role (pipeline-role.ts): "api" takes leads in,
   * "worker" sends and processes them, "all" does both; the event tier also splits into
   * "intake", "enricher", "receiver" and "router". Other tiers run everything in one process.
   * @defaultValue "all"
   */
  role?: PipelineRole;
}

export async function createPipeline(
  config: ClaypipeConfig,
  options: CreatePipelineOptions = {},
): Promise<Pipeline> {
  // A role of the event tier on a queue-tier config is refused here, not half-run.
  if (options.role !== undefined && (config.tier === "queue" || config.tier === "event")) {
    parseRole(options.role, config.tier);
  }
  switch (config.tier) {
    case "event":
      return (await import("./event/create-event-pipeline.js")).createEventPipeline(
        config,
        options,
      );
    case "queue":
      return (await import("./queue/create-queue-pipeline.js")).createQueuePipeline(
        config,
        options,
      );
    case "standard":
      rejectRole(options.role, "the standard tier is one process doing everything");
      return (await import("./standard/create-standard-pipeline.js")).createStandardPipeline(
        config,
        options,
      );
    case "direct":
      rejectRole(options.role, "the direct tier sends from the calling process");
      return (await import("./direct/direct-tier-pipeline.js")).createDirectTierPipeline(
        config,
        options,
      );
  }
}

function rejectRole(role: PipelineRole | undefined, why: string): void {
  if (role === undefined || role === "all") return;
  throw new ClaypipeError("config_invalid", `role "${role}" needs the queue tier: ${why}`, {
    hint: "set tier: queue (with store.postgres and queue.redis), or drop --role",
  });
}
