/** The --config option every pipeline command shares, and the logger it implies. */
import type { Command } from "commander";
import {
  DEFAULT_CONFIG_FILE,
  loadConfigFile,
  type ParseConfigOptions,
} from "../config/load-config.js";
import type { ClaypipeConfig } from "../config/schema.js";
import { createLogger, type Logger } from "../logging/create-logger.js";
import { onOutputClosed, warn } from "./output.js";

export function withConfigOption(command: Command): Command {
  return command.option("-c, --config <file>", "pipeline config", DEFAULT_CONFIG_FILE);
}

/**
 * Only `start` delivers to sinks (as worker or all): every other command loads
 * the config with variables only sinks use left unresolved when unset, so a
 * per-worker `${WORKER_NAME}` never stops `status` or `dlq`.
 */
export function loadCommandConfig(
  options: { config: string },
  sinkVariables: ParseConfigOptions["sinkVariables"] = "deferred",
): {
  config: ClaypipeConfig;
  logger: Logger;
} {
  const config = loadConfigFile(options.config, { sinkVariables });
  return { config, logger: createLogger(config.logLevel) };
}

/**
 * An AbortSignal that fires on Ctrl-C, or when our output pipe closes (its
 * reader went away); a second Ctrl-C exits at once.
 */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => {
    warn("\nstopping after the rows in flight (Ctrl-C again to quit now)");
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  onOutputClosed(() => controller.abort());
  return controller.signal;
}
