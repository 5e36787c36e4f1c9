/**
 * `${VAR}` and `${VAR:-default}` in config values, resolved from the environment.
 * Secrets may only be written this way, so a config file never holds one.
 */
import { isSecretPath } from "./secret-paths.js";

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

/** Replaces every reference in the document; collects missing variables and literal secrets. */
export function interpolateEnv(
  document: unknown,
  env: Record<string, string | undefined>,
): { value: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];

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
      (_match, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined && value !== "") return value;
        if (fallback !== undefined) return fallback;
        problems.push({
          path: formatPath(path),
          message: `the environment variable ${name} is not set: export it or add it to .env`,
        });
        return "";
      },
    );
    // `${VAR:-}` on its own means "optional": an empty result is no value at all.
    return resolved === "" && ONLY_A_REFERENCE.test(node.trim()) ? undefined : resolved;
  };

  return { value: visit(document, []), problems };
}
