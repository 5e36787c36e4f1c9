/**
 * Checks that span several keys, after the schema: names are unique, every
 * reference points at something that exists, every route rule compiles, and
 * the tier has what it needs. Problems come back with their key paths.
 */
import { resolve } from "node:path";
import { ClaypipeError } from "../core/errors.js";
import { compileEnrichIf, compileRoutes, RoutesError } from "../routing/index.js";
import { checkRefresh } from "./check-refresh.js";
import { checkSourceIntake } from "./check-source-intake.js";
import type { ConfigProblem } from "./interpolate-env.js";
import { resolveTable } from "./resolve-table.js";
import type { ClaypipeConfig } from "./schema.js";

export function checkConfig(config: ClaypipeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const unique = (path: string, names: string[]) => {
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (seen.has(name))
        problems.push({
          path: `${path}[${i}].name`,
          message: `"${name}" is used twice: names must be unique`,
        });
      seen.add(name);
    });
  };

  unique(
    "clay.workspaces",
    config.clay.workspaces.map((w) => w.name),
  );
  config.clay.workspaces.forEach((workspace, i) => {
    unique(
      `clay.workspaces[${i}].tables`,
      workspace.tables.map((t) => t.name),
    );
  });
  unique(
    "sources",
    config.sources.map((s) => s.name),
  );
  unique(
    "sinks",
    config.sinks.map((s) => s.name),
  );

  config.sources.forEach((source, i) => {
    if (source.table === undefined) return;
    try {
      resolveTable(config, source.table);
    } catch (thrown) {
      const reason =
        thrown instanceof ClaypipeError ? `${thrown.message} (${thrown.hint})` : String(thrown);
      problems.push({ path: `sources[${i}].table`, message: reason });
    }
  });

  problems.push(...checkSourceIntake(config));
  problems.push(...checkRefresh(config));

  if (config.tier === "direct" && config.alerts) {
    problems.push({
      path: "alerts",
      message:
        "the direct tier runs no background checks to alert from: set tier: standard (or higher), or remove alerts",
    });
  }

  if (config.tier !== "direct" && !config.callbacks) {
    problems.push({
      path: "callbacks",
      message: `the ${config.tier} tier receives results by callback: set callbacks.baseUrl (where Clay reaches claypipe) and callbacks.secret`,
    });
  }

  if (config.tier === "queue" || config.tier === "event") {
    if (!config.store.postgres) {
      problems.push({
        path: "store.postgres",
        message: `the ${config.tier} tier keeps leads in PostgreSQL, shared by every process: set store.postgres.connectionString from an environment variable (e.g. DATABASE_URL)`,
      });
    }
    if (!config.queue) {
      problems.push({
        path: "queue",
        message:
          config.tier === "queue"
            ? "the queue tier sends through BullMQ on Redis: set queue.redis.connectionString from an environment variable (e.g. REDIS_URL)"
            : "the event tier keeps each workspace's rate limit and breaker in Redis, shared by every enricher: set queue.redis.connectionString from an environment variable (e.g. REDIS_URL)",
      });
    }
  }
  if (config.tier === "event" && !config.bus) {
    problems.push({
      path: "bus",
      message:
        "the event tier carries leads on a message bus: add a top-level bus with nats.servers (NATS JetStream) or kafka.brokers",
    });
  }

  // One file, one writer: two sinks appending to it would each write their own header.
  const filePaths = new Map<string, string>();
  config.sinks.forEach((sink, i) => {
    if (sink.type !== "file") return;
    const taken = filePaths.get(resolve(sink.path));
    if (taken !== undefined) {
      problems.push({
        path: `sinks[${i}].path`,
        message: `sink "${sink.name}" writes the same file as sink "${taken}": give each file sink its own path, or route both to one sink`,
      });
    } else filePaths.set(resolve(sink.path), sink.name);
  });

  config.sinks.forEach((sink, i) => {
    if (sink.type === "bus" && config.bus === undefined) {
      problems.push({
        path: `sinks[${i}].type`,
        message: `sink "${sink.name}" publishes to the bus, and no bus is set: add a top-level bus with nats.servers or kafka.brokers`,
      });
    }
  });

  collectRuleProblems(problems, () =>
    compileRoutes(
      config.routes,
      config.sinks.map((sink) => sink.name),
    ),
  );
  collectRuleProblems(problems, () =>
    compileEnrichIf(
      config.enrichIf,
      config.sources.map((source) => source.name),
    ),
  );
  return problems;
}

/** Each rule's problem under its own key path, the caret snippet indented beneath it. */
function collectRuleProblems(problems: ConfigProblem[], compile: () => unknown): void {
  try {
    compile();
  } catch (thrown) {
    if (!(thrown instanceof RoutesError)) throw thrown;
    for (const problem of thrown.problems) {
      problems.push({ path: problem.path, message: problem.message.replaceAll("\n", "\n      ") });
    }
  }
}
