/**
 * `${VAR}` and `${VAR:-default}` in config values, resolved from the environment.
 * Secrets may only be written this way, so a config file never holds one.
 */
import { isSecretPath } from "./secret-paths.js";
import { unsetStandIn } from "./unset-variable.js";

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const ONLY_A_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

export interface ConfigProblem {
  path: string;
  message: string;
}

export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  return path
    .map((part, i) =>
      typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
    )
    .join("");
}

/** Whether one key path is the other or lies under it (`sinks[1]` and `sinks[1].url`). */
export function overlaps(a: string, b: string): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(a, b) || within(b, a);
}

export interface InterpolateOptions {
  /**
   * Where an unset variable may wait: its problem goes to `deferred`, for the
   * code that needs the value to raise. Its reference stays as written, or,
   * for a secret outside `sinks`, becomes a stand-in that passes the schema
   * and that any code using it refuses (see unset-variable.ts).
   * @defaultValue nowhere
   */
  deferUnset?: (path: ReadonlyArray<string | number>) => boolean;
}

/** Replaces every reference in the document; collects missing variables and literal secrets. */
export function interpolateEnv(
  document: unknown,
  env: Record<string, string | undefined>,
  options: InterpolateOptions = {},
): { value: unknown; problems: ConfigProblem[]; deferred: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const deferred: ConfigProblem[] = [];

  const visit = (node: unknown, path: Array<string | number>): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v, [...path, k])]));
    }
    if (typeof node !== "string") return node;
    const key = path.findLast((part) => typeof part === "string");
    if (isSecretPath(path) && !ONLY_A_REFERENCE.test(node.trim())) {
      problems.push({
        path: formatPath(path),
        message: `secrets must come from the environment: write ${String(key)}: \${SOME_VARIABLE} and set SOME_VARIABLE in the environment or in .env`,
      });
      return node;
    }
    const resolved = node.replace(
      REFERENCE,
      (reference: string, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined && value !== "") return value;
        if (fallback !== undefined) return fallback;
        const waits = options.deferUnset?.(path) ?? false;
        (waits ? deferred : problems).push({
          path: formatPath(path),
          message:
            value === ""
              ? `the environment variable ${name} is set but empty: give it a value (export or .env)`
              : `the environment variable ${name} is not set: export it or add it to .env`,
        });
        if (!waits) return "";
        return isSecretPath(path) && path[0] !== "sinks"
          ? unsetStandIn(name, value === "")
          : reference;
      },
    );
    // `${VAR:-}` on its own means "optional": an empty result is no value at all.
    return resolved === "" && ONLY_A_REFERENCE.test(node.trim()) ? undefined : resolved;
  };

  return { value: visit(document, []), problems, deferred };
}

/** One `${VAR}` written in the config, and whether the environment gives it a value. */
export interface EnvReference {
  /** Where it is written, e.g. `store.postgres.connectionString`. */
  path: string;
  name: string;
  /** Written under a secret key. */
  secret: boolean;
  /** "default" when unset or empty but written with `:-fallback`. */
  state: "set" | "unset" | "empty" | "default";
}

/** Every reference in the document, for a report of what the environment still lacks. */
export function envReferences(
  document: unknown,
  env: Record<string, string | undefined>,
): EnvReference[] {
  const found: EnvReference[] = [];
  const visit = (node: unknown, path: Array<string | number>): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) visit(child, [...path, key]);
    } else if (typeof node === "string") {
      for (const [, name, fallback] of node.matchAll(REFERENCE)) {
        const value = env[name!];
        const state =
          value !== undefined && value !== ""
            ? "set"
            : fallback !== undefined
              ? "default"
              : value === ""
                ? "empty"
                : "unset";
        found.push({ path: formatPath(path), name: name!, secret: isSecretPath(path), state });
      }
    }
  };
  visit(document, []);
  return found;
}
