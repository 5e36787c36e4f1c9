/**
 * `claypipe start [--role <role>]`: the pipeline as a service. The standard
 * tier is one process doing everything; the queue tier splits into an API
 * process (intake and Clay's callbacks over HTTP) and any number of workers
 * (sending, routing, sinks); the event tier into intake, enricher, receiver
 * and router services (tiers/pipeline-role.ts). `all` runs every duty in one.
 * A process without the API answers the probes (/healthz, /readyz, /metrics)
 * on `server.opsPort` when it is set.
 */
import type { Command } from "commander";
import { ClaypipeError } from "../../core/errors.js";
import { createServer } from "../../server/load-server.js";
import { createPipeline } from "../../tiers/create-pipeline.js";
import { dutiesOf, type PipelineRole, parseRole, servesHttp } from "../../tiers/pipeline-role.js";
import { loadCommandConfig, withConfigOption } from "../config-option.js";
import { onOutputClosed, say } from "../output.js";

export function registerStart(program: Command): void {
  withConfigOption(
    program
      .command("start")
      .description(
        "run the pipeline service: intake API, callback receiver, sender, router, sinks (queue and event tiers: one role per process)",
      )
      .option(
        "--role <role>",
        "queue and event tiers: api (HTTP intake and callbacks), worker (sends and delivers), or all; " +
          "the event tier also intake, enricher, receiver or router",
        "all",
      ),
  ).action(async (options: { config: string; role: string }) => {
    // Only a process that routes delivers: the variables of routers' sinks need not be set elsewhere.
    // A role no tier has is said before the config, whose variables may not be set yet.
    parseRole(options.role, "event");
    const sinkVariables = ["api", "intake", "enricher", "receiver"].includes(options.role);
    const { config, logger } = await loadCommandConfig(
      options,
      sinkVariables ? { sinkVariables: "deferred" } : {},
    );
    const role = parseRole(options.role, config.tier);
    if (config.tier === "direct") {
      throw new ClaypipeError("config_invalid", "the direct tier has no service to start", {
        hint: "use `claypipe send <file>` for the direct tier, or set `tier: standard` to run the service",
      });
    }
    const pipeline = await createPipeline(config, { logger, role });
    const duties = dutiesOf(role);
    const server = servesHttp(role)
      ? await createServer({ pipeline, config, logger, serves: duties })
      : config.server.opsPort !== undefined
        ? await createServer({ pipeline, config, logger, serves: PROBES_ONLY, portKey: "opsPort" })
        : undefined;
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
      await pipeline.start(url ? { opsUrl: url } : {});
    } catch (error) {
      await server?.close();
      await pipeline.stop();
      throw error;
    }
    if (url && servesHttp(role)) {
      const callbacks = duties.callbacks
        ? ` (callbacks at ${config.callbacks?.baseUrl}/v1/callbacks/clay/…)`
        : "";
      say(`claypipe ${config.tier} tier (${role}) listening on ${url}${callbacks}`);
    } else {
      const probes = url ? ` (health and metrics on ${url})` : "";
      say(`claypipe ${config.tier} tier ${role} started: ${describeWork(role)}${probes}`);
    }
    onOutputClosed(() => void stop("output closed"));
  });
}

const PROBES_ONLY = { intake: false, callbacks: false, admin: false };

function describeWork(role: PipelineRole): string {
  const { send, route } = dutiesOf(role);
  if (send && route) return "sending leads and delivering results";
  return send ? "sending leads to Clay" : "delivering results to the sinks";
}
