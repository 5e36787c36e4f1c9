/**
 * The first checks: the config file reads and validates, and every `${VAR}` it
 * references has a value. An unset variable does not stop the report: its
 * value becomes the stand-in that read-only commands use (config/unset-variable.ts),
 * each check that needs it says so, and the rest is still checked.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parseDocument } from "yaml";
import { type EnvReference, envReferences } from "../config/interpolate-env.js";
import { configEnv, parseConfig } from "../config/load-config.js";
import type { ClaypipeConfig } from "../config/schema.js";
import { unsetStandIn } from "../config/unset-variable.js";
import { ClaypipeError, coerceError } from "../core/errors.js";
import { type DoctorCheck, error, ok } from "./doctor-report.js";

export interface ConfigCheckResult {
  checks: DoctorCheck[];
  /** The config, unset variables standing in, when it validates. */
  config?: ClaypipeConfig;
}

export function checkConfigFile(
  path: string,
  env?: Record<string, string | undefined>,
): ConfigCheckResult {
  const file = resolve(path);
  if (!existsSync(file)) {
    return {
      checks: [
        error(
          "config",
          "config",
          `no config file at ${file}`,
          "run `claypipe init` to write a starter config, or pass --config <file>",
        ),
      ],
    };
  }
  const text = readFileSync(file, "utf8");
  const environment = env ?? configEnv(file);
  const document = parseDocument(text);
  const missing =
    document.errors.length > 0
      ? []
      : envReferences(document.toJS() ?? {}, environment).filter(
          (reference) => reference.state === "unset" || reference.state === "empty",
        );
  const checks = missing.map((reference) => missingVariable(reference, basename(file)));
  if (document.errors.length === 0 && missing.length === 0) {
    checks.push(ok("config", "environment", "every variable the config references is set"));
  }
  try {
    const config = parseConfig(text, { env: standIns(environment, missing), source: file });
    return { checks: [ok("config", "config", describeConfig(file, config)), ...checks], config };
  } catch (thrown) {
    const problem =
      thrown instanceof ClaypipeError
        ? error("config", "config", thrown.message, thrown.hint ?? "fix the config")
        : error("config", "config", coerceError(thrown).message, "fix the config");
    return { checks: [problem, ...checks] };
  }
}

function missingVariable(reference: EnvReference, file: string): DoctorCheck {
  const state = reference.state === "empty" ? "is set but empty" : "is not set";
  return error(
    "config",
    `env ${reference.name}`,
    `${reference.path}: the environment variable ${reference.name} ${state}${reference.secret ? " (a secret)" : ""}`,
    `give ${reference.name} a value: export it, or add it to .env beside ${file}`,
  );
}

/**
 * A secret's stand-in passes the schema and is refused by any code that would
 * use it; anything else keeps its reference as written, which the schema
 * judges (a `port: ${PORT}` left unset is then also a config error).
 */
function standIns(
  env: Record<string, string | undefined>,
  missing: readonly EnvReference[],
): Record<string, string | undefined> {
  const filled = { ...env };
  for (const reference of missing) {
    filled[reference.name] = reference.secret
      ? unsetStandIn(reference.name, reference.state === "empty")
      : `\${${reference.name}}`;
  }
  return filled;
}

function describeConfig(file: string, config: ClaypipeConfig): string {
  const tables = config.clay.workspaces.reduce((sum, ws) => sum + ws.tables.length, 0);
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return `${file} is valid: tier ${config.tier}, ${plural(config.clay.workspaces.length, "workspace")}, ${plural(tables, "table")}, ${plural(config.sources.length, "source")}, ${plural(config.sinks.length, "sink")}`;
}
