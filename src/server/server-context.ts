/** What every route group is given: the pipeline it fronts, the config, the logger and the metrics. */
import type { ClaypipeConfig } from "../config/schema.js";
import type { Logger } from "../logging/create-logger.js";
import type { Pipeline } from "../pipeline/pipeline-api.js";
import type { ServerMetrics } from "./server-metrics.js";

export interface ServerContext {
  readonly pipeline: Pipeline;
  readonly config: ClaypipeConfig;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
}
