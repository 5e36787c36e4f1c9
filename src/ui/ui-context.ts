/** What every dashboard view is given. */
import type { ClaypipeConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";
import type { Pipeline } from "../pipeline/pipeline-api.js";
import type { StatusSampler } from "./status-sampler.js";
import type { UiGuard } from "./ui-guard.js";

export interface UiContext {
  readonly pipeline: Pipeline;
  readonly config: ClaypipeConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly sampler: StatusSampler;
  /** Sessions, CSRF and roles: actions take `guard.requireAction(admin)` as their preHandler. */
  readonly guard: UiGuard;
}
