/**
 * Reads claypipe.config.yaml: `.env` beside it, YAML, `${ENV}` references, then
 * the schema. Any problem is one ClaypipeError listing every bad key, before
 * anything starts.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { parseEnv } from "node:util";
import type * as Yaml from "yaml";
import { ClaypipeError } from "../core/errors.js";
import { checkConfig } from "./check-config.js";
import { DEFAULT_CONFIG_FILE, type UnusedSecret } from "./config-defaults.js";
import { describeIssues } from "./describe-issues.js";
import { type ConfigProblem, formatPath, interpolateEnv, overlaps } from "./interpolate-env.js";
import { type ClaypipeConfig, configSchema } from "./schema.js";

export { DEFAULT_CONFIG_FILE, UNUSED_SECRETS, type UnusedSecret } from "./config-defaults.js";

/**
 * yaml (72 modules) is loaded by the first parse, not by importing claypipe.
 * Its Node.js build is CommonJS, so this synchronous require is the very module
 * an import would load.
 */
function yaml(): typeof Yaml {
  return createRequire(import.meta.url)("yaml") as typeof Yaml;
}

export interface LoadConfigOptions extends ParseConfigOptions {
  /** @defaultValue process.env (with `.env` beside the config file filling gaps) */
  env?: Record<string, string | undefined>;
}

export interface ParseConfigOptions {
  /**
   * "deferred" is for a process that never delivers (status, dlq, import, the
   * queue tier's API): a variable only `sinks` (or the `bus` they publish to) use may be unset there, its
   * reference staying as written, because such a pipeline never builds its
   * sinks. A sink that cannot even be checked without it is still refused.
   * @defaultValue "required"
   */
  sinkVariables?: "required" | "deferred";
  /**
   * Secrets a command never uses (it neither serves HTTP, signs callbacks nor
   * calls Clay's public API): unset, they get a stand-in that any code using
   * them refuses, naming the variable. `start` and `send` need them.
   * @defaultValue []
   */
  unusedSecrets?: readonly UnusedSecret[];
}

function secretArea(path: ReadonlyArray<string | number>): UnusedSecret | undefined {
  if (path[0] === "callbacks" && path[1] === "secret") return "callbacks.secret";
  if (path[0] === "server" && path[1] === "apiKeys") return "server.apiKeys";
  const publicApi = path[0] === "clay" && path[1] === "workspaces" && path[3] === "publicApi";
  return publicApi && path[4] === "apiKey" ? "publicApi.apiKey" : undefined;
}

export function loadConfigFile(
  path = DEFAULT_CONFIG_FILE,
  options: LoadConfigOptions = {},
): ClaypipeConfig {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new ClaypipeError("config_not_found", `no config file at ${file}`, {
      hint: "run `claypipe init` to write a starter config, or pass --config <file>",
    });
  }
  const env = options.env ?? configEnv(file);
  return parseConfig(readFileSync(file, "utf8"), { ...options, env, source: file });
}

/** Parses and validates config text; `source` names it in messages. */
export function parseConfig(
  text: string,
  options: ParseConfigOptions & { env: Record<string, string | undefined>; source?: string },
): ClaypipeConfig {
  const source = options.source ?? "config";
  const document = yaml().parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new ClaypipeError("config_invalid", `${source} is not valid YAML: ${first.message}`, {
      hint: "fix the YAML syntax at the line shown (indentation uses spaces, not tabs)",
    });
  }
  const written: unknown = document.toJS() ?? {};
  const { value, problems, deferred } = interpolateEnv(written, options.env, {
    deferUnset: (path) => {
      if (path[0] === "sinks") return options.sinkVariables === "deferred";
      // Outside the event tier the bus connection serves only bus sinks: deferred with them.
      // The event tier's every process talks to the bus, so an unset variable is said at once.
      if (path[0] === "bus") return options.sinkVariables === "deferred" && !isEventTier(written);
      const area = secretArea(path);
      return area !== undefined && (options.unusedSecrets ?? []).includes(area);
    },
  });
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    // A reference left as written failed the schema: that sink needs its variable even here.
    const failed = parsed.error.issues.map((issue) => formatPath(issue.path));
    problems.push(
      ...deferred.filter((problem) => failed.some((path) => overlaps(path, problem.path))),
    );
  }
  const all = [
    ...problems,
    ...(parsed.success
      ? []
      : describeIssues(parsed.error, { schema: configSchema, written, known: problems })),
  ];
  if (all.length > 0 || !parsed.success) throw configError(source, all);
  const crossChecks = checkConfig(parsed.data);
  if (crossChecks.length > 0) throw configError(source, crossChecks);
  return deepFreeze(parsed.data);
}

function configError(source: string, problems: ConfigProblem[]): ClaypipeError {
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n");
  return new ClaypipeError("config_invalid", `${source} is not valid:\n${lines}`, {
    hint: "fix the keys above; docs/config.md lists every key and its default",
  });
}

/** The environment a config file is read with: the process's, `.env` beside the file filling gaps. */
export function configEnv(file: string): Record<string, string | undefined> {
  return { ...readDotEnv(dirname(resolve(file))), ...process.env };
}

function readDotEnv(dir: string): Record<string, string | undefined> {
  const file = resolve(dir, ".env");
  return existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function isEventTier(written: unknown): boolean {
  return (written as { tier?: unknown } | null)?.tier === "event";
}
