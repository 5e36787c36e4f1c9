/**
 * Schema problems as a person reads them: the key path, what is wrong, the
 * value found (as written in the file, never a secret), and for an unknown key
 * the known key it was probably meant to be.
 */
import type { z } from "zod";
import { closestKey } from "./closest-key.js";
import { type ConfigProblem, formatPath, overlaps } from "./interpolate-env.js";
import { knownKeysAt } from "./schema-keys.js";
import { isSecretPath, redactSecrets, SECRET_NOT_SHOWN } from "./secret-paths.js";

const SHOWN_CHARACTERS = 80;

/**
 * `written` is the document before `${ENV}` references were resolved: a value
 * shown is what the file says, so nothing from the environment is echoed.
 * Keys that already have a problem (a variable not set) get no second line.
 */
export function describeIssues(
  error: z.ZodError,
  options: { schema: z.ZodType; written: unknown; known: readonly ConfigProblem[] },
): ConfigProblem[] {
  const reported = options.known.map((problem) => problem.path);
  const alreadyReported = (path: string) => reported.some((known) => overlaps(path, known));
  return error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(options.schema, issue.path, options.written);
      return issue.keys.map((key) => {
        const suggestion = closestKey(key, known);
        return {
          path: formatPath([...issue.path, key]),
          message: suggestion
            ? `unknown key; did you mean \`${suggestion}\`?`
            : "unknown key: check its spelling and indentation",
        };
      });
    }
    const path = issue.path.length > 0 ? formatPath(issue.path) : "(top level)";
    if (alreadyReported(path)) return [];
    const value = valueAt(options.written, issue.path);
    // Zod's own words for a missing key ("Invalid input: expected string, received undefined").
    if (
      value === undefined &&
      issue.code === "invalid_type" &&
      issue.message.startsWith("Invalid input")
    ) {
      return [{ path, message: missingMessage(issue.path, issue.expected) }];
    }
    const found = isSecretPath(issue.path) ? SECRET_NOT_SHOWN : show(value);
    return [{ path, message: `${issue.message}; found ${found}` }];
  });
}

function missingMessage(path: ReadonlyArray<PropertyKey>, expected: string): string {
  const key = path.findLast((part) => typeof part === "string");
  return isSecretPath(path)
    ? `missing: write ${String(key)}: \${SOME_VARIABLE} and set SOME_VARIABLE in the environment or in .env`
    : `missing: this key is required (${expected})`;
}

function valueAt(document: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = document;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(redactSecrets(value));
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
}
