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
  "*.authToken",
  "*.apiKey",
  "*.secret",
  "*.email",
  "*.token",
  "*.url",
  "headers.authorization",
  'headers["x-clay-webhook-auth"]',
];

export function createLogger(
  level = "info",
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  return pino({ level, base: { service: "claypipe" }, redact: REDACTED_PATHS }, destination);
}

export const silentLogger: Logger = pino({ level: "silent" });
