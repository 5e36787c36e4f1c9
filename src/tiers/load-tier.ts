/**
 * The library entry's tier constructors: each loads its tier (and that tier's
 * backend: SQLite, or BullMQ and PostgreSQL) on the first call, so importing
 * claypipe for one tier never loads another's.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import type { PipelineOptions } from "../pipeline/assemble-pipeline.js";
import type { Pipeline } from "../pipeline/pipeline-api.js";
import type { PipelineRole } from "./pipeline-role.js";

export async function createStandardPipeline(
  config: ClaypipeConfig,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  return (await import("./standard/create-standard-pipeline.js")).createStandardPipeline(
    config,
    options,
  );
}

export async function createQueuePipeline(
  config: ClaypipeConfig,
  options: PipelineOptions & { role?: PipelineRole } = {},
): Promise<Pipeline> {
  return (await import("./queue/create-queue-pipeline.js")).createQueuePipeline(config, options);
}
