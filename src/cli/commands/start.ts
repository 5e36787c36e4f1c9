/** `claypipe start`: the standard tier as one service — intake, receiver, sender, router and sinks. */
import type { Command } from "commander";
import { ClaypipeError } from "../../core/errors.js";
import { createPipeline } from "../../pipeline/create-pipeline.js";
import { createServer } from "../../server/create-server.js";
import { loadCommandConfig, withConfigOption } from "../config-option.js";
import { say } from "../output.js";

export function registerStart(program: Command): void {
  withConfigOption(
    program
      .command("start")
      .description(
        "run the pipeline service (standard tier): intake API, callback receiver, sender, router, sinks",
      ),
  ).action(async (options: { config: string }) => {
    const { config, logger } = loadCommandConfig(options);
    if (config.tier === "direct") {
      throw new ClaypipeError("config_invalid", "the direct tier has no service to start", {
        hint: "use `claypipe send <file>` for the direct tier, or set `tier: standard` to run the service",
      });
    }
    const pipeline = await createPipeline(config, { logger });
    const server = createServer({ pipeline, config, logger });
    await pipeline.start();
    const url = await server.listen();
    say(
      `claypipe ${config.tier} tier listening on ${url} (callbacks at ${config.callbacks?.baseUrl}/v1/callbacks/clay/…)`,
    );

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping: no new work, finishing what is in flight");
      await server.close();
      await pipeline.stop();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
  });
}
