/**
 * Structured logs (JSON lines on stderr). Secrets and personal data never reach
 * them: log lead ids, not emails; the redact list is the safety net.
 */
import { createRequire } from "node:module";
import type { Logger } from "pino";

export type { Logger } from "pino";

/**
 * pino (27 modules) is loaded by the first logger made, not by importing
 * claypipe: its package is CommonJS, so this synchronous require is the very
 * module an import would load.
 */
function pino(): typeof import("pino").pino {
  return (createRequire(import.meta.url)("pino") as typeof import("pino")).pino;
}

export const REDACTED_PATHS = [
  "authToken",
  "apiKey",
  "secret",
  "email",
  "token",
  "url",
  "webhookUrl",
  "*.authToken",
  "*.apiKey",
  "*.secret",
  "*.email",
  "*.token",
  "*.url",
  "*.webhookUrl",
  "headers.authorization",
  'headers["x-clay-webhook-auth"]',
];

export function createLogger(
  level = "info",
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  return pino()({ level, base: { service: "claypipe" }, redact: REDACTED_PATHS }, destination);
}

/** pino's levels from the most verbose up; "silent" logs nothing. */
const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/**
 * The level for a command that prints a human answer: warnings and up only, so
 * no info line stands beside the answer (a quieter configured level stays).
 */
export function warningsAndUp(level: string): string {
  return LEVELS.indexOf(level) > LEVELS.indexOf("warn") ? level : "warn";
}

let silent: Logger | undefined;

/** The logger of code given none: it logs nothing. One for the process, made on first use. */
export function silentLogger(): Logger {
  silent ??= pino()({ level: "silent" });
  return silent;
}
