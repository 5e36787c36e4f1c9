/**
 * Structured logs (JSON lines on stderr). Secrets and personal data never reach
 * them: log lead ids, not emails; the redact list is the safety net.
 */
import { type Logger, pino } from "pino";

export type { Logger } from "pino";

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
  return pino({ level, base: { service: "claypipe" }, redact: REDACTED_PATHS }, destination);
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

export const silentLogger: Logger = pino({ level: "silent" });
