/** Commands that belong to one tier say so, instead of running beside the service and drifting from its counters. */
import type { ClaypipeConfig } from "../config/schema.js";
import { ClaypipeError } from "../core/errors.js";

export function requireDirectTier(config: ClaypipeConfig, command: string): void {
  if (config.tier === "direct") return;
  throw new ClaypipeError(
    "config_invalid",
    `\`claypipe ${command}\` is the direct tier's command; this config runs the ${config.tier} tier`,
    {
      hint: "give leads to the service, whose store counts Clay's webhook and table limits: `claypipe import <file> --source <name>` for a file, or POST /v1/leads (pipeline.submit in the library), while `claypipe start` runs",
    },
  );
}
