/** What went wrong on the wire, in a word a person can search for. */
import { coerceError } from "./errors.js";

// fetch reports every failure as "fetch failed"; the useful part is in the cause
// (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET…).
export function describeNetworkError(thrown: unknown): string {
  const error = coerceError(thrown);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  return cause?.message ?? error.message;
}
