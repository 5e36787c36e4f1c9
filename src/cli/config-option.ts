/** The --config option every pipeline command shares, and the logger it implies. */
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfigFile } from "../config/load-config.js";
import type { ClaypipeConfig } from "../config/schema.js";
import { createLogger, type Logger } from "../logging/create-logger.js";

export function withConfigOption(command: Command): Command {
  return command.option("-c, --config <file>", "pipeline config", DEFAULT_CONFIG_FILE);
}

export function loadCommandConfig(options: { config: string }): {
  config: ClaypipeConfig;
  logger: Logger;
} {
  const config = loadConfigFile(options.config);
  return { config, logger: createLogger(config.logLevel) };
}

/** An AbortSignal that fires on Ctrl-C; a second Ctrl-C exits at once. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => {
    process.stderr.write("\nstopping after the rows in flight (Ctrl-C again to quit now)\n");
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  return controller.signal;
}
