/** The --config option every pipeline command shares, and the logger it implies. */
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, UNUSED_SECRETS } from "../config/config-defaults.js";
import type { ParseConfigOptions } from "../config/load-config.js";
import type { ClaypipeConfig } from "../config/schema.js";
import type { Logger } from "../logging/create-logger.js";
import { onOutputClosed, warn } from "./output.js";

export function withConfigOption(command: Command): Command {
  return command.option("-c, --config <file>", "pipeline config", DEFAULT_CONFIG_FILE);
}

/**
 * What a command that only reads or moves what the store holds (status, dlq,
 * leads, import, the emulator) may run without: variables only sinks use, and
 * the secrets it never uses (it serves no HTTP, signs no callback, calls no
 * public API). So a per-worker `${WORKER_NAME}` or an unset callback secret
 * never stops `status`.
 */
export const READ_ONLY: ParseConfigOptions = {
  sinkVariables: "deferred",
  unusedSecrets: UNUSED_SECRETS,
};

/**
 * Loads the config as `load` says; `start` and `send` pass what they need set.
 * The loader (YAML, the schema) and the logger are imported here, when a
 * command runs, so `--help` loads neither.
 */
export async function loadCommandConfig(
  options: { config: string },
  load: ParseConfigOptions = READ_ONLY,
): Promise<{
  config: ClaypipeConfig;
  logger: Logger;
}> {
  const { loadConfigFile } = await import("../config/load-config.js");
  const { createLogger } = await import("../logging/create-logger.js");
  const config = loadConfigFile(options.config, load);
  return { config, logger: createLogger(config.logLevel) };
}

/**
 * An AbortSignal that fires on Ctrl-C or SIGTERM (a service manager's stop),
 * or when our output pipe closes (its reader went away): the command finishes
 * what is in flight and cleans up. A second signal exits at once.
 */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => {
    warn("\nstopping after the rows in flight (Ctrl-C again to quit now)");
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  process.once("SIGTERM", () => {
    controller.abort();
    process.once("SIGTERM", () => process.exit(143));
  });
  onOutputClosed(() => controller.abort());
  return controller.signal;
}
