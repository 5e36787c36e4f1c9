/**
 * `claypipe start [--role api|worker|all]`: the pipeline as a service. The
 * standard tier is one process doing everything; the queue tier splits into
 * an API process (intake and Clay's callbacks over HTTP) and any number of
 * workers (sending, routing, sinks), or runs both in one process (all).
 */
import type { Command } from "commander";
import { ClaypipeError } from "../../core/errors.js";
import { createServer } from "../../server/load-server.js";
import { createPipeline } from "../../tiers/create-pipeline.js";
import type { PipelineRole } from "../../tiers/queue/create-queue-pipeline.js";
import { loadCommandConfig, withConfigOption } from "../config-option.js";
import { onOutputClosed, say } from "../output.js";

const ROLES: readonly PipelineRole[] = ["api", "worker", "all"];

export function registerStart(program: Command): void {
  withConfigOption(
    program
      .command("start")
      .description(
        "run the pipeline service: intake API, callback receiver, sender, router, sinks (queue and event tiers: one role per process)",
      )
      .option(
        "--role <role>",
        "queue and event tiers: api (HTTP intake and callbacks), worker (sends and delivers), or all",
        "all",
      ),
  ).action(async (options: { config: string; role: string }) => {
    const role = parseRole(options.role);
    // An API process never delivers: the variables of workers' sinks need not be set for it.
    const { config, logger } = loadCommandConfig(
      options,
      role === "api" ? { sinkVariables: "deferred" } : {},
    );
    if (config.tier === "direct") {
      throw new ClaypipeError("config_invalid", "the direct tier has no service to start", {
        hint: "use `claypipe send <file>` for the direct tier, or set `tier: standard` to run the service",
      });
    }
    const pipeline = await createPipeline(config, { logger, role });
    const server = role === "worker" ? undefined : await createServer({ pipeline, config, logger });
    // Handlers before the ready line: a supervisor may signal as soon as it reads it.
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, role }, "stopping: no new work, finishing what is in flight");
      await server?.close();
      await pipeline.stop();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    // The port first: a process that cannot serve must not send, recover or deliver either
    // (a second `start` on the same config would run a headless duplicate pipeline). The
    // store's owner before both: a refused second start must not say it is listening.
    let url: string | undefined;
    try {
      await pipeline.claimOwnership();
      url = await server?.listen();
      await pipeline.start();
    } catch (error) {
      await server?.close();
      await pipeline.stop();
      throw error;
    }
    if (url) {
      say(
        `claypipe ${config.tier} tier (${role}) listening on ${url} (callbacks at ${config.callbacks?.baseUrl}/v1/callbacks/clay/…)`,
      );
    } else {
      say(`claypipe ${config.tier} tier worker started: sending leads from the queue`);
    }
    onOutputClosed(() => void stop("output closed"));
  });
}

function parseRole(value: string): PipelineRole {
  const role = ROLES.find((candidate) => candidate === value);
  if (role) return role;
  throw new ClaypipeError("input_invalid", `--role ${value} is not a role`, {
    hint: `use one of: ${ROLES.join(", ")}`,
  });
}
