/** Commands that belong to one tier say so, instead of running beside the service and drifting from its counters. */
import type { ClaypipeConfig } from "../config/schema.js";
import { ClaypipeError } from "../core/errors.js";

export function requireDirectTier(config: ClaypipeConfig, command: string): void {
  if (config.tier === "direct") return;
  throw new ClaypipeError(
    "config_invalid",
    `\`claypipe ${command}\` is the direct tier's command; this config runs the ${config.tier} tier`,
    {
      hint: "send leads to the running service (POST /v1/leads, or pipeline.submit in the library), whose store counts Clay's webhook and table limits",
    },
  );
}
